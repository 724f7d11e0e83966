/**
 * The value model of the auto tier. Operators compare JSON values only: no
 * coercion between types, and NaN is not a number (it is what no JSON document
 * can hold, so every comparison with it is false).
 */

/** The JSON type of a value, or `undefined` for what JSON cannot hold (NaN, functions, class instances). */
export type JsonKind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/** Classifies a value; `undefined` means the value takes part in no comparison. */
export function jsonKind(value: unknown): JsonKind | undefined {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isNaN(value) ? undefined : 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'array';
      return isPlainObject(value) ? 'object' : undefined;
    default:
      return undefined;
  }
}

/** True for `{}`-style objects (Object.prototype or null prototype), the only objects JSON produces. */
export function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * Structural equality of JSON values: same kind, same scalars, arrays equal
 * element-wise, objects with the same own keys (in any order) and equal values.
 * Recursion depth is bounded because actions are depth-checked before evaluation.
 */
export function jsonEquals(left: unknown, right: unknown): boolean {
  if (left === right) return jsonKind(left) !== undefined;
  const kind = jsonKind(left);
  if (kind !== jsonKind(right)) return false;
  if (kind === 'array') {
    const a = left as unknown[];
    const b = right as unknown[];
    if (a.length !== b.length) return false;
    // An index loop, not every(): every() skips holes, and a hole equals nothing.
    for (let index = 0; index < a.length; index += 1) {
      if (!Object.hasOwn(a, index) || !Object.hasOwn(b, index) || !jsonEquals(a[index], b[index])) return false;
    }
    return true;
  }
  if (kind === 'object') {
    const a = left as Record<string, unknown>;
    const b = right as Record<string, unknown>;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonEquals(a[key], b[key]));
  }
  return false;
}

/** True when both values are JSON values of the same kind. */
export function sameKind(left: unknown, right: unknown): boolean {
  const kind = jsonKind(left);
  return kind !== undefined && kind === jsonKind(right);
}
