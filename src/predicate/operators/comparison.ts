import { jsonEquals, jsonKind, sameKind } from '../../json-values.js';
import type { OperatorCompiler } from './operator.js';
import { OperatorValueError } from './operator.js';

type Ordering = 'gt' | 'gte' | 'lt' | 'lte';

// One table drives the four orderings (ajv's limitNumber idea): each row is the
// comparison on two numbers or two strings; everything else is a type mismatch.
const ORDERINGS: Readonly<Record<Ordering, (left: number | string, right: number | string) => boolean>> = {
  gt: (left, right) => left > right,
  gte: (left, right) => left >= right,
  lt: (left, right) => left < right,
  lte: (left, right) => left <= right,
};

function ordered(compare: (left: number | string, right: number | string) => boolean) {
  return (actual: unknown, expected: unknown): boolean => {
    const kind = jsonKind(actual);
    return (kind === 'number' || kind === 'string') && kind === jsonKind(expected)
      ? compare(actual as number | string, expected as number | string)
      : false;
  };
}

function orderingOperator(name: Ordering): OperatorCompiler {
  const compare = ORDERINGS[name];
  const dynamic = ordered(compare);
  return {
    expects: 'a number, or a string to compare strings by code unit',
    flags: '',
    value: 'required',
    literal(value) {
      if (typeof value === 'number') return (actual) => typeof actual === 'number' && compare(actual, value);
      if (typeof value === 'string') return (actual) => typeof actual === 'string' && compare(actual, value);
      throw new OperatorValueError('value', this.expects);
    },
    dynamic: () => dynamic,
  };
}

/** `eq`: same JSON kind and structurally equal. */
export const eq: OperatorCompiler = {
  expects: 'a JSON value',
  flags: '',
  value: 'required',
  literal(value) {
    if (value === undefined) throw new OperatorValueError('value', this.expects);
    // Scalars compare with ===, which already refuses other types and NaN.
    if (value === null || typeof value !== 'object') return (actual) => actual === value;
    return (actual) => jsonEquals(actual, value);
  },
  dynamic: () => jsonEquals,
};

/** `neq`: same JSON kind and not equal; a value of another kind is a mismatch, so `neq` is false. */
export const neq: OperatorCompiler = {
  expects: 'a JSON value',
  flags: '',
  value: 'required',
  literal(value) {
    if (value === undefined) throw new OperatorValueError('value', this.expects);
    return (actual) => sameKind(actual, value) && !jsonEquals(actual, value);
  },
  dynamic: () => (actual, expected) => sameKind(actual, expected) && !jsonEquals(actual, expected),
};

/** `gt`, `gte`, `lt`, `lte`: numbers with numbers, strings with strings (code-unit order). */
export const orderings: Readonly<Record<Ordering, OperatorCompiler>> = {
  gt: orderingOperator('gt'),
  gte: orderingOperator('gte'),
  lt: orderingOperator('lt'),
  lte: orderingOperator('lte'),
};
