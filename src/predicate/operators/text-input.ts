import { TierguardError } from '../../errors.js';
import type { Limits } from '../../limits.js';

/**
 * Guards what a pattern operator reads. A string over the limit is an evaluation
 * error, never a plain `false`: under `not`, false would turn into an allow.
 */
export function checkTextLength(text: string, limits: Limits, operator: string): void {
  if (text.length > limits.maxStringLength) {
    throw new TierguardError(
      'LIMIT_EXCEEDED',
      `${operator} input of ${text.length} characters exceeds limits.maxStringLength (${limits.maxStringLength})`,
      { limit: 'maxStringLength', actual: text.length },
    );
  }
}
