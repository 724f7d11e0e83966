import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mergeInPolicyOrder } from '../../../src/effects/policy-order.js';
import type { Violation } from '../../../src/types.js';

/** The merge must leave exactly what the stable sort it replaces left. */

const positionOf: ReadonlyMap<string, number> = new Map([
  ['a', 0],
  ['b', 1],
  ['c', 2],
  ['d', 3],
]);

// Ids include one the map does not know (position 0, as before); `n` tells equal ids apart.
const violation = fc
  .tuple(fc.constantFrom('a', 'b', 'c', 'd', 'unknown'), fc.nat(99))
  .map(([policyId, n]) => ({ policyId, message: String(n) }) as unknown as Violation);

function bySort(into: readonly Violation[], later: readonly Violation[]): Violation[] {
  const position = (entry: Violation): number => positionOf.get(entry.policyId) ?? 0;
  return [...into, ...later].sort((left, right) => position(left) - position(right));
}

function inOrder(list: Violation[]): Violation[] {
  return bySort(list, []);
}

describe('mergeInPolicyOrder', () => {
  it('merges lists already in policy order as the stable sort did, ties to the earlier list', () => {
    fc.assert(
      fc.property(fc.array(violation, { maxLength: 8 }), fc.array(violation, { maxLength: 8 }), (first, second) => {
        const into = inOrder(first);
        const later = inOrder(second);
        const expected = bySort(into, later);
        mergeInPolicyOrder(into, later, positionOf);
        expect(into).toEqual(expected);
        expect(into.every((entry, index) => entry === expected[index])).toBe(true);
      }),
    );
  });

  it('sorts, as before, lists that are not in order', () => {
    fc.assert(
      fc.property(fc.array(violation, { maxLength: 8 }), fc.array(violation, { maxLength: 8 }), (first, second) => {
        const into = [...first];
        const expected = second.length === 0 ? [...first] : bySort(first, second);
        mergeInPolicyOrder(into, second, positionOf);
        expect(into.every((entry, index) => entry === expected[index])).toBe(true);
        expect(into).toHaveLength(expected.length);
      }),
    );
  });

  it('leaves the list as it is, even out of order, when nothing comes later', () => {
    const first = { policyId: 'd' } as Violation;
    const second = { policyId: 'a' } as Violation;
    const into = [first, second];
    mergeInPolicyOrder(into, [], positionOf);
    expect(into[0]).toBe(first);
    expect(into[1]).toBe(second);
  });
});
