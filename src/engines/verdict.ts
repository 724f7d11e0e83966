import { performance } from 'node:perf_hooks';
import type { Violation } from '../types.js';
import type { EngineBinding, EngineError, EngineErrorVerdict, EngineVerdict } from './types.js';

/** An `error` verdict: no violations, and why. `started` is a `performance.now()` reading. */
export function errorVerdict(engine: string, binding: EngineBinding, error: EngineError, started: number): EngineErrorVerdict {
  return { verdict: 'error', engine, policy: policyOf(binding), violations: [], error, durationMs: performance.now() - started };
}

/** `fail` with the violations, or `pass` when there are none. */
export function findingsVerdict(engine: string, binding: EngineBinding, violations: readonly Violation[], started: number): EngineVerdict {
  const fields = { engine, policy: policyOf(binding), durationMs: performance.now() - started };
  return violations.length > 0 ? { verdict: 'fail', ...fields, violations } : { verdict: 'pass', ...fields, violations: [] };
}

/** The binding's policy as given; a binding too broken to have one still gets a verdict. */
function policyOf(binding: EngineBinding): string {
  try {
    return typeof binding.policy === 'string' ? binding.policy : '';
  } catch {
    return '';
  }
}
