import type { ViolationList } from '../decision-projection.js';
import type { Decision, EvaluationError, Rewrite, Violation } from '../types.js';

/** What a decision lists for one policy. */
export interface PolicyShare {
  /** Its findings, from every list of the decision (violations, wouldDeny, wouldEscalate, warnings), each list in its order. */
  readonly decided: readonly Violation[];
  /** The lists they are in. */
  readonly lists: ReadonlySet<ViolationList>;
  /** True when one of its enforced findings denies. */
  readonly denies: boolean;
  readonly errors: readonly EvaluationError[];
  readonly rewrites: readonly Rewrite[];
}

const NONE: PolicyShare = Object.freeze({ decided: [], lists: new Set<ViolationList>(), denies: false, errors: [], rewrites: [] });

interface Gathering {
  decided: Violation[];
  lists: Set<ViolationList>;
  denies: boolean;
  errors: EvaluationError[];
  rewrites: Rewrite[];
}

/**
 * The decision split by policy in one pass, so explaining a set of many
 * policies over a decision with many findings costs their sum, not their product.
 */
export function decisionByPolicy(decision: Decision): (policyId: string) => PolicyShare {
  const shares = new Map<string, Gathering>();
  const shareOf = (policyId: string): Gathering => {
    let share = shares.get(policyId);
    if (share === undefined) {
      share = { decided: [], lists: new Set(), denies: false, errors: [], rewrites: [] };
      shares.set(policyId, share);
    }
    return share;
  };
  for (const list of ['violations', 'wouldDeny', 'wouldEscalate', 'warnings'] as const) {
    for (const violation of decision[list]) {
      const share = shareOf(violation.policyId);
      share.decided.push(violation);
      share.lists.add(list);
      if (list === 'violations' && violation.effect === 'deny') share.denies = true;
    }
  }
  for (const error of decision.errors) if (error.policyId !== undefined) shareOf(error.policyId).errors.push(error);
  for (const rewrite of decision.rewrites) shareOf(rewrite.policyId).rewrites.push(rewrite);
  return (policyId) => shares.get(policyId) ?? NONE;
}
