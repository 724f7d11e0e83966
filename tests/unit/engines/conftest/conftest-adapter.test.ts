import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFTEST_TESTED_VERSION, createConftestAdapter } from '../../../../src/engines/conftest/conftest-adapter.js';
import type { EngineBinding, EngineVerdict } from '../../../../src/engines/types.js';
import { engineSkipReason, expectNoTempPath } from '../support.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/conftest/${name}`, import.meta.url));
const conftest = createConftestAdapter();
const BINDING: EngineBinding = { engine: 'conftest', policy: fixture('deployment.rego'), policyId: 'k8s.non-root' };
const skip = await engineSkipReason(
  conftest,
  `go install github.com/open-policy-agent/conftest@v${CONFTEST_TESTED_VERSION} (or run .ci/install-engines)`,
);

const summary = (verdict: EngineVerdict): unknown[] => verdict.violations.map((v) => [v.constraint, v.path, v.effect, v.severity]);
const withoutDuration = ({ durationMs: _ignored, ...rest }: EngineVerdict): Omit<EngineVerdict, 'durationMs'> => rest;

describe.skipIf(skip !== undefined)(`conftest adapter${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it("maps failures to the binding's effect and warnings to warn, sorted by rule", async () => {
    const verdict = await conftest.evaluate({ path: fixture('fail.yaml') }, { ...BINDING, effect: 'escalate' });
    expect(verdict).toMatchObject({ verdict: 'fail', engine: 'conftest', policy: BINDING.policy });
    expect(verdict.violations).toEqual([
      {
        policyId: 'k8s.non-root',
        tier: 'engine',
        constraint: 'data.k8s.deployment.deny',
        path: ['spec', 'template', 'spec', 'securityContext', 'runAsNonRoot'],
        message: 'Deployment web must set runAsNonRoot',
        effect: 'escalate',
        severity: 'violation',
      },
      {
        policyId: 'k8s.non-root',
        tier: 'engine',
        constraint: 'data.k8s.deployment.warn',
        path: [],
        message: 'Deployment web should have a team label',
        effect: 'warn',
        severity: 'warning',
      },
    ]);
  });

  it('fails an artifact with warnings only, each a warning that does not block', async () => {
    const verdict = await conftest.evaluate({ path: fixture('warn-only.json') }, BINDING);
    expect(verdict.verdict).toBe('fail');
    expect(summary(verdict)).toEqual([['data.k8s.deployment.warn', [], 'warn', 'warning']]);
  });

  it('writes content to a private temp dir, picks the parser from the format, and leaves no temp path behind', async () => {
    const content = { kind: 'Deployment', metadata: { name: 'tmp' }, spec: {} };
    const verdict = await conftest.evaluate({ content }, BINDING);
    expect(summary(verdict)).toEqual([
      ['data.k8s.deployment.deny', ['spec', 'template', 'spec', 'securityContext', 'runAsNonRoot'], 'deny', 'violation'],
      ['data.k8s.deployment.warn', [], 'warn', 'warning'],
    ]);
    // YAML text under a name Conftest cannot place: the format decides the parser.
    const yaml = await readFile(fixture('fail.yaml'), 'utf8');
    const named = await conftest.evaluate({ content: yaml, format: 'yaml', name: 'deployment.txt' }, BINDING);
    expect(named.verdict).toBe('fail');
    expectNoTempPath([verdict, named]);
  });

  it('gives identical verdicts on two runs of the same content', async () => {
    const artifact = { content: await readFile(fixture('fail.yaml'), 'utf8'), format: 'yaml' } as const;
    const [first, second] = await Promise.all([conftest.evaluate(artifact, BINDING), conftest.evaluate(artifact, BINDING)]);
    expect(first.verdict).toBe('fail');
    expect(withoutDuration(second)).toEqual(withoutDuration(first));
  });

  it('is an ENGINE_FAILED error for a policy that does not compile, saying why', async () => {
    const verdict = await conftest.evaluate({ path: fixture('fail.yaml') }, { ...BINDING, policy: fixture('broken.rego') });
    expect(verdict).toMatchObject({ verdict: 'error', violations: [], error: { code: 'ENGINE_FAILED' } });
    expect(verdict.error?.message).toMatch(/^conftest exited with 1: running test: load: .*rego_parse_error/s);
  });

  it('is an INVALID_ARTIFACT error, never a pass, for an artifact Conftest cannot parse', async () => {
    const given = relative(process.cwd(), fixture('unparsable.yaml'));
    const verdict = await conftest.evaluate({ path: given }, BINDING);
    expect(verdict).toMatchObject({ verdict: 'error', violations: [], error: { code: 'INVALID_ARTIFACT' } });
    expect(verdict.error?.message).toContain('parse configurations');
    // Content without a parser Conftest knows is refused the same way.
    const unknown = await conftest.evaluate({ content: 'kind: Deployment', format: 'text', name: 'notes.txt' }, BINDING);
    expect(unknown).toMatchObject({ verdict: 'error', error: { code: 'INVALID_ARTIFACT' } });
    expectNoTempPath([verdict, unknown]);
  });

  it('is an error, never a pass, when the policy has no rule Conftest evaluates', async () => {
    const verdict = await conftest.evaluate({ path: fixture('fail.yaml') }, { ...BINDING, policy: fixture('no-rules.rego') });
    expect(verdict.error?.code).toBe('INVALID_BINDING');
    expect(verdict.error?.message).toMatch(/^conftest found no deny, violation or warn rule to evaluate in any namespace of /);
    const wrongNamespace = await conftest.evaluate({ path: fixture('fail.yaml') }, { ...BINDING, options: { namespaces: ['main'] } });
    expect(wrongNamespace.error?.code).toBe('INVALID_BINDING');
    const noMatch = await conftest.evaluate({ path: fixture('fail.yaml') }, { ...BINDING, options: { namespaces: ['nothing.*'] } });
    expect(noMatch.error?.code).toBe('INVALID_BINDING');
  });

  it('tests only the namespaces a binding names, patterns included', async () => {
    const verdict = await conftest.evaluate({ path: fixture('fail.yaml') }, { ...BINDING, options: { namespaces: ['k8s.*'] } });
    expect(verdict.violations.map((v) => v.constraint)).toEqual(['data.k8s.deployment.deny', 'data.k8s.deployment.warn']);
  });

  it('honours the parser option', async () => {
    const yaml = await readFile(fixture('pass.yaml'), 'utf8');
    const verdict = await conftest.evaluate({ content: yaml, name: 'deployment.conf' }, { ...BINDING, options: { parser: 'yaml' } });
    expect(verdict).toMatchObject({ verdict: 'pass', violations: [] });
  });

  it('rejects unknown options and bad values', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ severity: 'high' }, 'unknown conftest option "severity" (known: namespaces, parser)'],
      [{ parser: 'python' }, 'conftest option parser must be one of'],
      [{ namespaces: 'main' }, 'conftest option namespaces must be a list'],
      [{ namespaces: [] }, 'conftest option namespaces must be a list'],
      [{ namespaces: ['--update=x'] }, 'conftest option namespaces must be a list'],
    ];
    for (const [options, message] of cases) {
      const verdict = await conftest.evaluate({ path: fixture('pass.yaml') }, { ...BINDING, options } as EngineBinding);
      expect(verdict.error?.code).toBe('INVALID_BINDING');
      expect(verdict.error?.message).toContain(message);
    }
  });

  it('ignores CONFTEST_* variables that would make it skip the artifact', async () => {
    const adapter = createConftestAdapter({ env: { ...process.env, CONFTEST_IGNORE: '.*', CONFTEST_NAMESPACE: 'nothing' } });
    const verdict = await adapter.evaluate({ path: fixture('fail.yaml') }, BINDING);
    expect(verdict.verdict).toBe('fail');
  });

  it('refuses more findings than the limit', async () => {
    const adapter = createConftestAdapter({ limits: { maxSarifResults: 1 } });
    const verdict = await adapter.evaluate({ path: fixture('fail.yaml') }, BINDING);
    expect(verdict.error).toEqual({
      code: 'LIMIT_EXCEEDED',
      message: 'conftest reported 2 failures and warnings, more than the limit of 1',
    });
  });
});
