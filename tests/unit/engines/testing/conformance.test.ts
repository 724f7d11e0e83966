import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineConformanceCases } from '../../../../src/engines/testing/conformance.js';
import type { ConformanceCase, ConformanceSuite } from '../../../../src/engines/testing/conformance.js';
import type { EngineAdapter, EngineVerdict } from '../../../../src/engines/types.js';
import { createNodeScriptAdapter } from './node-script-adapter.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/node-script/${name}`, import.meta.url));

const SUITE: ConformanceSuite = {
  create: () => createNodeScriptAdapter(),
  createWithMissingEngine: () => createNodeScriptAdapter('tierguard-no-such-node'),
  binding: { engine: 'node-script', policy: fixture('no-eval.cjs'), policyId: 'code.no-eval' },
  pass: { path: fixture('pass.js') },
  fail: { path: fixture('fail.js') },
  install: 'nothing: node runs the tests',
  requireEngine: false,
};

const cases = await engineConformanceCases(SUITE);

describe('engine conformance suite, on a minimal adapter whose engine is a node script', () => {
  for (const c of cases) it.skipIf(c.skip !== undefined)(c.name, c.run);
});

/** Runs one case and returns what it threw, or `undefined` when it passed. */
async function outcomeOf(suite: ConformanceSuite, id: ConformanceCase['id']): Promise<string | undefined> {
  const found = (await engineConformanceCases(suite)).find((c) => c.id === id);
  if (found === undefined) throw new Error(`no case ${id}`);
  try {
    await found.run();
    return undefined;
  } catch (thrown) {
    return thrown instanceof Error ? thrown.message : String(thrown);
  }
}

/** The good adapter with one method replaced. */
function broken(overrides: Partial<EngineAdapter>): () => EngineAdapter {
  return () => ({ ...createNodeScriptAdapter(), ...overrides });
}

describe('engine conformance suite, holding adapters to the contract', () => {
  it('runs every case the issue lists', () => {
    expect(cases.map((c) => c.id)).toEqual([
      'available',
      'rejects-other-engine',
      'missing-policy',
      'missing-artifact',
      'pass',
      'fail',
      'deterministic',
      'timeout',
      'aborted',
      'missing-binary',
    ]);
    expect(cases.filter((c) => c.skip !== undefined)).toEqual([]);
  });

  it('fails an adapter that accepts a binding for another engine', async () => {
    const good = createNodeScriptAdapter();
    const lax: EngineAdapter['evaluate'] = (artifact, binding, options) =>
      good.evaluate(artifact, { ...binding, engine: 'node-script' }, options);
    expect(await outcomeOf({ ...SUITE, create: broken({ evaluate: lax }) }, 'rejects-other-engine')).toMatch(
      /expected error INVALID_BINDING, got pass/,
    );
  });

  it('fails an adapter whose evaluate rejects', async () => {
    const throwing = broken({ evaluate: () => Promise.reject(new Error('kaboom')) });
    expect(await outcomeOf({ ...SUITE, create: throwing }, 'fail')).toMatch(/evaluate rejected, which it must never do: Error: kaboom/);
  });

  it('fails an adapter whose verdicts differ between runs', async () => {
    let run = 0;
    const good = createNodeScriptAdapter();
    const drifting: EngineAdapter['evaluate'] = async (artifact, binding, options) => {
      const verdict = await good.evaluate(artifact, binding, options);
      run += 1;
      if (verdict.verdict !== 'fail') return verdict;
      return { ...verdict, violations: verdict.violations.map((v) => ({ ...v, message: `${v.message} (run ${run})` })) };
    };
    expect(await outcomeOf({ ...SUITE, create: broken({ evaluate: drifting }) }, 'deterministic')).toMatch(
      /two runs on the same artifact differ/,
    );
  });

  it('fails an adapter whose verdict breaks the tag: an error without why, or a pass with an error or violations', async () => {
    const good = createNodeScriptAdapter();
    // A JavaScript adapter is not held to the tagged union by the compiler; the suite holds it instead.
    const untagged =
      (change: (verdict: EngineVerdict) => object): EngineAdapter['evaluate'] =>
      async (artifact, binding, options) =>
        change(await good.evaluate(artifact, binding, options)) as EngineVerdict;
    const silentError = untagged((verdict) => ({ ...verdict, verdict: 'error', error: undefined }));
    expect(await outcomeOf({ ...SUITE, create: broken({ evaluate: silentError }) }, 'pass')).toMatch(
      /an error verdict has an error with a code and a message/,
    );
    const passWithError = untagged((verdict) => ({ ...verdict, error: { code: 'ENGINE_FAILED', message: 'x' } }));
    expect(await outcomeOf({ ...SUITE, create: broken({ evaluate: passWithError }) }, 'pass')).toMatch(/a pass verdict carries no error/);
    const passWithViolations = untagged((verdict) => ({ ...verdict, verdict: 'pass' }));
    expect(await outcomeOf({ ...SUITE, create: broken({ evaluate: passWithViolations }) }, 'fail')).toMatch(
      /a pass verdict has no violations/,
    );
  });

  it('fails an adapter that ignores the time limit', async () => {
    const good = createNodeScriptAdapter();
    const patient: EngineAdapter['evaluate'] = (artifact, binding) => good.evaluate(artifact, binding);
    expect(await outcomeOf({ ...SUITE, create: broken({ evaluate: patient }) }, 'timeout')).toMatch(/expected error TIMEOUT, got fail/);
  });

  it('fails an adapter that claims to be available without its engine', async () => {
    const boastful = broken({ available: () => Promise.resolve({ ok: true, version: '1.0' }) });
    expect(await outcomeOf({ ...SUITE, createWithMissingEngine: boastful }, 'missing-binary')).toMatch(
      /available\(\) is ok without the engine/,
    );
  });

  describe('when the engine is missing', () => {
    const missing: ConformanceSuite = { ...SUITE, create: () => createNodeScriptAdapter('tierguard-no-such-node') };

    it('skips the cases that need it, saying what to install', async () => {
      const skipped = (await engineConformanceCases(missing)).filter((c) => c.skip !== undefined);
      expect(skipped.map((c) => c.id)).toEqual(['available', 'pass', 'fail', 'deterministic', 'timeout']);
      expect(skipped[0]?.skip).toBe(
        'node-script is not available: tierguard-no-such-node was not found (is it installed and on PATH?). To run these tests: nothing: node runs the tests',
      );
    });

    it('fails them instead when the engine is required', async () => {
      expect(await outcomeOf({ ...missing, requireEngine: true }, 'pass')).toMatch(
        /^node-script is not available: .* \(required because TIERGUARD_REQUIRE_ENGINES=1\)$/,
      );
    });
  });

  it('skips a listed exception with its reason', async () => {
    const found = await engineConformanceCases({ ...SUITE, exceptions: { timeout: 'evaluates in-process in microseconds' } });
    expect(found.find((c) => c.id === 'timeout')?.skip).toBe('known exception: evaluates in-process in microseconds');
  });
});
