import { performance } from 'node:perf_hooks';
import { describeThrown } from '../describe-thrown.js';
import { timerDelay } from '../engines/process/timer-delay.js';
import type {
  Artifact,
  EngineAdapter,
  EngineError,
  EngineErrorCode,
  EngineErrorVerdict,
  EngineEvaluateOptions,
  EngineVerdict,
} from '../engines/types.js';
import type { Effect, PathSegment, Severity, ValidationOutcome, Violation } from '../types.js';
import { DEFAULT_ENGINE_LIMITS } from '../limits.js';
import { applyBlockOn } from './block-on.js';
import type { ResolvedBinding } from './compile-enforcement.js';

const VERDICTS: ReadonlySet<unknown> = new Set<ValidationOutcome>(['pass', 'fail', 'error']);
const EFFECTS: ReadonlySet<unknown> = new Set(['deny', 'escalate', 'warn']);
const SEVERITIES: ReadonlySet<unknown> = new Set(['violation', 'warning', 'info']);
const ERROR_CODES: ReadonlySet<unknown> = new Set<EngineErrorCode>([
  'INVALID_BINDING',
  'INVALID_ARTIFACT',
  'POLICY_NOT_FOUND',
  'ENGINE_UNAVAILABLE',
  'TIMEOUT',
  'ABORTED',
  'LIMIT_EXCEEDED',
  'ENGINE_FAILED',
  'INVALID_OUTPUT',
]);

/**
 * How long past its own time limit an adapter may take before it is given up on:
 * it should have killed the engine by then, a daemon given `killGraceMs` to
 * go included, with seconds to spare for removing its files.
 */
const GRACE_MS = DEFAULT_ENGINE_LIMITS.killGraceMs + 3_000;

/** What one binding run needs besides the binding. */
export interface BindingRun {
  /** The adapter, or why none could be had (a default adapter that failed to load). */
  readonly adapter: EngineAdapter | { readonly unavailable: string };
  /** The artifact, already checked and copied. */
  readonly artifact: Artifact;
  /** Passed to the adapter. */
  readonly options: EngineEvaluateOptions;
  /** When to give up on an adapter that never answers, in milliseconds. */
  readonly deadlineMs: number;
}

/**
 * Runs one binding and returns a verdict that keeps the adapter contract,
 * whatever the adapter did: one that throws, rejects, never answers or returns
 * something malformed yields an `error` verdict saying so. The verdict is
 * rebuilt field by field: `engine` is the adapter's name, `policy` the path as
 * the definition wrote it, and each violation names the binding's policy and
 * tier `engine`, so an adapter cannot speak for another policy; the binding's
 * `blockOn` then decides which findings block (see `applyBlockOn`). The adapter
 * gets a signal of its own, aborted with the caller's and when the deadline
 * passes, so an adapter given up on is still told to kill what it started.
 */
export async function runBinding(resolved: ResolvedBinding, run: BindingRun): Promise<EngineVerdict> {
  const started = performance.now();
  const engine = resolved.binding.engine;
  const fail = (code: EngineErrorCode, message: string): EngineErrorVerdict => ({
    verdict: 'error',
    engine,
    policy: resolved.given,
    violations: [],
    error: { code, message },
    durationMs: performance.now() - started,
  });
  if ('unavailable' in run.adapter) return fail('ENGINE_UNAVAILABLE', run.adapter.unavailable);
  const adapter = run.adapter;
  const stopAdapter = new AbortController();
  const callerSignal = run.options.signal;
  const onCallerAbort = (): void => stopAdapter.abort(callerSignal?.reason);
  if (callerSignal?.aborted === true) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  let raw: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    const options: EngineEvaluateOptions = { ...run.options, signal: stopAdapter.signal };
    const answer = Promise.resolve().then(() => adapter.evaluate(run.artifact, resolved.binding, options));
    const deadline = new Promise<'deadline'>((settle) => {
      timer = setTimeout(() => settle('deadline'), timerDelay(run.deadlineMs));
      timer.unref();
    });
    raw = await Promise.race([answer, deadline]);
    if (raw === 'deadline') {
      // The adapter may still settle later; a rejection then must not go unhandled.
      answer.catch(() => undefined);
      // Given up on, it must still not leave its engine running.
      stopAdapter.abort();
      return fail('TIMEOUT', `the ${engine} adapter did not answer within ${run.deadlineMs} ms`);
    }
  } catch (error) {
    return fail('ENGINE_FAILED', `the ${engine} adapter threw instead of answering: ${describeThrown(error)}`);
  } finally {
    clearTimeout(timer);
    // A long-lived caller signal must not collect a listener per binding run.
    callerSignal?.removeEventListener('abort', onCallerAbort);
  }
  try {
    return checkedVerdict(raw, resolved, engine, performance.now() - started);
  } catch (error) {
    const reason = error instanceof MalformedVerdict ? error.message : `it cannot be read: ${describeThrown(error)}`;
    return fail('INVALID_OUTPUT', `the ${engine} adapter returned a malformed verdict: ${reason}`);
  }
}

