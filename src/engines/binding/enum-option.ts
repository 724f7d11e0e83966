import type { EngineBinding, EngineError } from '../types.js';
import { bindingOption } from './check-binding.js';

/** An enum-valued binding option as read: its value, or why it is not acceptable. */
export type EnumOptionReading<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EngineError };

/**
 * Reads the binding option `key`, which must be one of `allowed`; an absent
 * (or `null`) option takes `fallback`, which is `undefined` for an option
 * without a default. The fallback is checked like a given value: the adapter
 * options it comes from are checked when the adapter is made, and this keeps a
 * verdict from resting on that alone. Anything
 * else is an `INVALID_BINDING` error, `<adapter> option <key> must be one of
 * <allowed>`.
 */
export function readEnumOption<T extends string, F extends T | undefined>(
  adapter: string,
  binding: EngineBinding,
  key: string,
  allowed: readonly T[],
  fallback: F,
): EnumOptionReading<T | F> {
  const value = bindingOption(binding, key) ?? fallback;
  if (value === undefined) return { ok: true, value: fallback };
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    return { ok: false, error: { code: 'INVALID_BINDING', message: `${adapter} option ${key} must be one of ${allowed.join(', ')}` } };
  }
  return { ok: true, value: value as T };
}
