import type { Decision, EvaluationError, OnError, Verdict, Violation } from '../types.js';

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * Folds what the policies found into one decision. `deny` outranks `escalate`;
 * `warn` violations go to `warnings` and never block. Evaluation errors decide by
 * `onError`: fail closed (`deny`) unless the caller chose to fail open.
 */
export function decide(
  found: readonly Violation[],
  errors: readonly EvaluationError[],
  onError: Exclude<OnError, 'throw'>,
  policyVersion: string,
): Decision {
  const violations: Violation[] = [];
  const warnings: Violation[] = [];
  let verdict: Verdict = 'allow';
  for (const violation of found) {
    if (violation.effect === 'warn') {
      warnings.push(violation);
      continue;
    }
    violations.push(violation);
    if (violation.effect === 'deny') verdict = 'deny';
    else if (verdict === 'allow') verdict = 'escalate';
  }
  if (errors.length > 0 && onError === 'deny') verdict = 'deny';
  return Object.freeze({
    verdict,
    violations: freezeList(violations),
    warnings: freezeList(warnings),
    errors: freezeList(errors),
    policyVersion,
  });
}

/** The decision for an action no policy objected to; shared, since it is frozen and always the same. */
export function allowDecision(policyVersion: string): Decision {
  return Object.freeze({ verdict: 'allow', violations: EMPTY, warnings: EMPTY, errors: EMPTY, policyVersion });
}

function freezeList<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? EMPTY : Object.freeze(list);
}
