import assert from 'node:assert/strict';
import { basename, dirname, join } from 'node:path';
import type { Violation } from '../../types.js';
import type { Artifact, EngineAdapter, EngineBinding, EngineErrorCode, EngineVerdict } from '../types.js';

/** The cases every adapter must pass, by id. */
export type ConformanceCaseId =
  | 'available'
  | 'rejects-other-engine'
  | 'missing-policy'
  | 'missing-artifact'
  | 'pass'
  | 'fail'
  | 'deterministic'
  | 'timeout'
  | 'aborted'
  | 'missing-binary';

/** What the suite runs an adapter against. */
export interface ConformanceSuite {
  /** Makes the adapter under test, as a user would configure it. */
  readonly create: () => EngineAdapter;
  /** Makes the same adapter pointed at an engine binary that does not exist. */
  readonly createWithMissingEngine: () => EngineAdapter;
  /** A binding for the adapter whose policy exists. */
  readonly binding: EngineBinding;
  /** An artifact the policy passes. */
  readonly pass: Artifact;
  /** An artifact the policy fails. */
  readonly fail: Artifact;
  /** What to install when the engine is missing, for the skip message (e.g. `pip install semgrep==1.180.0`). */
  readonly install: string;
  /**
   * Fail instead of skipping when the engine is not available; default: true
   * when the environment variable `TIERGUARD_REQUIRE_ENGINES` is `1`, as in CI.
   */
  readonly requireEngine?: boolean;
  /** Cases this adapter is known not to pass, each with the reason (an in-process engine cannot time out). */
  readonly exceptions?: Partial<Readonly<Record<ConformanceCaseId, string>>>;
  /** A time limit no real run of the engine can meet, for the timeout case; default 1 ms. */
  readonly impossibleTimeoutMs?: number;
}

/** One case: run it with any test runner; it throws (an `AssertionError`) when the adapter falls short. */
export interface ConformanceCase {
  /** Stable id, for `exceptions`. */
  readonly id: ConformanceCaseId;
  /** What the case checks, as a test name. */
  readonly name: string;
  /** Why the case is skipped: the engine is missing, or the adapter lists it as an exception. */
  readonly skip?: string;
  /** Runs the case. */
  readonly run: () => Promise<void>;
}

/**
 * The engine adapter conformance suite, as plain cases any test runner can run,
 * so a third-party adapter can be held to the same contract:
 *
 * ```ts
 * const cases = await engineConformanceCases({ create, createWithMissingEngine, binding, pass, fail, install });
 * describe('my adapter', () => {
 *   for (const c of cases) it.skipIf(c.skip !== undefined)(c.skip === undefined ? c.name : `${c.name} (skipped: ${c.skip})`, c.run);
 * });
 * ```
 *
 * It asks the engine whether it is available first: when it is not, every case
 * that needs it is skipped with a message saying what to install, or, when the
 * engine is required (`TIERGUARD_REQUIRE_ENGINES=1`), fails with that message.
 */
export async function engineConformanceCases(suite: ConformanceSuite): Promise<readonly ConformanceCase[]> {
  const requireEngine = suite.requireEngine ?? process.env['TIERGUARD_REQUIRE_ENGINES'] === '1';
  const probe = suite.create();
  const availability = await probe.available();
  const missing = availability.ok
    ? undefined
    : `${probe.name} is not available: ${availability.reason ?? 'no reason given'}. To run these tests: ${suite.install}`;

  const cases: [ConformanceCaseId, string, boolean, () => Promise<void>][] = [
    ['available', 'available() finds the engine and reports its version', true, () => checkAvailable(suite)],
    ['rejects-other-engine', 'a binding for another engine is an INVALID_BINDING error', false, () => checkOtherEngine(suite)],
    ['missing-policy', 'a missing policy file is a POLICY_NOT_FOUND error', false, () => checkMissingPolicy(suite)],
    ['missing-artifact', 'a missing artifact file is an INVALID_ARTIFACT error', false, () => checkMissingArtifact(suite)],
    ['pass', 'the pass fixture passes', true, () => checkPass(suite)],
    ['fail', 'the fail fixture fails with at least one engine violation', true, () => checkFail(suite)],
    ['deterministic', 'two runs give identical verdicts', true, () => checkDeterministic(suite)],
    ['timeout', 'a run past its time limit is a TIMEOUT error', true, () => checkTimeout(suite)],
    ['aborted', 'an aborted run is an ABORTED error', false, () => checkAborted(suite)],
    [
      'missing-binary',
      'a missing binary: available() is not ok, and evaluate is an ENGINE_UNAVAILABLE error',
      false,
      () => checkMissingBinary(suite),
    ],
  ];

  return cases.map(([id, name, needsEngine, check]) => {
    const exception = suite.exceptions?.[id];
    if (exception !== undefined) return { id, name, skip: `known exception: ${exception}`, run: check };
    if (needsEngine && missing !== undefined) {
      if (!requireEngine) return { id, name, skip: missing, run: check };
      return {
        id,
        name,
        run: () => Promise.reject(new assert.AssertionError({ message: `${missing} (required because TIERGUARD_REQUIRE_ENGINES=1)` })),
      };
    }
    return { id, name, run: check };
  });
}

