import type { EngineError, EngineEvaluateOptions } from '../types.js';

/**
 * The time limit of one evaluation: the call's `timeoutMs`, else the adapter's
 * default. Anything but a positive finite number is an `INVALID_BINDING`
 * error, so a bad value can neither disable the limit nor fire it at once.
 */
export function callTimeout(
  call: EngineEvaluateOptions,
  defaultMs: number,
): { readonly ok: true; readonly timeoutMs: number } | { readonly ok: false; readonly error: EngineError } {
  const timeoutMs = call.timeoutMs ?? defaultMs;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    return { ok: false, error: { code: 'INVALID_BINDING', message: 'timeoutMs must be a positive number' } };
  return { ok: true, timeoutMs };
}
