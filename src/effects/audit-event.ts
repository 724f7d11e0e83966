import { actionDigest } from './action-digest.js';
import { auditValue, auditViolation, redactionFor } from './redact-violations.js';
import { copyEvaluationError, projectDecision } from '../decision-projection.js';
import type { AuditEvent, Decision, Phase, Rewrite, TierTimings } from '../types.js';

/** What the engine knows about a decision besides the decision itself. */
export interface AuditFacts {
  /** `request` for `evaluate` and `evaluateAuto`, `response` for `evaluateResponse`. */
  readonly phase: Phase;
  /** The action's tool, or `null` when the action was refused before it could be read. */
  readonly tool: string | null;
  /** The action's `kind`, when it is an own string property. */
  readonly kind?: string;
  /** Time spent per tier, in milliseconds. */
  readonly durationMs: TierTimings;
  /** When the decision was made. */
  readonly time: Date;
  /** Labels the caller passed with the evaluation. */
  readonly labels?: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * The audit record of one decision: plain JSON data (it survives
 * `JSON.parse(JSON.stringify(event))` unchanged), with violation values rendered
 * bounded and JSON-safe and redacted where a rewrite masked, removed or replaced
 * them (and, when a value a proposed rewrite hid cannot be read whole, with
 * every violation value and message and the digest withheld). `policyIds` lists
 * each policy once, in the order first named by violations, warnings, wouldDeny,
 * wouldEscalate, rewrites, then errors.
 * Never throws.
 */
export function buildAuditEvent(decision: Decision, facts: AuditFacts): AuditEvent {
  const redaction = redactionFor(decision);
  const { verdict, outcome, ...findings } = projectDecision(decision, {
    violation: (violation) => auditViolation(violation, redaction),
    error: copyEvaluationError,
    rewrite: copyRewrite,
  });
  return {
    time: isoTime(facts.time),
    phase: facts.phase,
    tool: facts.tool,
    ...(typeof facts.kind === 'string' ? { kind: facts.kind } : {}),
    // The digest covers the action, hidden values included; when they could not all be found, it is withheld too.
    actionDigest: redaction.complete ? actionDigest(decision.action) : null,
    verdict,
    outcome,
    policyIds: policyIdsOf(decision),
    // violations, warnings, wouldDeny, wouldEscalate, escalatedBy, errors, rewrites, policyVersion.
    ...findings,
    durationMs: {
      auto: milliseconds(facts.durationMs.auto),
      formal: milliseconds(facts.durationMs.formal),
      total: milliseconds(facts.durationMs.total),
    },
    ...(facts.labels === undefined ? {} : { labels: copyLabels(facts.labels) }),
  };
}

/**
 * Decision order rather than policy order: the decision does not carry the
 * policy set's order, and each list is already in policy order within itself.
 */
function policyIdsOf(decision: Decision): string[] {
  const ids = new Set<string>();
  for (const list of [decision.violations, decision.warnings, decision.wouldDeny, decision.wouldEscalate, decision.rewrites]) {
    for (const { policyId } of list) ids.add(policyId);
  }
  for (const { policyId } of decision.errors) if (policyId !== undefined) ids.add(policyId);
  return [...ids];
}

/**
 * A rewrite as an audit event lists it: copied field by field, so nothing a
 * later version adds to the type reaches the log unreviewed, its value (the
 * policy's constant) rendered JSON-safe.
 */
export function copyRewrite(rewrite: Rewrite): Rewrite {
  // `value` is the policy's constant, never the value replaced; rendered anyway so the event stays JSON.
  const value = rewrite.value === undefined ? undefined : auditValue(rewrite.value);
  return {
    policyId: rewrite.policyId,
    op: rewrite.op,
    path: [...rewrite.path],
    ...(value === undefined ? {} : { value }),
    applied: rewrite.applied,
  };
}

/** Microsecond precision is all a timer is worth in a log; NaN or a negative time would not round-trip or mean anything. */
function milliseconds(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.round(value * 1_000) / 1_000) : 0;
}

// Many decisions are made in the same millisecond: the last one's ISO text is kept.
let lastMs = Number.NaN;
let lastIso = '';

/** An invalid Date cannot be written as ISO 8601; the time of writing stands in rather than a throw. */
function isoTime(time: Date): string {
  try {
    const ms = time.getTime();
    // NaN (an invalid Date) is never equal, so it always reaches toISOString and its throw.
    if (ms === lastMs) return lastIso;
    const iso = time.toISOString();
    lastMs = ms;
    lastIso = iso;
    return iso;
  } catch {
    return new Date().toISOString();
  }
}

type Label = string | number | boolean | null;

/** Labels come from the caller's code; a JavaScript caller may still pass a value JSON cannot hold. */
function copyLabels(labels: Readonly<Record<string, Label>>): Record<string, Label> {
  const copy: Record<string, Label> = {};
  let keys: string[];
  try {
    keys = Object.keys(labels);
  } catch {
    return copy;
  }
  for (const key of keys) {
    let value: unknown;
    try {
      value = labels[key];
    } catch {
      value = '<unreadable>';
    }
    const safe = auditValue(value);
    if (safe === undefined) continue;
    const label: Label = typeof safe === 'object' && safe !== null ? (Array.isArray(safe) ? '<array>' : '<object>') : safe;
    if (key === '__proto__') Object.defineProperty(copy, key, { value: label, enumerable: true, writable: true, configurable: true });
    else copy[key] = label;
  }
  return copy;
}
