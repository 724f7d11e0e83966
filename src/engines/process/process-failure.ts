import type { EngineError } from '../types.js';
import type { ProcessFailed } from './run-process.js';

/**
 * The error for an engine process that could not be run or was stopped: its
 * code as {@link runProcess} gave it and its message scrubbed of private paths,
 * plus `; <installHint>` when the binary was not found, since then the fix is
 * to install it.
 */
export function processFailureError(failed: ProcessFailed, scrub: (text: string) => string, installHint: string): EngineError {
  const hint = failed.code === 'ENGINE_UNAVAILABLE' ? `; ${installHint}` : '';
  return { code: failed.code, message: scrub(failed.message) + hint };
}
