import type { JsonValue } from '../../types.js';
import { jsonEquals, jsonKind } from '../../json-values.js';
import type { DynamicMatcher, Matcher, OperatorDefinition } from './operator.js';
import { OperatorValueError } from './operator.js';

/**
 * Lists read from the action (`valueRef`) up to this length are scanned in
 * place; a longer one is compiled into a Set for that one call, where the
 * lookups it saves outweigh building it.
 */
export const SCAN_LIMIT = 16;

function isStructured(item: unknown): boolean {
  return item !== null && typeof item === 'object';
}

/**
 * Membership of one JSON value in a list, compiled once: scalars go into a Set
 * (constant-time lookup), objects and arrays are compared structurally.
 */
function compileMembership(list: readonly unknown[]): Matcher {
  const scalars = new Set<unknown>();
  const structured: unknown[] = [];
  for (const item of list) {
    if (isStructured(item)) structured.push(item);
    else scalars.add(item);
  }
  if (structured.length === 0) return (value) => scalars.has(value);
  return (value) => scalars.has(value) || structured.some((item) => jsonEquals(value, item));
}

/**
 * The same answer as {@link compileMembership} for a JSON value, without
 * allocating: scalars first, by `===` (which is the Set's SameValueZero for
 * anything but NaN, and NaN is not a JSON value), then the structured items in
 * order, so `jsonEquals` runs on exactly the items it ran on before.
 */
function scanMembership(list: readonly unknown[], value: unknown): boolean {
  for (let index = 0; index < list.length; index += 1) {
    const item = list[index];
    if (!isStructured(item) && item === value) return true;
  }
  for (let index = 0; index < list.length; index += 1) {
    const item = list[index];
    if (isStructured(item) && jsonEquals(value, item)) return true;
  }
  return false;
}

/**
 * `in` over a field value. An array on the field side is a set of values (a
 * user's roles): it is `in` the list when at least one of its elements is, so a
 * user with roles ["dev", "admin"] is `in` ["admin"]. An empty array is in nothing.
 */
function anyMember(isMember: Matcher): Matcher {
  return (actual) => {
    if (Array.isArray(actual)) return actual.some((element) => jsonKind(element) !== undefined && isMember(element));
    return jsonKind(actual) !== undefined && isMember(actual);
  };
}

/** {@link anyMember} against a list read from the action: a scan for a short list, a Set for a long one. */
function anyMemberOf(list: readonly unknown[], actual: unknown): boolean {
  if (list.length > SCAN_LIMIT) return anyMember(compileMembership(list))(actual);
  if (!Array.isArray(actual)) return jsonKind(actual) !== undefined && scanMembership(list, actual);
  // A hole reads as undefined, which is no JSON value: skipped, as some() skips it.
  for (let index = 0; index < actual.length; index += 1) {
    const element: unknown = actual[index];
    if (jsonKind(element) !== undefined && scanMembership(list, element)) return true;
  }
  return false;
}

function expectList(value: JsonValue | undefined, expects: string): readonly JsonValue[] {
  if (!Array.isArray(value)) throw new OperatorValueError('value', expects);
  return value;
}

const LIST = 'an array of JSON values';

const dynamicIn: DynamicMatcher = (actual, expected) => Array.isArray(expected) && anyMemberOf(expected, actual);

const dynamicNotIn: DynamicMatcher = (actual, expected) =>
  Array.isArray(expected) && jsonKind(actual) !== undefined && !anyMemberOf(expected, actual);

/** `in`: the value (or, for an array, at least one element) is in the list. */
export const inList: OperatorDefinition = {
  kind: 'list',
  expects: LIST,
  flags: '',
  symbol: 'in',
  requirement: 'must be one of',
  literal(value) {
    return anyMember(compileMembership(expectList(value, this.expects)));
  },
  dynamic: () => dynamicIn,
};

/**
 * `not_in`: the exact negation of `in` for a present JSON value: no element of an
 * array field (and not a scalar field) is in the list. A missing field or a
 * non-JSON value is still false, as for every operator.
 */
export const notInList: OperatorDefinition = {
  kind: 'list',
  expects: LIST,
  flags: '',
  symbol: 'not in',
  requirement: 'must not be one of',
  literal(value) {
    const isIn = anyMember(compileMembership(expectList(value, this.expects)));
    return (actual) => jsonKind(actual) !== undefined && !isIn(actual);
  },
  dynamic: () => dynamicNotIn,
};
