import type { EngineErrorCode, EngineVerdict } from '../engines/types.js';
import type { EvaluationError, ValidationOutcome, Violation } from '../types.js';

/** The engine verdicts of one validation, folded into what a decision is made of. */
export interface CombinedVerdicts {
  /** `error` if any verdict is, else `fail` if any is, else `pass` (also for no verdict at all). */
  readonly result: ValidationOutcome;
  /** The violations of the `fail` verdicts, in verdict order. */
  readonly violations: readonly Violation[];
  /** One per `error` verdict, naming the policy, so `onError` decides what it does. */
  readonly errors: readonly EvaluationError[];
}

/**
 * Combines engine verdicts: error > fail > pass. An engine that could not
 * answer must not be read as a pass, so its verdict becomes an evaluation error
 * of the policy that bound it, and the decision follows `onError` (deny unless
 * the caller chose to fail open). `policyIds` gives each verdict's policy, in
 * the same order.
 */
export function combineVerdicts(verdicts: readonly EngineVerdict[], policyIds: readonly string[]): CombinedVerdicts {
  const violations: Violation[] = [];
  const errors: EvaluationError[] = [];
  verdicts.forEach((verdict, index) => {
    if (verdict.verdict === 'fail') violations.push(...verdict.violations);
    if (verdict.verdict === 'error') {
      const { code, message } = verdict.error;
      errors.push({
        code: evaluationCode(code),
        message: `${verdict.engine} (${verdict.policy}): ${code}: ${message}`,
        ...(policyIds[index] === undefined ? {} : { policyId: policyIds[index] }),
      });
    }
  });
  const result: ValidationOutcome = errors.length > 0 ? 'error' : verdicts.some((verdict) => verdict.verdict === 'fail') ? 'fail' : 'pass';
  return { result, violations, errors };
}

/**
 * The decision-level code of an engine error. The engine's own code stays in the
 * message and in `engines[].error.code`; a decision's errors keep the codes
 * callers already branch on: a bad artifact is a bad input, a bound is a bound,
 * anything else is a policy that could not be evaluated.
 */
export function evaluationCode(code: EngineErrorCode): EvaluationError['code'] {
  if (code === 'INVALID_ARTIFACT') return 'INVALID_ACTION';
  if (code === 'LIMIT_EXCEEDED') return 'LIMIT_EXCEEDED';
  return 'EVALUATION_FAILED';
}