async function checkAvailable(suite: ConformanceSuite): Promise<void> {
  const availability = await suite.create().available();
  assert.equal(availability.ok, true, `available() is not ok: ${availability.reason ?? ''}`);
  assert.equal(typeof availability.version, 'string', 'available() gives no version');
  assert.ok((availability.version ?? '').length > 0, 'available() gives an empty version');
}

async function checkOtherEngine(suite: ConformanceSuite): Promise<void> {
  const adapter = suite.create();
  const other = adapter.name === 'tierguard-conformance-other' ? 'tierguard-conformance-another' : 'tierguard-conformance-other';
  const verdict = await evaluate(adapter, suite.pass, { ...suite.binding, engine: other });
  expectError(verdict, adapter, 'INVALID_BINDING');
}

async function checkMissingPolicy(suite: ConformanceSuite): Promise<void> {
  const adapter = suite.create();
  const policy = join(dirname(suite.binding.policy), `tierguard-missing-${basename(suite.binding.policy)}`);
  const verdict = await evaluate(adapter, suite.pass, { ...suite.binding, policy });
  expectError(verdict, adapter, 'POLICY_NOT_FOUND');
  assert.equal(verdict.policy, policy, 'the verdict names the binding policy');
}

async function checkMissingArtifact(suite: ConformanceSuite): Promise<void> {
  const adapter = suite.create();
  const verdict = await evaluate(adapter, { path: join(dirname(suite.binding.policy), 'tierguard-missing-artifact.json') }, suite.binding);
  expectError(verdict, adapter, 'INVALID_ARTIFACT');
}

async function checkPass(suite: ConformanceSuite): Promise<void> {
  const adapter = suite.create();
  const verdict = await evaluate(adapter, suite.pass, suite.binding);
  expectShape(verdict, adapter, suite.binding);
  assert.deepEqual(withoutDuration(verdict), { verdict: 'pass', engine: adapter.name, policy: suite.binding.policy, violations: [] });
}

async function checkFail(suite: ConformanceSuite): Promise<void> {
  const adapter = suite.create();
  const verdict = await evaluate(adapter, suite.fail, suite.binding);
  expectShape(verdict, adapter, suite.binding);
  assert.equal(verdict.verdict, 'fail', `expected fail, got ${describe(verdict)}`);
  assert.equal(verdict.error, undefined, 'a fail verdict carries no error');
  assert.ok(verdict.violations.length > 0, 'a fail verdict has at least one violation');
  for (const violation of verdict.violations) expectViolation(violation, suite.binding);
}

async function checkDeterministic(suite: ConformanceSuite): Promise<void> {
  const adapter = suite.create();
  for (const artifact of [suite.fail, suite.pass]) {
    const first = await evaluate(adapter, artifact, suite.binding);
    // A second adapter instance too: nothing may depend on state kept between calls.
    const second = await evaluate(suite.create(), artifact, suite.binding);
    assert.deepEqual(withoutDuration(second), withoutDuration(first), 'two runs on the same artifact differ');
    assert.notEqual(first.verdict, 'error', `expected a verdict, got ${describe(first)}`);
  }
}

async function checkTimeout(suite: ConformanceSuite): Promise<void> {
  const adapter = suite.create();
  const verdict = await evaluate(adapter, suite.fail, suite.binding, { timeoutMs: suite.impossibleTimeoutMs ?? 1 });
  expectError(verdict, adapter, 'TIMEOUT');
}

async function checkAborted(suite: ConformanceSuite): Promise<void> {
  const adapter = suite.create();
  const verdict = await evaluate(adapter, suite.fail, suite.binding, { signal: AbortSignal.abort() });
  expectError(verdict, adapter, 'ABORTED');
}

