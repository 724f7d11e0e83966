import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createOpaCliAdapter } from '../../../src/engines/opa/opa-cli-adapter.js';
import { createSemgrepAdapter } from '../../../src/engines/semgrep/semgrep-adapter.js';
import type { Artifact } from '../../../src/engines/types.js';
import { TierguardError, createEngine } from '../../../src/index.js';
import type { JsonValue, PolicyDefinition, ValidationDecision } from '../../../src/index.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { describePolicy } from '../../../src/mcp/describe-policy.js';
import { artifactName, compileArtifactSelector } from '../../../src/enforcement/artifact-selector.js';
import { engineSkipReason } from '../engines/support.js';
import { INLINE_SOURCE, NO_EVAL_POLICY, OPA_INSTALL, OWNED_POLICY, S3_POLICY, SEMGREP_INSTALL, artifact, sourcesFor } from './support.js';

const opa = createOpaCliAdapter();
const semgrep = createSemgrepAdapter();
const opaSkip = await engineSkipReason(opa, OPA_INSTALL);
const semgrepSkip = await engineSkipReason(semgrep, SEMGREP_INSTALL);
const skip = opaSkip ?? semgrepSkip;

/** A selector over `patterns`, which must compile. */
function selectorOf(...patterns: string[]) {
  const { selector, issues } = compileArtifactSelector(patterns, DEFAULT_LIMITS);
  expect(issues).toEqual([]);
  if (selector === undefined) throw new Error('no selector');
  return selector;
}

/** The engines a decision ran, as `engine policy verdict`. */
const ran = (decision: ValidationDecision): string[] =>
  decision.engines.map((verdict) => `${verdict.engine} ${verdict.policy} ${verdict.verdict}`);

async function rejection(policies: readonly unknown[]): Promise<TierguardError> {
  const error = await createEngine({ policies: policies as PolicyDefinition[], sources: policies.map(() => INLINE_SOURCE) }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TierguardError);
  return error as TierguardError;
}

describe('the name artifacts patterns match', () => {
  it('is a file path as given, with backslashes read as slashes and a leading ./ dropped', () => {
    expect(artifactName({ path: 'infra/main.tf' })).toBe('infra/main.tf');
    expect(artifactName({ path: './infra/main.tf' })).toBe('infra/main.tf');
    expect(artifactName({ path: '.\\infra\\main.tf' })).toBe('infra/main.tf');
    expect(artifactName({ path: '././infra/main.tf' })).toBe('infra/main.tf');
    expect(artifactName({ path: '../infra/main.tf' })).toBe('../infra/main.tf');
    expect(artifactName({ path: '/abs/infra/main.tf' })).toBe('/abs/infra/main.tf');
  });

  it("is content's name, or the name the engine sees it under", () => {
    expect(artifactName({ content: 'x', name: 'gen.js' })).toBe('gen.js');
    expect(artifactName({ content: 'x', format: 'terraform' })).toBe('main.tf');
    expect(artifactName({ content: 'x', format: 'yaml' })).toBe('artifact.yaml');
    expect(artifactName({ content: { a: 1 } })).toBe('artifact.json');
    expect(artifactName({ content: { a: 1 }, format: 'terraform-plan' })).toBe('tfplan.json');
    // Text an engine cannot place has no known extension; it keeps the name decisions show.
    expect(artifactName({ content: 'x' })).toBe('artifact');
    expect(artifactName({ content: 'x', format: 'cobol' } as unknown as Artifact)).toBe('artifact');
    expect(artifactName({ content: 'x', format: 'constructor' } as unknown as Artifact)).toBe('artifact');
  });
});

