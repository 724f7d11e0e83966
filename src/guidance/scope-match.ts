import type { PolicyScope, RelationshipScope } from '../types.js';
import { asciiLower } from './ascii-lower.js';
import { ALL, RELATIONSHIP_LIST_DIMENSIONS, SCOPE_LIST_DIMENSIONS, isParsedScopeQuery, parseScopeQuery } from './scope-query.js';
import type { ParsedScopeQuery, ParsedValues, ScopeQuery } from './scope-query.js';

/** Why a policy's scope excludes a query: the first dimension where the two contradict. */
export interface ScopeMismatch {
  /** The dimension, as written in a policy (`providers`, `relationship.differentDomain`). */
  readonly dimension: string;
  /** The policy's selector there, as written. */
  readonly policy: readonly string[] | boolean;
  /** What the query said there, normalised: values lower-cased in ASCII, or the domains' difference. */
  readonly query: readonly string[] | boolean;
}

/**
 * True when a policy with `scope` applies to what `query` describes: every
 * dimension matches (see {@link scopeMismatch}). A policy without a scope
 * applies to every query.
 *
 * @throws {TierguardError} `INVALID_OPTIONS` for a malformed query (see `parseScopeQuery`).
 */
export function matchesScope(scope: PolicyScope | undefined, query: ScopeQuery | ParsedScopeQuery): boolean {
  return scopeMismatch(scope, query) === undefined;
}

/**
 * The first dimension on which `scope` excludes `query`, or `undefined` when it
 * applies, checked in the order of `PolicyScope`. A dimension matches when the
 * query leaves it out or says `all`, when the policy leaves it out or lists
 * `all`, or when the two share a value, compared ASCII case-insensitively.
 * `relationship.differentDomain` in the policy matches a query whose domains are
 * unknown, and otherwise must equal the query's (stated, or shown by its two domains).
 *
 * @throws {TierguardError} `INVALID_OPTIONS` for a malformed query (see `parseScopeQuery`).
 */
export function scopeMismatch(scope: PolicyScope | undefined, query: ScopeQuery | ParsedScopeQuery): ScopeMismatch | undefined {
  const parsed = isParsedScopeQuery(query) ? query : parseScopeQuery(query);
  if (scope === undefined) return undefined;
  for (const dimension of SCOPE_LIST_DIMENSIONS) {
    const mismatch = listMismatch(dimension, scope[dimension], parsed.lists[dimension]);
    if (mismatch !== undefined) return mismatch;
  }
  return scope.relationship === undefined ? undefined : relationshipMismatch(scope.relationship, parsed);
}

function relationshipMismatch(relationship: RelationshipScope, parsed: ParsedScopeQuery): ScopeMismatch | undefined {
  for (const dimension of RELATIONSHIP_LIST_DIMENSIONS) {
    const mismatch = listMismatch(`relationship.${dimension}`, relationship[dimension], parsed.relationship[dimension]);
    if (mismatch !== undefined) return mismatch;
  }
  const wanted = relationship.differentDomain;
  if (wanted === undefined || parsed.differentDomain === undefined || wanted === parsed.differentDomain) return undefined;
  return { dimension: 'relationship.differentDomain', policy: wanted, query: parsed.differentDomain };
}

function listMismatch(dimension: string, selector: readonly string[] | undefined, values: ParsedValues): ScopeMismatch | undefined {
  if (selector === undefined || values === 'any') return undefined;
  for (const entry of selector) {
    const lower = asciiLower(entry);
    if (lower === ALL || values.has(lower)) return undefined;
  }
  return { dimension, policy: selector, query: [...values] };
}
