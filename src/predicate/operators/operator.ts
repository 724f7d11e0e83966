import type { Limits } from '../../limits.js';
import type { JsonValue } from '../../types.js';

/** Compares the value found at the field with the expected value; `actual` is never `undefined` here. */
export type Matcher = (actual: unknown) => boolean;

/** Like {@link Matcher}, with the expected value read from the action at evaluation time (`valueRef`). */
export type DynamicMatcher = (actual: unknown, expected: unknown) => boolean;

/** What an operator is given when its predicate is compiled. */
export interface OperatorContext {
  /** The predicate's `flags`, or the empty string. */
  readonly flags: string;
  /** The engine's limits (string lengths for regex and glob). */
  readonly limits: Limits;
}

/** Thrown by an operator when the policy's value or flags do not suit it; the compiler adds policy id and pointer. */
export class OperatorValueError extends Error {
  /** Which key of the predicate is wrong: `value`, `valueRef` or `flags`. */
  readonly key: 'value' | 'valueRef' | 'flags';
  /** What the operator expected there, in words. */
  readonly expected: string;

  constructor(key: 'value' | 'valueRef' | 'flags', expected: string, message?: string) {
    super(message ?? `${key} must be ${expected}`);
    this.name = 'OperatorValueError';
    this.key = key;
    this.expected = expected;
  }
}

/** One operator: how to compile it against a literal value, and (if allowed) against a `valueRef`. */
export interface OperatorCompiler {
  /** What `value` must be, in words, for error messages. */
  readonly expects: string;
  /** Flags the operator accepts (`''` when none). */
  readonly flags: string;
  /** `none` for operators that take no value (`exists`). */
  readonly value: 'required' | 'none';
  /** Compiles against a literal; throws {@link OperatorValueError} for an unsuitable value. */
  literal(value: JsonValue | undefined, context: OperatorContext): Matcher;
  /** Compiles against a value read from the action; absent when `valueRef` is not allowed. */
  dynamic?(context: OperatorContext): DynamicMatcher;
}