/** The adapter's own deadline plus grace: the time after which `runBinding` stops waiting. */
export function deadlineFor(timeoutMs: number): number {
  return timeoutMs + GRACE_MS;
}

class MalformedVerdict extends Error {}

function checkedVerdict(raw: unknown, resolved: ResolvedBinding, engine: string, measured: number): EngineVerdict {
  if (typeof raw !== 'object' || raw === null) throw new MalformedVerdict('not an object');
  const { verdict, violations, error, durationMs } = raw as Record<string, unknown>;
  if (!VERDICTS.has(verdict)) throw new MalformedVerdict(`verdict ${describe(verdict)} is not pass, fail or error`);
  if (!Array.isArray(violations)) throw new MalformedVerdict('violations is not an array');
  const base = {
    engine,
    policy: resolved.given,
    durationMs: typeof durationMs === 'number' && Number.isFinite(durationMs) ? durationMs : measured,
  };
  if (verdict === 'error') {
    return { verdict: 'error', ...base, violations: [], error: checkedError(error, engine) };
  }
  const copied = violations.map((violation: unknown, index) => checkedViolation(violation, index, resolved));
  if (verdict === 'fail') {
    if (copied.length === 0) throw new MalformedVerdict('fail with no violation');
    return { verdict: 'fail', ...base, violations: copied };
  }
  if (copied.length > 0) throw new MalformedVerdict(`pass with ${copied.length} violations`);
  return { verdict: 'pass', ...base, violations: [] };
}

function checkedError(error: unknown, engine: string): EngineError {
  const { code, message } = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  return {
    code: ERROR_CODES.has(code) ? (code as EngineErrorCode) : 'ENGINE_FAILED',
    message: typeof message === 'string' && message.length > 0 ? message : `the ${engine} adapter answered error without saying why`,
  };
}

function checkedViolation(violation: unknown, index: number, resolved: ResolvedBinding): Violation {
  if (typeof violation !== 'object' || violation === null) throw new MalformedVerdict(`violation ${index} is not an object`);
  const { constraint, path, message, expected, actual, effect, severity } = violation as Record<string, unknown>;
  if (typeof message !== 'string') throw new MalformedVerdict(`violation ${index} has no message`);
  if (path !== undefined && !(Array.isArray(path) && path.every(isSegment))) {
    throw new MalformedVerdict(`violation ${index} has a path that is not a list of keys and indices`);
  }
  const policyEffect: Effect = resolved.binding.effect ?? 'deny';
  const effective = EFFECTS.has(effect) ? (effect as Effect) : policyEffect;
  const copied: Violation = {
    policyId: resolved.binding.policyId,
    tier: 'engine',
    constraint: typeof constraint === 'string' && constraint.length > 0 ? constraint : resolved.binding.engine,
    path: path === undefined ? [] : [...path],
    message,
    ...(expected === undefined ? {} : { expected }),
    ...(actual === undefined ? {} : { actual }),
    effect: effective,
    severity: severityOf(severity, effective),
  };
  // After the copy, so the rule sees the corrected severity and no adapter can answer for it.
  return applyBlockOn(copied, resolved.blockOn, policyEffect);
}

// A `warn` violation is never of severity `violation` (the Violation contract); an adapter that says so is corrected, not trusted.
function severityOf(severity: unknown, effect: Effect): Severity {
  if (!SEVERITIES.has(severity)) return effect === 'warn' ? 'warning' : 'violation';
  return effect === 'warn' && severity === 'violation' ? 'warning' : (severity as Severity);
}

function isSegment(segment: unknown): segment is PathSegment {
  return typeof segment === 'string' || (typeof segment === 'number' && Number.isInteger(segment));
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
