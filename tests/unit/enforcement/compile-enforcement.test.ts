import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TierguardError, createEngine } from '../../../src/index.js';
import type { EngineAdapter, PolicyDefinition } from '../../../src/index.js';
import { FIXTURES, INLINE_SOURCE, NO_EVAL_POLICY, S3_POLICY, sourcesFor } from './support.js';

/** An adapter that never runs: these tests only compile. */
const named = (name: string): EngineAdapter => ({
  name,
  available: () => Promise.resolve({ ok: true }),
  evaluate: () => Promise.reject(new Error('not run in these tests')),
});

async function rejection(policies: readonly unknown[], extra: Record<string, unknown> = {}): Promise<TierguardError> {
  const error = await createEngine({ policies: policies as PolicyDefinition[], sources: policies.map(() => INLINE_SOURCE), ...extra }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TierguardError);
  return error as TierguardError;
}

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('enforcement in a policy definition', () => {
  it('accepts a policy that is only an id and enforcement, with query and options', async () => {
    const policy: PolicyDefinition = {
      id: 'rego',
      description: 'engine only',
      effect: 'escalate',
      mode: 'monitor',
      enforcement: [{ engine: 'opa', policy: '../engine-policies/s3.rego', query: 'data.s3.deny', options: { result: 'violations' } }],
    };
    const engine = await createEngine({ policies: [policy], sources: sourcesFor([policy]) });
    expect(engine.policyIds).toEqual(['rego']);
    expect(engine.definitions[0]?.enforcement).toEqual(policy.enforcement);
  });

  it('rejects unknown keys, missing keys and wrong types, naming the policy and the JSON pointer', async () => {
    const cases: [unknown, string][] = [
      [
        [{ engine: 'opa', policy: 'x.rego', queries: 'data.x' }],
        '/enforcement/0/queries: unknown key "queries" (allowed: engine, policy, query, options, blockOn)',
      ],
      [[{ engine: 'opa' }], '/enforcement/0/policy: "policy" is required'],
      [[{ policy: 'x.rego' }], '/enforcement/0/engine: "engine" is required'],
      [[{ engine: 7, policy: 'x.rego' }], '/enforcement/0/engine: must be a string'],
      [[{ engine: 'opa', policy: 'x.rego', options: [] }], '/enforcement/0/options: must be a object'],
      [[{ engine: 'opa', policy: '' }], '/enforcement/0/policy'],
      [[], '/enforcement'],
      [{ engine: 'opa', policy: 'x.rego' }, '/enforcement: must be a array'],
    ];
    for (const [enforcement, says] of cases) {
      const error = await rejection([{ id: 'bad', enforcement }]);
      expect(error.code).toBe('INVALID_POLICY');
      expect(error.message).toContain('policy "bad"');
      expect(error.message).toContain(says);
    }
  });

  it('suggests the nearest engine for a misspelt one', async () => {
    const error = await rejection([{ id: 'typo', enforcement: [{ engine: 'semgerp', policy: '../engine-policies/s3.rego' }] }]);
    expect(error.message).toContain('policy "typo" /enforcement/0/engine: no adapter for engine "semgerp"');
    expect(error.message).toMatch(/\(did you mean "semgrep"\?\)$/);
  });

  it('rejects an engine with no adapter, given or default, naming /enforcement/<i>/engine', async () => {
    const error = await rejection([
      { id: 'custom', enforcement: [S3_POLICY.enforcement?.[0], { engine: 'kyverno', policy: '../engine-policies/s3.rego' }] },
    ]);
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toContain(
      'policy "custom" /enforcement/1/engine: no adapter for engine "kyverno" (known: opa, conftest, checkov, semgrep;',
    );
    // Given as an adapter, the same name is fine.
    await expect(
      createEngine({
        policies: [{ id: 'custom', enforcement: [{ engine: 'kyverno', policy: '../engine-policies/s3.rego' }] }],
        sources: [INLINE_SOURCE],
        adapters: [named('kyverno')],
      }),
    ).resolves.toBeDefined();
  });

  it('rejects an engine policy that does not exist, naming the pointer and the path it resolved to', async () => {
    const error = await rejection([
      { id: 'lost', enforcement: [{ engine: 'opa', policy: '../engine-policies/nope.rego', query: 'data.x' }] },
    ]);
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toContain('policy "lost" /enforcement/0/policy: ');
    expect(error.message).toContain(join(FIXTURES, 'engine-policies', 'nope.rego'));
    expect(error.details).toMatchObject({
      policy: 'policy "lost"',
      issues: [{ pointer: '/enforcement/0/policy', actual: '../engine-policies/nope.rego' }],
    });
  });

  it('resolves the engine policy against the working directory for a policy given in code without sources', async () => {
    const error = await createEngine({ policies: [{ id: 'here', enforcement: [{ engine: 'opa', policy: 'no-such-dir/x.rego' }] }] }).then(
      () => undefined,
      (thrown: unknown) => thrown as TierguardError,
    );
    expect(error?.message).toContain(join(process.cwd(), 'no-such-dir', 'x.rego'));
  });

  it('reports every invalid policy at once', async () => {
    const error = await rejection([
      { id: 'one', enforcement: [{ engine: 'nobody', policy: '../engine-policies/s3.rego' }] },
      { id: 'two', enforcement: [{ engine: 'opa', policy: 'gone.rego' }] },
    ]);
    expect(error.message).toContain('2 policies are invalid');
    expect(error.message).toContain('policy "one"');
    expect(error.message).toContain('policy "two"');
  });

  it('rejects adapters that are malformed or share a name', async () => {
    const twice = await createEngine({
      policies: [NO_EVAL_POLICY],
      sources: sourcesFor([NO_EVAL_POLICY]),
      adapters: [named('opa'), named('opa')],
    }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(twice).toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringContaining('a second adapter named "opa"') as unknown });
    for (const adapters of [named('x'), [{ name: 'x' }], [null], [{ ...named(''), name: '' }]]) {
      await expect(createEngine({ policies: [], adapters: adapters as never })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    }
  });
});

