import type { AuditEvent } from '../../types.js';

/** One decision as the gateway's metrics see it. */
export interface DecisionObservation {
  /** The MCP method that was judged (the `method` label), or the action's kind when unlabelled. */
  readonly method: string;
  /** `request` or `response`. */
  readonly phase: AuditEvent['phase'];
  /** `allow`, `deny` or `escalate`. */
  readonly verdict: AuditEvent['verdict'];
  /** The verdict, or `would_deny` / `would_escalate` in monitor mode. */
  readonly outcome: AuditEvent['outcome'];
  /** Time the evaluation took, both tiers, in milliseconds. */
  readonly evalMs: number;
}

/**
 * An `onDecision` for an engine that reports each decision to `observe` (and to
 * `audit` first, when given): how a gateway's metrics see decisions. Pass it to
 * `createEngine` or `watchPolicies({ engine: { onDecision } })` when you build
 * the engine yourself. A throwing observer is ignored (metrics never withhold a
 * decision); a throwing `audit` throws, so the decision is withheld as the
 * engine does for any audit failure.
 */
export function decisionObserver(
  observe: (observation: DecisionObservation) => void,
  audit?: (event: AuditEvent) => void,
): (event: AuditEvent) => void {
  return (event) => {
    audit?.(event);
    const method = event.labels?.['method'];
    try {
      observe({
        method: typeof method === 'string' ? method : (event.kind ?? 'unknown'),
        phase: event.phase,
        verdict: event.verdict,
        outcome: event.outcome,
        evalMs: event.durationMs.total,
      });
    } catch {
      // Metrics are a view of the decisions, not a condition of them.
    }
  };
}
