import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { inList, notInList, SCAN_LIMIT } from '../../../src/predicate/operators/membership.js';
import type { DynamicMatcher, Matcher } from '../../../src/predicate/operators/operator.js';
import type { JsonValue } from '../../../src/types.js';

/**
 * `in` / `not_in` against a list read from the action (`valueRef`) scan a short
 * list in place and build a Set only for a long one. Both must answer exactly as
 * the literal form does, which always compiles the list into a Set.
 */

const context = { flags: '', limits: DEFAULT_LIMITS };
const dynamicIn = inList.dynamic?.(context) as DynamicMatcher;
const dynamicNotIn = notInList.dynamic?.(context) as DynamicMatcher;

// Scalars that collide across kinds ("1" and 1, 0 and false, null), structured
// values, and what is no JSON value (NaN, undefined, a Date) as actions may hold.
const item: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(0, -0, 1, '1', '', 'a', true, false, null, Number.NaN, undefined, new Date(0), [], {}, [1], { a: 1 }),
  fc.integer({ min: -3, max: 3 }),
  fc.array(fc.constantFrom<unknown>(1, 'a', null), { maxLength: 2 }),
  fc.dictionary(fc.constantFrom('a', 'b'), fc.constantFrom<unknown>(1, 'a'), { maxKeys: 2 }),
);
const list = fc.array(item, { maxLength: SCAN_LIMIT * 2 + 2 });
const actual = fc.oneof(item, fc.array(item, { maxLength: 4 }));

function literal(operator: typeof inList, values: readonly unknown[]): Matcher {
  return operator.literal(values as JsonValue[], context);
}

describe('valueRef membership', () => {
  it('in answers as the literal list does, either side of the scan limit', () => {
    fc.assert(
      fc.property(list, actual, (values, value) => {
        expect(dynamicIn(value, values)).toBe(literal(inList, values)(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('not_in answers as the literal list does, either side of the scan limit', () => {
    fc.assert(
      fc.property(list, actual, (values, value) => {
        expect(dynamicNotIn(value, values)).toBe(literal(notInList, values)(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('a hole in either array is in nothing', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holey = [, 'a'];
    // eslint-disable-next-line no-sparse-arrays
    const holeyList = [, 'b'];
    expect(dynamicIn(holey, ['b'])).toBe(false);
    expect(dynamicIn('b', holeyList)).toBe(true);
    expect(dynamicNotIn(holey, ['b'])).toBe(true);
  });

  describe('allocation', () => {
    const RealSet = globalThis.Set;
    let built = 0;
    afterEach(() => {
      globalThis.Set = RealSet;
    });
    function countSets(): void {
      built = 0;
      globalThis.Set = class extends RealSet<unknown> {
        constructor(values?: Iterable<unknown> | null) {
          super(values);
          built += 1;
        }
      };
    }

    it('builds no Set for a list of up to SCAN_LIMIT items', () => {
      const values = Array.from({ length: SCAN_LIMIT }, (_, index) => `role${index}`);
      countSets();
      expect(dynamicIn('role3', values)).toBe(true);
      expect(dynamicNotIn(['x', 'y'], values)).toBe(true);
      expect(built).toBe(0);
    });

    it('builds a Set for a longer list', () => {
      const values = Array.from({ length: SCAN_LIMIT + 1 }, (_, index) => `role${index}`);
      countSets();
      expect(dynamicIn(`role${SCAN_LIMIT}`, values)).toBe(true);
      expect(built).toBe(1);
    });
  });
});