describe('the version of a policy set with enforcement', () => {
  async function copyFixtures(): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'tierguard-enforcement-'));
    scratch.push(root);
    await cp(FIXTURES, root, { recursive: true });
    return root;
  }

  const versionOf = async (root: string, policy: PolicyDefinition): Promise<string> =>
    (await createEngine({ policies: [policy], sources: [join(root, 'policies', 'inline.json')] })).version;

  it('changes when a referenced Rego file changes, and only then', async () => {
    const root = await copyFixtures();
    const before = await versionOf(root, S3_POLICY);
    expect(await versionOf(root, S3_POLICY)).toBe(before);
    const rego = join(root, 'engine-policies', 's3.rego');
    await writeFile(rego, `# edited\n${await readFile(rego, 'utf8')}`);
    expect(await versionOf(root, S3_POLICY)).not.toBe(before);
  });

  it('covers every file of a referenced directory, recursively: an edit, a new file, a nested file', async () => {
    const root = await copyFixtures();
    const policy: PolicyDefinition = {
      id: 'dir',
      enforcement: [{ engine: 'opa', policy: '../engine-policies/bucket-rules', query: 'data.buckets.deny' }],
    };
    const versions = [await versionOf(root, policy)];
    await writeFile(join(root, 'engine-policies', 'bucket-rules', 'size.rego'), 'package buckets\n');
    versions.push(await versionOf(root, policy));
    await writeFile(join(root, 'engine-policies', 'bucket-rules', 'data.json'), '{"max": 3}\n');
    versions.push(await versionOf(root, policy));
    await mkdir(join(root, 'engine-policies', 'bucket-rules', 'nested'));
    await writeFile(join(root, 'engine-policies', 'bucket-rules', 'nested', 'more.rego'), 'package buckets.more\n');
    versions.push(await versionOf(root, policy));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('differs from the same definition without the engine policy content: the file is hashed, not just named', async () => {
    const root = await copyFixtures();
    const other = await copyFixtures();
    await writeFile(join(other, 'engine-policies', 's3.rego'), 'package s3\n');
    expect(await versionOf(root, S3_POLICY)).not.toBe(await versionOf(other, S3_POLICY));
  });
});

describe('policies with enforcement and the action tiers', () => {
  it('never apply to actions when they only bind engines, in evaluate and evaluateAuto', async () => {
    // A policy with no assertion is violated whenever it applies; one that only binds engines must not be.
    const engine = await createEngine({ policies: [S3_POLICY], sources: sourcesFor([S3_POLICY]) });
    for (const decision of [
      await engine.evaluate({ tool: 'anything' }),
      engine.evaluateAuto({ tool: 'anything' }),
      await engine.evaluateResponse({ tool: 'x' }, 1),
    ]) {
      expect(decision).toMatchObject({ verdict: 'allow', violations: [], errors: [] });
    }
  });

  it('still evaluate their assertions when they have both', async () => {
    const both: PolicyDefinition = {
      ...S3_POLICY,
      id: 'both',
      tools: ['deploy'],
      assert: { field: 'arguments.region', op: 'eq', value: 'eu' },
    };
    const engine = await createEngine({ policies: [both], sources: sourcesFor([both]) });
    const denied = await engine.evaluate({ tool: 'deploy', arguments: { region: 'us' } });
    expect(denied.violations.map((v) => [v.policyId, v.tier, v.constraint])).toEqual([['both', 'auto', 'eq']]);
    expect(engine.evaluateAuto({ tool: 'deploy', arguments: { region: 'eu' } }).verdict).toBe('allow');
    expect((await engine.evaluate({ tool: 'other' })).verdict).toBe('allow');
  });
});