describe('artifacts patterns', () => {
  it('match the base name without a slash and the whole name with one, as in .gitignore', () => {
    const byBase = selectorOf('*.tf');
    expect(byBase.selects('main.tf')).toBe(true);
    expect(byBase.selects('infra/main.tf')).toBe(true);
    expect(byBase.selects('infra/main.tf.json')).toBe(false);
    expect(byBase.selects('infra.tf/main.json')).toBe(false);

    const byPath = selectorOf('infra/**/*.tf');
    expect(byPath.selects('infra/main.tf')).toBe(true);
    expect(byPath.selects('infra/prod/eu/main.tf')).toBe(true);
    expect(byPath.selects('main.tf')).toBe(false);
    expect(byPath.selects('other/infra/main.tf')).toBe(false);

    const either = selectorOf('*.{yaml,yml}', 'Dockerfile');
    expect(either.selects('k8s/deploy.yml')).toBe(true);
    expect(either.selects('app/Dockerfile')).toBe(true);
    expect(either.selects('app/dockerfile')).toBe(false);
    expect(either.patterns).toEqual(['*.{yaml,yml}', 'Dockerfile']);
  });

  it('report every malformed or overlong pattern at its index', () => {
    const { selector, issues } = compileArtifactSelector(['*.tf', '[abc', 'x'.repeat(20), '{a,b'], {
      ...DEFAULT_LIMITS,
      maxPatternLength: 10,
    });
    expect(selector).toBeUndefined();
    expect(issues.map((issue) => issue.pointer)).toEqual(['/artifacts/1', '/artifacts/2', '/artifacts/3']);
  });
});

describe('artifacts in a policy definition', () => {
  const OPA_BINDING = [{ engine: 'opa', policy: '../engine-policies/s3.rego', query: 'data.s3.deny' }];

  it('is kept in the definition and described by the MCP constraint tools', async () => {
    const policy: PolicyDefinition = { id: 'plans', artifacts: ['*.json'], enforcement: OPA_BINDING };
    const engine = await createEngine({ policies: [policy], sources: sourcesFor([policy]) });
    expect(engine.definitions[0]?.artifacts).toEqual(['*.json']);
    expect(describePolicy(policy, 'enforce').artifacts).toEqual(['*.json']);
    expect(describePolicy(S3_POLICY, 'enforce')).not.toHaveProperty('artifacts');
  });

  it('is INVALID_POLICY on a policy without enforcement, naming the policy and /artifacts', async () => {
    const error = await rejection([
      { id: 'no-engine', tools: ['x'], assert: { field: 'arguments.a', op: 'eq', value: 1 }, artifacts: ['*.tf'] },
    ]);
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toContain('policy "no-engine"');
    expect(error.message).toContain('/artifacts: ');
    expect(error.details['issues']).toEqual([expect.objectContaining({ pointer: '/artifacts' })]);
  });

  it('is INVALID_POLICY for a malformed glob, naming /artifacts/<i>, with the enforcement problems of the same policy', async () => {
    const error = await rejection([
      { id: 'bad-glob', artifacts: ['*.tf', 'infra/[main.tf'], enforcement: [{ engine: 'nope', policy: '../engine-policies/s3.rego' }] },
    ]);
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toContain('policy "bad-glob"');
    expect(error.message).toContain('/artifacts/1: invalid glob "infra/[main.tf"');
    expect(error.message).toContain('/enforcement/0/engine');
  });

  it('must be a non-empty array of non-empty strings', async () => {
    const cases: [unknown, string][] = [
      [[], '/artifacts'],
      ['*.tf', '/artifacts: must be a array'],
      [[7], '/artifacts/0: must be a string'],
      [['*.tf', ''], '/artifacts/1'],
    ];
    for (const [artifacts, says] of cases) {
      const error = await rejection([{ id: 'bad', artifacts, enforcement: OPA_BINDING }]);
      expect(error.code).toBe('INVALID_POLICY');
      expect(error.message).toContain('policy "bad"');
      expect(error.message).toContain(says);
    }
  });

  it('changes the version of the set', async () => {
    const without = await createEngine({ policies: [S3_POLICY], sources: sourcesFor([S3_POLICY]) });
    const withPatterns = { ...S3_POLICY, artifacts: ['*.json'] };
    const selecting = await createEngine({ policies: [withPatterns], sources: sourcesFor([withPatterns]) });
    expect(selecting.version).not.toBe(without.version);
  });
});

