import type { Action, Decision, EvaluationError, OnError, Outcome, Rewrite, Verdict, Violation } from '../types.js';

const EMPTY: readonly never[] = Object.freeze([]);

/** What the engine knows about the policy set that a verdict depends on; fixed per engine. */
export interface VerdictRules {
  /** What an evaluation error does to an enforced decision. */
  readonly onError: Exclude<OnError, 'throw'>;
  /** Content hash of the policy set, carried by every decision. */
  readonly policyVersion: string;
  /**
   * True when the policy (or, for `undefined`, the action as a whole) is
   * monitored: its findings are reported and never block.
   */
  readonly isMonitored: (policyId: string | undefined) => boolean;
}

/** What the tiers found for one action. */
export interface Findings {
  /** Violations of every policy, enforced or monitored, in policy order. */
  readonly violations: readonly Violation[];
  /** Policies (or the action) that could not be evaluated. */
  readonly errors: readonly EvaluationError[];
  /** Rewrites applied or proposed, in the order they ran. */
  readonly rewrites: readonly Rewrite[];
  /** The action after the applied rewrites. */
  readonly action: Action;
}

/**
 * Folds what the policies found into one decision. `deny` outranks `escalate`;
 * `warn` violations go to `warnings` and never block; violations of monitored
 * policies go to `wouldDeny` / `wouldEscalate` and never block either. An
 * evaluation error of an enforced policy decides by `onError`: fail closed
 * (`deny`) unless the caller chose to fail open.
 */
export function decide(findings: Findings, rules: VerdictRules): Decision {
  const violations: Violation[] = [];
  const warnings: Violation[] = [];
  const wouldDeny: Violation[] = [];
  const wouldEscalate: Violation[] = [];
  const escalatedBy: string[] = [];
  let verdict: Verdict = 'allow';
  let monitoredError = false;
  for (const violation of findings.violations) {
    if (violation.effect === 'warn') {
      warnings.push(violation);
    } else if (rules.isMonitored(violation.policyId)) {
      (violation.effect === 'deny' ? wouldDeny : wouldEscalate).push(violation);
    } else if (violation.effect === 'deny') {
      violations.push(violation);
      verdict = 'deny';
    } else {
      violations.push(violation);
      if (!escalatedBy.includes(violation.policyId)) escalatedBy.push(violation.policyId);
      if (verdict === 'allow') verdict = 'escalate';
    }
  }
  for (const error of findings.errors) {
    if (rules.isMonitored(error.policyId)) monitoredError = true;
    else if (rules.onError === 'deny') verdict = 'deny';
  }
  // A monitored error counts as a would-be denial only where an enforced one would deny.
  const wouldBlock = wouldDeny.length > 0 || (monitoredError && rules.onError === 'deny');
  const outcome: Outcome =
    verdict !== 'allow' ? verdict : wouldBlock ? 'would_deny' : wouldEscalate.length > 0 ? 'would_escalate' : 'allow';
  return Object.freeze({
    verdict,
    outcome,
    violations: freezeList(violations),
    warnings: freezeList(warnings),
    wouldDeny: freezeList(wouldDeny),
    wouldEscalate: freezeList(wouldEscalate),
    escalatedBy: freezeList(escalatedBy),
    errors: freezeList(findings.errors),
    rewrites: freezeList(findings.rewrites),
    action: findings.action,
    policyVersion: rules.policyVersion,
  });
}

/** The decision for an action no policy objected to or rewrote. */
export function allowDecision(action: Action, policyVersion: string): Decision {
  return Object.freeze({
    verdict: 'allow',
    outcome: 'allow',
    violations: EMPTY,
    warnings: EMPTY,
    wouldDeny: EMPTY,
    wouldEscalate: EMPTY,
    escalatedBy: EMPTY,
    errors: EMPTY,
    rewrites: EMPTY,
    action,
    policyVersion,
  });
}

function freezeList<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? EMPTY : Object.freeze([...list]);
}