async function checkMissingBinary(suite: ConformanceSuite): Promise<void> {
  const adapter = suite.createWithMissingEngine();
  const availability = await adapter.available();
  assert.equal(availability.ok, false, 'available() is ok without the engine');
  assert.ok(typeof availability.reason === 'string' && availability.reason.length > 0, 'available() says why the engine is not available');
  const verdict = await evaluate(adapter, suite.fail, suite.binding);
  expectError(verdict, adapter, 'ENGINE_UNAVAILABLE');
}

/** Calls evaluate and fails the case if it rejects, which the contract forbids. */
async function evaluate(
  adapter: EngineAdapter,
  artifact: Artifact,
  binding: EngineBinding,
  options?: Parameters<EngineAdapter['evaluate']>[2],
): Promise<EngineVerdict> {
  let verdict: EngineVerdict;
  try {
    verdict = await adapter.evaluate(artifact, binding, options);
  } catch (thrown) {
    throw new assert.AssertionError({ message: `evaluate rejected, which it must never do: ${String(thrown)}` });
  }
  expectTagged(verdict);
  return verdict;
}

/**
 * The tag tells the rest: `error` exactly on an `error` verdict, violations only
 * on `fail`. An adapter in plain JavaScript is not held to that by the compiler,
 * so it is checked here, before any case reads a field the tag promises.
 */
function expectTagged(verdict: EngineVerdict): void {
  const { verdict: tag, violations, error } = verdict as unknown as Record<string, unknown>;
  assert.ok(tag === 'pass' || tag === 'fail' || tag === 'error', `verdict must be pass, fail or error, got ${String(tag)}`);
  assert.ok(Array.isArray(violations), 'violations is an array');
  if (tag === 'error') {
    const { code, message } = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
    assert.ok(typeof code === 'string' && typeof message === 'string', 'an error verdict has an error with a code and a message');
  } else {
    assert.equal(error, undefined, `a ${tag} verdict carries no error`);
  }
  if (tag !== 'fail') assert.equal(violations.length, 0, `a ${tag} verdict has no violations`);
}

function expectShape(verdict: EngineVerdict, adapter: EngineAdapter, binding: EngineBinding): void {
  assert.equal(verdict.engine, adapter.name, 'the verdict names the adapter');
  assert.equal(verdict.policy, binding.policy, 'the verdict names the binding policy');
  assert.ok(Number.isFinite(verdict.durationMs) && verdict.durationMs >= 0, 'durationMs is a non-negative number');
}

function expectError(verdict: EngineVerdict, adapter: EngineAdapter, code: EngineErrorCode): void {
  assert.equal(verdict.engine, adapter.name, 'the verdict names the adapter');
  assert.ok(verdict.verdict === 'error', `expected error ${code}, got ${describe(verdict)}`);
  assert.equal(verdict.error.code, code, `expected error ${code}, got ${describe(verdict)}`);
  assert.ok(verdict.error.message.length > 0, 'the error says why');
  assert.deepEqual(verdict.violations, [], 'an error verdict has no violations');
}

function expectViolation(violation: Violation, binding: EngineBinding): void {
  assert.equal(violation.tier, 'engine', 'violations are of the engine tier');
  assert.equal(violation.policyId, binding.policyId, "violations name the binding's policy");
  assert.ok(typeof violation.constraint === 'string' && violation.constraint.length > 0, 'violations name the engine rule');
  assert.ok(typeof violation.message === 'string' && violation.message.length > 0, 'violations have a message');
  assert.ok(Array.isArray(violation.path), 'violations have a path');
  assert.ok(['deny', 'escalate', 'warn'].includes(violation.effect), `unknown effect ${violation.effect}`);
  assert.ok(['violation', 'warning', 'info'].includes(violation.severity), `unknown severity ${violation.severity}`);
}

/** Everything but the wall time, which is the one field allowed to differ between identical runs. */
function withoutDuration(verdict: EngineVerdict): Omit<EngineVerdict, 'durationMs'> {
  return Object.fromEntries(Object.entries(verdict).filter(([key]) => key !== 'durationMs')) as Omit<EngineVerdict, 'durationMs'>;
}

function describe(verdict: EngineVerdict): string {
  return verdict.verdict === 'error'
    ? `error ${verdict.error.code}: ${verdict.error.message}`
    : `${verdict.verdict} with ${verdict.violations.length} violation(s)`;
}
