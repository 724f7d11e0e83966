import { jsonEquals, jsonKind, sameKind } from '../../json-values.js';
import type { OperatorDefinition } from './operator.js';
import { OperatorValueError } from './operator.js';

type Ordering = 'gt' | 'gte' | 'lt' | 'lte';

interface OrderingRow {
  readonly compare: (left: number | string, right: number | string) => boolean;
  readonly symbol: string;
  readonly requirement: string;
}

// One table drives the four orderings (ajv's limitNumber idea): each row is the
// comparison on two numbers or two strings (everything else is a type mismatch)
// and how it is written.
const ORDERINGS: Readonly<Record<Ordering, OrderingRow>> = {
  gt: { compare: (left, right) => left > right, symbol: '>', requirement: 'must be greater than' },
  gte: { compare: (left, right) => left >= right, symbol: '>=', requirement: 'must be at least' },
  lt: { compare: (left, right) => left < right, symbol: '<', requirement: 'must be less than' },
  lte: { compare: (left, right) => left <= right, symbol: '<=', requirement: 'must be at most' },
};

function ordered(compare: (left: number | string, right: number | string) => boolean) {
  return (actual: unknown, expected: unknown): boolean => {
    const kind = jsonKind(actual);
    return (kind === 'number' || kind === 'string') && kind === jsonKind(expected)
      ? compare(actual as number | string, expected as number | string)
      : false;
  };
}

function orderingOperator(name: Ordering): OperatorDefinition {
  const { compare, symbol, requirement } = ORDERINGS[name];
  const dynamic = ordered(compare);
  return {
    kind: 'orderable',
    expects: 'a number, or a string to compare strings by code unit',
    flags: '',
    symbol,
    requirement,
    literal(value) {
      if (typeof value === 'number') return (actual) => typeof actual === 'number' && compare(actual, value);
      if (typeof value === 'string') return (actual) => typeof actual === 'string' && compare(actual, value);
      throw new OperatorValueError('value', this.expects);
    },
    dynamic: () => dynamic,
  };
}

/** `eq`: same JSON kind and structurally equal. */
export const eq: OperatorDefinition = {
  kind: 'json',
  expects: 'a JSON value',
  flags: '',
  symbol: '==',
  requirement: 'must equal',
  literal(value) {
    if (value === undefined) throw new OperatorValueError('value', this.expects);
    // Scalars compare with ===, which already refuses other types and NaN.
    if (value === null || typeof value !== 'object') return (actual) => actual === value;
    return (actual) => jsonEquals(actual, value);
  },
  dynamic: () => jsonEquals,
};

/** `neq`: same JSON kind and not equal; a value of another kind is a mismatch, so `neq` is false. */
export const neq: OperatorDefinition = {
  kind: 'json',
  expects: 'a JSON value',
  flags: '',
  symbol: '!=',
  requirement: 'must not equal',
  literal(value) {
    if (value === undefined) throw new OperatorValueError('value', this.expects);
    return (actual) => sameKind(actual, value) && !jsonEquals(actual, value);
  },
  dynamic: () => (actual, expected) => sameKind(actual, expected) && !jsonEquals(actual, expected),
};

/** `gt`, `gte`, `lt`, `lte`: numbers with numbers, strings with strings (code-unit order). */
export const orderings: Readonly<Record<Ordering, OperatorDefinition>> = {
  gt: orderingOperator('gt'),
  gte: orderingOperator('gte'),
  lt: orderingOperator('lt'),
  lte: orderingOperator('lte'),
};