describe.skipIf(skip !== undefined)(
  `engine.validate selects policies by artifacts${skip === undefined ? '' : ` (skipped: ${skip})`}`,
  () => {
    const PLANS: PolicyDefinition = { ...S3_POLICY, artifacts: ['*.json'] };
    const CODE: PolicyDefinition = { ...NO_EVAL_POLICY, artifacts: ['*.js', '*.ts'] };
    const engineOf = (policies: readonly PolicyDefinition[]) =>
      createEngine({ adapters: [opa, semgrep], policies, sources: sourcesFor(policies) });

    it('runs only the policies whose patterns select the artifact, and those without patterns on every artifact', async () => {
      const engine = await engineOf([PLANS, CODE, OWNED_POLICY]);
      const plan = await engine.validate({ path: artifact('bucket-public.json') });
      expect(ran(plan)).toEqual(['opa ../engine-policies/s3.rego fail', 'opa ../engine-policies/bucket-rules pass']);

      const code = await engine.validate({ path: artifact('app-eval.js') });
      expect(code.engines.map((verdict) => verdict.engine)).toEqual(['semgrep', 'opa']);
      expect(ran(code)[0]).toBe('semgrep ../engine-policies/no-eval.yaml fail');
      // The unselective policy still runs, and OPA cannot read JavaScript: today's behaviour for a policy without artifacts.
      expect(code.engines[1]?.error?.code).toBe('INVALID_ARTIFACT');
    });

    it('selects content by its name, or by the name its format gives it', async () => {
      const engine = await engineOf([PLANS, CODE]);
      const plan = JSON.parse(await readFile(artifact('bucket-public.json'), 'utf8')) as JsonValue;
      expect(ran(await engine.validate({ content: plan }))).toEqual(['opa ../engine-policies/s3.rego fail']);
      expect(ran(await engine.validate({ content: 'eval(x);\n', format: 'javascript' }))).toEqual([
        'semgrep ../engine-policies/no-eval.yaml fail',
      ]);
      expect(ran(await engine.validate({ content: 'eval(x);\n', format: 'typescript', name: 'gen.ts' }))).toEqual([
        'semgrep ../engine-policies/no-eval.yaml fail',
      ]);
    });

    it('passes an artifact no policy selects with no engine run, as an action no policy covers is allowed', async () => {
      const engine = await engineOf([PLANS, CODE]);
      const decision = await engine.validate({ content: '# notes\n', format: 'text', name: 'README.md' });
      expect(decision).toMatchObject({ result: 'pass', verdict: 'allow', outcome: 'allow', engines: [], violations: [], errors: [] });
      expect(decision.action).toEqual({ tool: 'README.md', kind: 'artifact' });
      expect(decision.policyVersion).toBe(engine.version);
    });

    it('runs the policies named in policies whatever their patterns say', async () => {
      const engine = await engineOf([{ ...S3_POLICY, artifacts: ['plans/**/*.json'] }, CODE]);
      const path = artifact('bucket-public.json');
      expect((await engine.validate({ path })).engines).toEqual([]);
      expect(ran(await engine.validate({ path }, { policies: ['s3.no-public'] }))).toEqual(['opa ../engine-policies/s3.rego fail']);
    });

    it('still refuses a set where no policy binds an engine, and reports an unusable artifact as an error', async () => {
      const plain: PolicyDefinition = { id: 'plain', tools: ['x'], assert: { field: 'arguments.a', op: 'eq', value: 1 } };
      const none = await createEngine({ policies: [plain] });
      await expect(none.validate({ path: artifact('app-clean.js') })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });

      const engine = await engineOf([PLANS, CODE]);
      const unusable = await engine.validate({ path: 'x.md', content: 'x' } as unknown as Artifact);
      expect(unusable).toMatchObject({ result: 'error', engines: [] });
    });
  },
);
