import type { Effect, FindingLevel, Severity, Violation } from '../types.js';

/** Every {@link FindingLevel}, highest first: the values `blockOn` may take. */
export const FINDING_LEVELS: readonly FindingLevel[] = ['error', 'warning', 'note'];

/** What `blockOn` is when a binding does not say: only error-level findings block, as before `blockOn` existed. */
export const DEFAULT_BLOCK_ON: FindingLevel = 'error';

const LEVEL_RANK: Readonly<Record<FindingLevel, number>> = { note: 1, warning: 2, error: 3 };

// Every adapter already speaks in severities (SARIF error → violation, warning → warning,
// note → info; Conftest failures → violation, warnings → warning), so the level is read back
// from the severity and no adapter needs to know `blockOn`.
const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 1, warning: 2, violation: 3 };

/** Whether level `level` is below `floor`: `note` is below `warning`, which is below `error`. */
export function isBelow(level: FindingLevel, floor: FindingLevel): boolean {
  return LEVEL_RANK[level] < LEVEL_RANK[floor];
}

/**
 * Applies a binding's `blockOn` to one finding of a policy whose effect is
 * `policyEffect`. A finding the engine reported below the error level is a
 * `warn` finding (it never blocks); when its level (read from its severity) is
 * at or above `blockOn`, it takes the policy's effect and severity
 * `violation` instead, so it blocks as an error-level finding does. Nothing is
 * ever demoted: a finding that already blocks keeps blocking, which makes the
 * default `error` change nothing. A `warn` policy's findings never block.
 */
export function applyBlockOn(violation: Violation, blockOn: FindingLevel, policyEffect: Effect): Violation {
  if (policyEffect === 'warn' || violation.effect !== 'warn') return violation;
  if (SEVERITY_RANK[violation.severity] < LEVEL_RANK[blockOn]) return violation;
  return { ...violation, effect: policyEffect, severity: 'violation' };
}
