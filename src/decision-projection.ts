import type { Decision, EvaluationError, Outcome, Rewrite, Verdict, Violation } from './types.js';

/** The lists of a {@link Decision} that hold violations. */
export type ViolationList = 'violations' | 'warnings' | 'wouldDeny' | 'wouldEscalate';

/** How one shape (the audit event, a report, a summary, a line of text) writes each kind of element a decision lists. */
export interface DecisionProjector<V, E, R> {
  /** One violation, knowing which list of the decision it is in. */
  readonly violation: (violation: Violation, list: ViolationList) => V;
  /** One evaluation error. */
  readonly error: (error: EvaluationError) => E;
  /** One rewrite, applied or proposed. */
  readonly rewrite: (rewrite: Rewrite) => R;
}

/**
 * What a decision says, with each element written by a {@link DecisionProjector}:
 * every field of a {@link Decision} but the action (which each shape treats its
 * own way: digested, shown only when rewritten, or left out), in the decision's
 * order. The lists are new arrays; the decision is never shared or mutated.
 */
export interface DecisionProjection<V, E, R> {
  readonly verdict: Verdict;
  readonly outcome: Outcome;
  readonly violations: V[];
  readonly warnings: V[];
  readonly wouldDeny: V[];
  readonly wouldEscalate: V[];
  readonly escalatedBy: string[];
  readonly errors: E[];
  readonly rewrites: R[];
  readonly policyVersion: string;
}

/**
 * The one place a decision is read field by field for the shapes made from it
 * (the audit event, the MCP report and refusal summary, the CLI text): a field
 * added to {@link Decision} is added here, and the type of the projector or of
 * the projection shows each shape where it has to decide what to do with it.
 * Keys come in the decision's order, so a shape that spreads the projection
 * keeps its JSON stable.
 */
export function projectDecision<V, E, R>(decision: Decision, projector: DecisionProjector<V, E, R>): DecisionProjection<V, E, R> {
  const violations = (list: ViolationList): V[] => decision[list].map((violation) => projector.violation(violation, list));
  return {
    verdict: decision.verdict,
    outcome: decision.outcome,
    violations: violations('violations'),
    warnings: violations('warnings'),
    wouldDeny: violations('wouldDeny'),
    wouldEscalate: violations('wouldEscalate'),
    escalatedBy: [...decision.escalatedBy],
    errors: decision.errors.map((error) => projector.error(error)),
    rewrites: decision.rewrites.map((rewrite) => projector.rewrite(rewrite)),
    policyVersion: decision.policyVersion,
  };
}

/**
 * An evaluation error copied field by field (code, message, then the policy
 * when there is one), so nothing a later version adds to the type reaches a
 * log or a client unreviewed.
 */
export function copyEvaluationError(error: EvaluationError): EvaluationError {
  return { code: error.code, message: error.message, ...(error.policyId === undefined ? {} : { policyId: error.policyId }) };
}
