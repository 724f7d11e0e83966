import type { Decided } from './action-pipeline.js';
import { buildAuditEvent } from './effects/audit-event.js';
import { describeThrown } from './describe-thrown.js';
import { TierguardError } from './errors.js';
import type { Action, AuditEvent, Decision, Phase } from './types.js';

/** Labels a caller passes with one evaluation, copied into its audit event. */
export type AuditLabels = Readonly<Record<string, string | number | boolean | null>>;

/**
 * Emits one audit event per decision to the engine's `onDecision`, before the
 * decision is handed out. The engine makes one only when someone listens, so
 * an engine without `onDecision` takes no timings and builds no events.
 */
export class DecisionAudit {
  constructor(private readonly onDecision: (event: AuditEvent) => void) {}

  /**
   * Audits the decision of an action evaluated since `started` (a
   * `performance.now()` reading), and returns the decision.
   *
   * @throws {TierguardError} `AUDIT_FAILED` when `onDecision` throws: a decision that cannot be audited is not handed out.
   */
  action(decided: Decided, phase: Phase, started: number, labels: AuditLabels | undefined): Decision {
    const total = performance.now() - started;
    this.emit(
      buildAuditEvent(decided.decision, {
        phase,
        tool: decided.tool,
        ...kindOf(decided.decision.action),
        durationMs: { auto: Math.max(0, total - decided.formalMs), formal: decided.formalMs, total },
        time: new Date(),
        ...(labels === undefined ? {} : { labels }),
      }),
    );
    return decided.decision;
  }

  /**
   * Audits an artifact's decision: engine time is all of it, as neither action tier runs.
   *
   * @throws {TierguardError} `AUDIT_FAILED` when `onDecision` throws.
   */
  artifact(decision: Decision, tool: string, total: number, labels: AuditLabels | undefined): void {
    this.emit(
      buildAuditEvent(decision, {
        phase: 'request',
        tool,
        kind: 'artifact',
        durationMs: { auto: 0, formal: 0, total },
        time: new Date(),
        ...(labels === undefined ? {} : { labels }),
      }),
    );
  }

  private emit(event: AuditEvent): void {
    // Called as a plain function, never as a method of this wrapper.
    const onDecision = this.onDecision;
    try {
      onDecision(event);
    } catch (error) {
      throw new TierguardError(
        'AUDIT_FAILED',
        `onDecision threw, so the decision is withheld: ${describeThrown(error)}`,
        {},
        { cause: error },
      );
    }
  }
}

/** The action's `kind`, for the audit event, when it is an own string property. */
function kindOf(action: Action): { kind?: string } {
  try {
    const kind = typeof action === 'object' && action !== null && Object.hasOwn(action, 'kind') ? action.kind : undefined;
    return typeof kind === 'string' ? { kind } : {};
  } catch {
    return {};
  }
}
