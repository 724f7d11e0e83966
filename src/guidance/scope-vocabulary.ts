import type { PolicyDefinition } from '../types.js';
import { asciiLower } from './ascii-lower.js';
import { ALL, RELATIONSHIP_DIMENSIONS, RELATIONSHIP_LIST_DIMENSIONS, SCOPE_LIST_DIMENSIONS } from './scope-query.js';
import type { RelationshipListDimension, ScopeListDimension } from './scope-query.js';

/** The selector values a set of policies uses, per dimension: what an agent can usefully query by. */
export type ScopeVocabulary = {
  readonly [K in ScopeListDimension]: readonly string[];
} & {
  /** The relationship selectors' values. */
  readonly relationship: { readonly [K in RelationshipListDimension]: readonly string[] } & {
    /** The `differentDomain` values used, `false` before `true`. */
    readonly differentDomain: readonly boolean[];
  };
};

/**
 * Every dimension of `PolicyScope` with the values `definitions` select on,
 * sorted (ASCII case-insensitively, then by code unit), each once: values that
 * differ only in ASCII case select alike, so the first spelling in policy order
 * stands for them. The wildcard `all` is not a value and is not listed; a
 * dimension no policy uses lists nothing.
 */
export function scopeVocabulary(definitions: readonly PolicyDefinition[]): ScopeVocabulary {
  const lists = new Map<string, Map<string, string>>();
  const add = (dimension: string, values: readonly string[] | undefined): void => {
    if (values === undefined) return;
    const seen = lists.get(dimension) ?? new Map<string, string>();
    for (const value of values) {
      const key = asciiLower(value);
      if (key !== ALL && !seen.has(key)) seen.set(key, value);
    }
    lists.set(dimension, seen);
  };
  const differentDomain = new Set<boolean>();
  for (const { scope } of definitions) {
    if (scope === undefined) continue;
    for (const dimension of SCOPE_LIST_DIMENSIONS) add(dimension, scope[dimension]);
    const relationship = scope.relationship;
    if (relationship === undefined) continue;
    for (const dimension of RELATIONSHIP_LIST_DIMENSIONS) add(`relationship.${dimension}`, relationship[dimension]);
    if (relationship.differentDomain !== undefined) differentDomain.add(relationship.differentDomain);
  }
  const sorted = (dimension: string): readonly string[] =>
    Object.freeze(
      [...(lists.get(dimension) ?? new Map<string, string>()).entries()]
        .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
        .map(([, value]) => value),
    );
  const relationship = Object.fromEntries(
    RELATIONSHIP_DIMENSIONS.map((dimension) => [
      dimension,
      dimension === 'differentDomain'
        ? Object.freeze([false, true].filter((value) => differentDomain.has(value)))
        : sorted(`relationship.${dimension}`),
    ]),
  ) as ScopeVocabulary['relationship'];
  const dimensions = Object.fromEntries(SCOPE_LIST_DIMENSIONS.map((dimension) => [dimension, sorted(dimension)])) as Record<
    ScopeListDimension,
    readonly string[]
  >;
  return Object.freeze({ ...dimensions, relationship: Object.freeze(relationship) });
}
