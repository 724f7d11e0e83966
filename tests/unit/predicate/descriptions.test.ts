import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { compilePredicate } from '../../../src/predicate/compile-predicate.js';
import type { Failure } from '../../../src/predicate/compile-predicate.js';
import { describePredicate } from '../../../src/predicate/describe.js';
import type { ComparisonDefinition, JsonValue, PredicateDefinition } from '../../../src/types.js';
import { predicateTrees } from '../../support/predicate-trees.js';

/**
 * A compiled predicate builds its description from its parts' descriptions,
 * once; `describePredicate` walks a definition. Both must write the same text.
 */

const field = fc.constantFrom('arguments.a', 'arguments.b', 'context.x');
const json: fc.Arbitrary<JsonValue> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>;
const comparison: fc.Arbitrary<ComparisonDefinition> = fc.oneof(
  fc.record({ field, op: fc.constantFrom('eq' as const, 'neq' as const), value: json }),
  fc.record({
    field,
    op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const),
    value: fc.oneof(fc.integer(), fc.string()),
  }),
  fc.record({ field, op: fc.constantFrom('in' as const, 'not_in' as const), value: fc.array(json, { maxLength: 3 }) }),
  fc.record({
    field,
    op: fc.constant('regex' as const),
    value: fc.constantFrom('^a+$', 'b.c', '[0-9]{2}'),
    flags: fc.constantFrom('', 'i', 'ms'),
  }),
  fc.record({
    field,
    op: fc.constant('glob' as const),
    value: fc.constantFrom('*.txt', '/srv/**', 'a?c'),
    flags: fc.constantFrom('', 'i'),
  }),
  fc.record({ field, op: fc.constant('exists' as const) }),
  fc.record({
    field,
    op: fc.constantFrom('eq' as const, 'neq' as const, 'gt' as const, 'lte' as const, 'in' as const, 'not_in' as const),
    valueRef: fc.constantFrom('context.ref', 'arguments.limit'),
  }),
);
const predicate: fc.Arbitrary<PredicateDefinition> = predicateTrees(comparison);

describe('compiled descriptions', () => {
  it('equal describePredicate of the definition, and stay the same string', () => {
    fc.assert(
      fc.property(predicate, (definition) => {
        const compiled = compilePredicate(definition, '/assert', DEFAULT_LIMITS);
        const expected = describePredicate(definition);
        expect(compiled.describe()).toBe(expected);
        expect(compiled.describe()).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('are what any and not failures give as expected', () => {
    const definition: PredicateDefinition = {
      any: [{ not: { field: 'arguments.a', op: 'eq', value: 1 } }, { field: 'arguments.b', op: 'regex', value: '^x', flags: 'i' }],
    };
    const compiled = compilePredicate(definition, '/assert', DEFAULT_LIMITS);
    for (let round = 0; round < 2; round += 1) {
      const failures: Failure[] = [];
      compiled.explain({ arguments: { a: 1, b: 'y' } }, failures);
      expect(failures.map((failure) => failure.expected)).toEqual(['(not arguments.a == 1 or arguments.b matches regex /^x/i)']);
    }
  });
});
