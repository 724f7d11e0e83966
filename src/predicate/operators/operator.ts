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

/**
 * What an operator's value is. It decides whether a value is needed, which
 * kind the "(got …)" note of a failure compares the actual value with, and the
 * value rule the shipped schema states for the operator.
 * - `json`: any JSON value; the note compares with the value's own kind.
 * - `orderable`: a number or a string; the note compares with the value's kind.
 * - `list`: an array of candidates; membership says nothing about kinds, so no note.
 * - `pattern`: a pattern string, matched against strings; the note says when the field is not one.
 * - `none`: no value at all (`exists`).
 */
export type ValueKind = 'json' | 'orderable' | 'list' | 'pattern' | 'none';

/**
 * One operator, defined in one place (ajv's keyword objects are the model):
 * what value it takes, its flags, how it compiles against a literal and a
 * `valueRef`, and how descriptions and messages put it in words. The registry
 * maps each `Operator` name to one of these.
 */
export interface OperatorDefinition {
  /** What the operator's value is. */
  readonly kind: ValueKind;
  /** What `value` must be, in words, for error messages. */
  readonly expects: string;
  /** Flags the operator accepts (`''` when none). */
  readonly flags: string;
  /** How a description writes it: `arguments.amount <= 10000`. */
  readonly symbol: string;
  /** How a failure message writes it: `arguments.amount must be at most 10000`. */
  readonly requirement: string;
  /** Writes a literal value in descriptions and messages; absent means `renderValue`. */
  readonly show?: (value: JsonValue | undefined, flags: string) => string;
  /** Compiles against a literal; throws {@link OperatorValueError} for an unsuitable value. */
  literal(value: JsonValue | undefined, context: OperatorContext): Matcher;
  /** Compiles against a value read from the action; absent when `valueRef` is not allowed. */
  dynamic?(context: OperatorContext): DynamicMatcher;
}
