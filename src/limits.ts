import { TierguardError } from './errors.js';

/** Bounds that keep hostile input from exhausting the stack, memory or CPU. */
export interface Limits {
  /** Deepest nesting of objects and arrays in an action (and in a policy definition). */
  readonly maxDepth: number;
  /** Most values (objects, arrays and scalars together) in one action. */
  readonly maxNodes: number;
  /** Longest string a `regex` or `glob` operator will read; longer is an evaluation error, not a `false`. */
  readonly maxStringLength: number;
  /** Longest regex or glob pattern a policy may contain. */
  readonly maxPatternLength: number;
  /** Largest policy or action file the CLI and loaders will read, in bytes. */
  readonly maxFileBytes: number;
}

/**
 * Defaults, frozen so no caller can change them for everyone else. An action
 * legitimately nested 64 deep or holding 100,000 values is far outside what agents
 * send; strings of a MiB are scanned by RE2 in about a millisecond.
 */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxDepth: 64,
  maxNodes: 100_000,
  maxStringLength: 1_048_576,
  maxPatternLength: 8_192,
  maxFileBytes: 16 * 1_048_576,
});

const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/**
 * Merges overrides onto the defaults. Unknown keys and values that are not
 * positive integers are rejected, so a typo never silently keeps a default.
 */
export function resolveLimits(overrides: Partial<Limits> | undefined): Limits {
  if (overrides === undefined) return DEFAULT_LIMITS;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new TierguardError('INVALID_OPTIONS', 'limits must be an object', { option: 'limits' });
  }
  const resolved: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(LIMIT_NAMES as string[]).includes(name)) {
      throw new TierguardError(
        'INVALID_OPTIONS',
        `unknown limit "${name}" (known: ${LIMIT_NAMES.join(', ')})`,
        { option: `limits.${name}` },
      );
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new TierguardError('INVALID_OPTIONS', `limits.${name} must be a positive integer`, {
        option: `limits.${name}`,
        actual: value,
      });
    }
    resolved[name] = value;
  }
  return Object.freeze(resolved) as unknown as Limits;
}
