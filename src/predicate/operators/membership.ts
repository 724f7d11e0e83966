import type { JsonValue } from '../../types.js';
import { jsonEquals, jsonKind } from '../../json-values.js';
import type { Matcher, OperatorCompiler } from './operator.js';
import { OperatorValueError } from './operator.js';

/**
 * Membership of one JSON value in a list, compiled once: scalars go into a Set
 * (constant-time lookup), objects and arrays are compared structurally.
 */
function compileMembership(list: readonly JsonValue[]): Matcher {
  const scalars = new Set<unknown>();
  const structured: JsonValue[] = [];
  for (const item of list) {
    if (item !== null && typeof item === 'object') structured.push(item);
    else scalars.add(item);
  }
  if (structured.length === 0) return (value) => scalars.has(value);
  return (value) => scalars.has(value) || structured.some((item) => jsonEquals(value, item));
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

function expectList(value: JsonValue | undefined, expects: string): readonly JsonValue[] {
  if (!Array.isArray(value)) throw new OperatorValueError('value', expects);
  return value;
}

const LIST = 'an array of JSON values';

/** `in`: the value (or, for an array, at least one element) is in the list. */
export const inList: OperatorCompiler = {
  expects: LIST,
  flags: '',
  value: 'required',
  literal(value) {
    return anyMember(compileMembership(expectList(value, this.expects)));
  },
  dynamic: () => (actual, expected) =>
    Array.isArray(expected) && anyMember(compileMembership(expected as JsonValue[]))(actual),
};

/**
 * `not_in`: the exact negation of `in` for a present JSON value: no element of an
 * array field (and not a scalar field) is in the list. A missing field or a
 * non-JSON value is still false, as for every operator.
 */
export const notInList: OperatorCompiler = {
  expects: LIST,
  flags: '',
  value: 'required',
  literal(value) {
    const isIn = anyMember(compileMembership(expectList(value, this.expects)));
    return (actual) => jsonKind(actual) !== undefined && !isIn(actual);
  },
  dynamic: () => (actual, expected) =>
    Array.isArray(expected) && jsonKind(actual) !== undefined && !anyMember(compileMembership(expected as JsonValue[]))(actual),
};
