import { describe, expect, it } from 'vitest';
import { DataFactory } from 'n3';
import { orderLiterals } from '../../../src/formal/literal-order.js';
import { XSD } from '../../../src/formal/vocabulary.js';
import type { ShapeDefinition } from '../../../src/index.js';
import { atX, decideShape } from './support.js';

/** `1e400` and `-1e400` as JSON text gives them: Infinity and -Infinity, straight from JSON.parse. */
const FROM_JSON = JSON.parse('{ "big": 1e400, "small": -1e400 }') as { big: number; small: number };

/** The verdict and the constraints violated when `arguments.x` is `x`. */
async function outcome(shape: ShapeDefinition, args: Record<string, unknown>) {
  const decision = await decideShape(shape, args);
  return { verdict: decision.verdict, constraints: decision.violations.map((violation) => violation.constraint), errors: decision.errors };
}

describe('formal tier: Infinity and NaN are values that bounds, datatypes and lists check', () => {
  it('takes 1e400 from JSON text as Infinity', () => {
    expect(FROM_JSON).toEqual({ big: Infinity, small: -Infinity });
  });

  it('denies 1e400 under maxInclusive, reported at its path with its value', async () => {
    const decision = await decideShape(atX({ maxInclusive: 100 }), { x: FROM_JSON.big });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toEqual([
      expect.objectContaining({
        constraint: 'sh:MaxInclusiveConstraintComponent',
        path: ['arguments', 'x'],
        expected: 100,
        actual: Infinity,
      }),
    ]);
  });

  it('denies -1e400 under minInclusive', async () => {
    expect(await outcome(atX({ minInclusive: 0 }), { x: FROM_JSON.small })).toEqual({
      verdict: 'deny',
      constraints: ['sh:MinInclusiveConstraintComponent'],
      errors: [],
    });
  });

  it.each([
    ['maxInclusive 100', { maxInclusive: 100 }, FROM_JSON.big, 'deny'],
    ['maxExclusive 100', { maxExclusive: 100 }, FROM_JSON.big, 'deny'],
    ['minInclusive 0', { minInclusive: 0 }, FROM_JSON.small, 'deny'],
    ['minExclusive 0', { minExclusive: 0 }, FROM_JSON.small, 'deny'],
    // Beyond every finite number, as in the auto tier (`Infinity gt 10` holds).
    ['minInclusive 0', { minInclusive: 0 }, FROM_JSON.big, 'allow'],
    ['maxExclusive 100', { maxExclusive: 100 }, FROM_JSON.small, 'allow'],
    ['minInclusive -1e308 and maxInclusive 1e308', { minInclusive: -1e308, maxInclusive: 1e308 }, FROM_JSON.big, 'deny'],
    ['minInclusive -1e308 and maxInclusive 1e308', { minInclusive: -1e308, maxInclusive: 1e308 }, FROM_JSON.small, 'deny'],
  ] as const)('%s on %s: %s', async (_name, bounds, x, verdict) => {
    expect((await outcome(atX({ minCount: 1, ...bounds }), { x })).verdict).toBe(verdict);
  });

  it.each([Number.NaN, FROM_JSON.big, FROM_JSON.small])(
    'denies %s under every bound: NaN satisfies none, and no finite bound holds both ways',
    async (x) => {
      const both = await outcome(atX({ minInclusive: -1e300, maxInclusive: 1e300 }), { x });
      expect(both.verdict).toBe('deny');
    },
  );

  it.each(['integer', 'decimal'] as const)('refuses Infinity, -Infinity and NaN as datatype %s', async (datatype) => {
    for (const x of [FROM_JSON.big, FROM_JSON.small, Number.NaN]) {
      expect(await outcome(atX({ datatype }), { x })).toEqual({
        verdict: 'deny',
        constraints: ['sh:DatatypeConstraintComponent'],
        errors: [],
      });
    }
  });

  it('refuses them under in and hasValue, and counts them as values', async () => {
    for (const x of [FROM_JSON.big, FROM_JSON.small, Number.NaN]) {
      expect((await outcome(atX({ in: [1, 2, 1e308] }), { x })).constraints).toEqual(['sh:InConstraintComponent']);
      expect((await outcome(atX({ hasValue: 1e308 }), { x })).constraints).toEqual(['sh:HasValueConstraintComponent']);
      expect((await outcome(atX({ minCount: 1, maxCount: 1 }), { x })).verdict).toBe('allow');
      expect((await outcome(atX({ maxCount: 0 }), { x })).constraints).toEqual(['sh:MaxCountConstraintComponent']);
    }
  });

  describe('lessThan and lessThanOrEquals', () => {
    const pair = (key: 'lessThan' | 'lessThanOrEquals'): ShapeDefinition => ({
      properties: [{ path: 'arguments', node: { properties: [{ path: 'start', [key]: 'end' }] } }],
    });

    it.each([
      ['lessThan', FROM_JSON.big, FROM_JSON.big, 'deny'],
      ['lessThan', FROM_JSON.big, 5, 'deny'],
      ['lessThan', 5, FROM_JSON.big, 'allow'],
      ['lessThan', FROM_JSON.small, FROM_JSON.big, 'allow'],
      ['lessThan', Number.NaN, 5, 'deny'],
      ['lessThan', 5, Number.NaN, 'deny'],
      ['lessThanOrEquals', FROM_JSON.big, FROM_JSON.big, 'allow'],
      ['lessThanOrEquals', FROM_JSON.big, 1e308, 'deny'],
      ['lessThanOrEquals', Number.NaN, Number.NaN, 'deny'],
      ['lessThanOrEquals', 'a', 'b', 'allow'],
      ['lessThanOrEquals', 'b', 'a', 'deny'],
      ['lessThan', 'B', 'a', 'allow'],
      ['lessThan', 1, '2', 'deny'],
    ] as const)('%s with start %s and end %s: %s', async (key, start, end, verdict) => {
      expect((await outcome(pair(key), { start, end })).verdict).toBe(verdict);
    });
  });
});

