import type { Violation } from '../types.js';

/**
 * Appends `later` to `into`, in place, so that the whole is in policy order as a
 * stable sort of `[...into, ...later]` by `positionOf` (unknown ids at 0) would
 * leave it: ties keep `into` first, and each list its own order. Both tiers hand
 * over their violations already in policy order, so this is a merge: one lookup
 * per violation, no comparator. Should either list not be in order, it sorts,
 * so the answer never depends on the inputs being what they are meant to be.
 */
export function mergeInPolicyOrder(into: Violation[], later: readonly Violation[], positionOf: ReadonlyMap<string, number>): void {
  if (later.length === 0) return;
  const position = (violation: Violation): number => positionOf.get(violation.policyId) ?? 0;
  const left = into.map(position);
  const right = later.map(position);
  if (!isAscending(left) || !isAscending(right)) {
    into.push(...later);
    into.sort((first, second) => position(first) - position(second));
    return;
  }
  // Nothing to interleave when every earlier violation comes first: the common case of one tier's policies after the other's.
  if (left.length === 0 || (left[left.length - 1] as number) <= (right[0] as number)) {
    into.push(...later);
    return;
  }
  const earlier = into.slice();
  into.length = 0;
  let i = 0;
  let j = 0;
  while (i < earlier.length && j < later.length) {
    // `<=`: on a tie the earlier list goes first, as a stable sort keeps it.
    if ((left[i] as number) <= (right[j] as number)) into.push(earlier[i++] as Violation);
    else into.push(later[j++] as Violation);
  }
  while (i < earlier.length) into.push(earlier[i++] as Violation);
  while (j < later.length) into.push(later[j++] as Violation);
}

function isAscending(positions: readonly number[]): boolean {
  for (let index = 1; index < positions.length; index += 1) {
    if ((positions[index - 1] as number) > (positions[index] as number)) return false;
  }
  return true;
}
