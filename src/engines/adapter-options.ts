/**
 * The setup checks of every adapter factory (`createOpaCliAdapter`,
 * `createSemgrepAdapter`, ...), in one style: the options are read once, when
 * the adapter is made, against a table of readers, one per known key. A
 * mistake there is the caller's code, not an artifact or a binding, so it
 * throws a `TierguardError` with code `INVALID_OPTIONS` naming the option, as
 * every other options argument of tierguard does, instead of turning each
 * later evaluation into an `error` verdict.
 */
import { rejectUnknownOptions, requireOptionsObject } from '../check-options.js';
import { TierguardError } from '../errors.js';
import { resolveEngineLimits } from '../limits.js';
import type { EngineLimits } from '../limits.js';

/**
 * Reads one option: `value` is the caller's (`undefined` when the key is
 * absent) and `key` its name, for the error. Returns the value to use, or
 * throws `INVALID_OPTIONS`.
 */
export type AdapterOptionReader<T> = (value: unknown, key: string) => T;

/** The readers of a factory's options, by key; the keys are also the only ones accepted. */
export type AdapterOptionTable = Readonly<Record<string, AdapterOptionReader<unknown>>>;

/** What {@link readAdapterOptions} returns for a table: each key's value as its reader gave it. */
export type AdapterOptionValues<T extends AdapterOptionTable> = { readonly [K in keyof T]: ReturnType<T[K]> };

/** An engine process's environment, as the adapters take it. */
export type AdapterEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Reads a factory's options: `undefined` is no option, anything else must be
 * an object whose own keys are all in `table` (`unknown createSemgrepAdapter
 * option "x" (known: ...)`), and each key's value goes through its reader,
 * absent or not, so defaults come from one place.
 */
export function readAdapterOptions<T extends AdapterOptionTable>(factory: string, options: unknown, table: T): AdapterOptionValues<T> {
  const given: unknown = options === undefined ? {} : options;
  requireOptionsObject(given, factory);
  rejectUnknownOptions(given, new Set(Object.keys(table)), `${factory} option`);
  const values: Record<string, unknown> = {};
  for (const [key, read] of Object.entries(table)) {
    values[key] = read(Object.hasOwn(given, key) ? (given as Record<string, unknown>)[key] : undefined, key);
  }
  return Object.freeze(values) as AdapterOptionValues<T>;
}

/** The `INVALID_OPTIONS` error every reader throws: `<key> must be <what>`. */
export function invalidAdapterOption(key: string, what: string): TierguardError {
  return new TierguardError('INVALID_OPTIONS', `${key} must be ${what}`, { option: key });
}

/**
 * `command`: the executable, a name looked up on PATH or a path; default
 * `fallback`. An empty name or one with a NUL byte could only fail later, as
 * every evaluation's `ENGINE_UNAVAILABLE` error, so it is refused now.
 */
export function commandOption(fallback: string): AdapterOptionReader<string> {
  return (value, key) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.trim().length === 0 || value.includes('\0')) {
      throw invalidAdapterOption(key, "the engine executable's name on PATH or its path, a non-empty string");
    }
    return value;
  };
}

/** `env`: the engine's environment, an object of strings; default this process's. */
export function environmentOption(): AdapterOptionReader<AdapterEnvironment> {
  return (value, key) => {
    if (value === undefined) return process.env;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw invalidAdapterOption(key, 'an object of environment variables');
    for (const [name, setting] of Object.entries(value)) {
      if (setting !== undefined && typeof setting !== 'string') throw invalidAdapterOption(`${key}.${name}`, 'a string');
    }
    return value as AdapterEnvironment;
  };
}

/**
 * `limits`: overrides of `DEFAULT_ENGINE_LIMITS`, over the adapter's own
 * `defaults` (Checkov's longer timeout). Unknown limits and values that are
 * not positive integers are refused by {@link resolveEngineLimits}.
 */
export function limitsOption(defaults: Partial<EngineLimits> = {}): AdapterOptionReader<EngineLimits> {
  return (value, key) => {
    if (value === undefined) return resolveEngineLimits(defaults);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidAdapterOption(key, 'an object');
    return resolveEngineLimits({ ...defaults, ...value });
  };
}

/** An option that must be one of `allowed`; default `fallback`. */
export function enumOption<T extends string>(allowed: readonly T[], fallback: T): AdapterOptionReader<T> {
  return (value, key) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
      throw invalidAdapterOption(key, `one of ${allowed.join(', ')}`);
    return value as T;
  };
}

/** A boolean option; default `fallback`. */
export function booleanOption(fallback: boolean): AdapterOptionReader<boolean> {
  return (value, key) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw invalidAdapterOption(key, 'a boolean');
    return value;
  };
}

/** A count or size that must be a positive safe integer, as the engine limits are; default `fallback`. */
export function positiveIntegerOption(fallback: number): AdapterOptionReader<number> {
  return (value, key) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw invalidAdapterOption(key, 'a positive integer');
    return value;
  };
}