describe('orderLiterals', () => {
  const literal = (value: string, datatype: string) => DataFactory.literal(value, DataFactory.namedNode(`${XSD}${datatype}`));

  it('orders numbers of any XSD numeric type by value, INF beyond every finite number and NaN with nothing', () => {
    expect(orderLiterals(literal('INF', 'double'), literal('179769313486231570000000000000000000000', 'integer'))).toBe(1);
    expect(orderLiterals(literal('-INF', 'double'), literal('-1.5', 'decimal'))).toBe(-1);
    expect(orderLiterals(literal('INF', 'double'), literal('+INF', 'float'))).toBe(0);
    expect(orderLiterals(literal('NaN', 'double'), literal('NaN', 'double'))).toBe('incomparable');
    expect(orderLiterals(literal('2', 'int'), literal('1.5e0', 'double'))).toBe(1);
    expect(orderLiterals(literal('', 'integer'), literal('0', 'integer'))).toBe('incomparable');
  });

  it('orders strings by UTF-16 code unit, booleans false first, and nothing across kinds', () => {
    expect(orderLiterals(literal('B', 'string'), literal('a', 'string'))).toBe(-1);
    expect(orderLiterals(literal('false', 'boolean'), literal('true', 'boolean'))).toBe(-1);
    expect(orderLiterals(literal('1', 'integer'), literal('1', 'string'))).toBe('incomparable');
    expect(orderLiterals(DataFactory.blankNode('b'), literal('1', 'integer'))).toBe('incomparable');
  });

  it('leaves kinds an action never holds to the validator', () => {
    expect(orderLiterals(literal('2024-01-01', 'date'), literal('2025-01-01', 'date'))).toBe('other');
    expect(orderLiterals(literal('1', 'integer'), literal('2025-01-01', 'date'))).toBe('other');
  });
});
