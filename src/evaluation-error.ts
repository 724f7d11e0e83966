import { describeThrown } from './describe-thrown.js';
import { TierguardError } from './errors.js';
import type { EvaluationError } from './types.js';

/**
 * Turns whatever a policy's evaluation threw into an evaluation error, without
 * trusting the thrown value: even `instanceof` runs a Proxy's getPrototypeOf
 * trap, which may throw in turn. Limits and refused actions keep their code;
 * everything else is `EVALUATION_FAILED`. `where` prefixes the message.
 */
export function toEvaluationError(thrown: unknown, policyId?: string, where = ''): { error: EvaluationError; problem: TierguardError } {
  let problem: TierguardError;
  try {
    problem =
      thrown instanceof TierguardError && (thrown.code === 'LIMIT_EXCEEDED' || thrown.code === 'INVALID_ACTION')
        ? // instanceof cannot name the code parameter; any code is what the variable holds.
          (thrown as TierguardError)
        : new TierguardError('EVALUATION_FAILED', `${where}evaluation threw: ${describeThrown(thrown)}`, {}, { cause: thrown });
  } catch {
    problem = new TierguardError('EVALUATION_FAILED', `${where}evaluation threw a value that cannot be described`);
  }
  const code = problem.code as EvaluationError['code'];
  if (policyId === undefined) return { error: { code, message: problem.message }, problem };
  // What is thrown under onError 'throw' says as much as the decision would have.
  const message = `policy "${policyId}": ${problem.message}`;
  return {
    error: { code, message, policyId },
    problem: new TierguardError(
      problem.code,
      message,
      { ...problem.details, policyId },
      { cause: problem === thrown ? thrown : problem.cause },
    ),
  };
}
