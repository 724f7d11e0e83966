import { closestNames, didYouMean } from '../did-you-mean.js';
import { TierguardError } from '../errors.js';
import { MAX_SCOPE_QUERY_VALUES, MAX_SCOPE_VALUE_LENGTH } from '../limits.js';
import { asciiLower } from './ascii-lower.js';

/** A query value: one value, or several that all describe the same target (`['payments', 'tag:infra']`). */
export type ScopeValue = string | readonly string[];

/** The list dimensions of a {@link ScopeQuery}, the names of `PolicyScope`'s lists. */
export const SCOPE_LIST_DIMENSIONS = Object.freeze(['providers', 'resourceTypes', 'environments', 'repos', 'languages'] as const);

/** Every dimension a {@link ScopeQuery} may name, in documentation order. */
export const SCOPE_DIMENSIONS = Object.freeze([...SCOPE_LIST_DIMENSIONS, 'relationship'] as const);

/** The list dimensions of a {@link RelationshipQuery}, the names of `RelationshipScope`'s lists. */
export const RELATIONSHIP_LIST_DIMENSIONS = Object.freeze([
  'sourceLayer',
  'targetLayer',
  'sourceComponent',
  'targetComponent',
  'sourceDomain',
  'targetDomain',
  'interaction',
] as const);

/** Every dimension a {@link RelationshipQuery} may name, in the order of `RelationshipScope`. */
export const RELATIONSHIP_DIMENSIONS = Object.freeze([
  'sourceLayer',
  'targetLayer',
  'sourceComponent',
  'targetComponent',
  'sourceDomain',
  'targetDomain',
  'differentDomain',
  'interaction',
] as const);

/** A list dimension of a scope. */
export type ScopeListDimension = (typeof SCOPE_LIST_DIMENSIONS)[number];

/** A list dimension of a relationship. */
export type RelationshipListDimension = (typeof RELATIONSHIP_LIST_DIMENSIONS)[number];

/** The relationship an agent is about to create, for architectural rules. */
export type RelationshipQuery = {
  readonly [K in RelationshipListDimension]?: ScopeValue;
} & {
  /** `true`: the two sides are in different domains; `false`: in one. Derived from the domains when both are given. */
  readonly differentDomain?: boolean;
};

/**
 * What an agent is about to produce, described with the dimensions of
 * `PolicyScope` (`{ providers: 'aws', resourceTypes: 'aws_s3_bucket',
 * environments: 'prod', languages: 'hcl' }`). A dimension left out matches every
 * policy; see the README's "Scope matching" table for the rules.
 */
export type ScopeQuery = {
  readonly [K in ScopeListDimension]?: ScopeValue;
} & {
  /** The relationship the output creates, for architectural rules. */
  readonly relationship?: RelationshipQuery;
};

/**
 * One dimension of a parsed query: `any` when the query left it out or said
 * `all`, otherwise its values lower-cased in ASCII (the case rule of matching).
 */
export type ParsedValues = 'any' | ReadonlySet<string>;

/** A query checked and normalised once, so matching it against many policies costs lookups only. */
export interface ParsedScopeQuery {
  /** Each list dimension. */
  readonly lists: Readonly<Record<ScopeListDimension, ParsedValues>>;
  /** Each relationship list dimension. */
  readonly relationship: Readonly<Record<RelationshipListDimension, ParsedValues>>;
  /** Whether the two sides' domains differ: as the query says, or as its two domains show; absent when unknown. */
  readonly differentDomain?: boolean;
}

/** The wildcard: in a policy's list or a query's, it matches every value. */
export const ALL = 'all';

// The queries this module parsed: only these are taken as parsed, whatever else looks like one.
const parsedQueries = new WeakSet<ParsedScopeQuery>();

/** True when `query` came from {@link parseScopeQuery}. */
export function isParsedScopeQuery(query: unknown): query is ParsedScopeQuery {
  return typeof query === 'object' && query !== null && parsedQueries.has(query as ParsedScopeQuery);
}

/**
 * Checks `input` as a {@link ScopeQuery} and normalises it, so it can be matched
 * against many policies at the cost of lookups.
 *
 * @throws {TierguardError} `INVALID_OPTIONS` for a key that is not a dimension
 *   (listing the dimensions, with a suggestion), a value that is not a string or
 *   a list of 1 to {@link MAX_SCOPE_QUERY_VALUES} strings of 1 to
 *   {@link MAX_SCOPE_VALUE_LENGTH} characters, a `tag:` without a tag, a
 *   `differentDomain` that is not a boolean, or one the query's own domains contradict.
 */
export function parseScopeQuery(input: unknown): ParsedScopeQuery {
  const object = requireObject(input, 'scope');
  rejectUnknownDimensions(object, SCOPE_DIMENSIONS, 'scope');
  const lists = Object.fromEntries(
    SCOPE_LIST_DIMENSIONS.map((dimension) => [dimension, parseValues(own(object, dimension), `scope.${dimension}`)]),
  ) as Record<ScopeListDimension, ParsedValues>;
  const relationship = parseRelationship(own(object, 'relationship'));
  const result: ParsedScopeQuery = Object.freeze({
    lists: Object.freeze(lists),
    relationship: Object.freeze(relationship.lists),
    ...(relationship.differentDomain === undefined ? {} : { differentDomain: relationship.differentDomain }),
  });
  parsedQueries.add(result);
  return result;
}

function parseRelationship(input: unknown): {
  lists: Record<RelationshipListDimension, ParsedValues>;
  differentDomain?: boolean;
} {
  const object = input === undefined ? {} : requireObject(input, 'scope.relationship');
  rejectUnknownDimensions(object, RELATIONSHIP_DIMENSIONS, 'scope.relationship');
  const lists = Object.fromEntries(
    RELATIONSHIP_LIST_DIMENSIONS.map((dimension) => [dimension, parseValues(own(object, dimension), `scope.relationship.${dimension}`)]),
  ) as Record<RelationshipListDimension, ParsedValues>;
  const stated = own(object, 'differentDomain');
  if (stated !== undefined && typeof stated !== 'boolean') {
    throw invalid('scope.relationship.differentDomain must be true or false', 'scope.relationship.differentDomain', stated);
  }
  const shown = domainsDiffer(lists.sourceDomain, lists.targetDomain);
  if (stated !== undefined && shown !== undefined && stated !== shown) {
    throw invalid(
      `scope.relationship.differentDomain is ${String(stated)}, but sourceDomain and targetDomain ${shown ? 'differ' : 'are the same'}`,
      'scope.relationship.differentDomain',
      stated,
    );
  }
  const differentDomain = stated ?? shown;
  return differentDomain === undefined ? { lists } : { lists, differentDomain };
}

/**
 * Whether two domain lists are different domains: `true` when they share no
 * value, `false` when they share one, unknown when either side is left out or `all`.
 */
function domainsDiffer(source: ParsedValues, target: ParsedValues): boolean | undefined {
  if (source === 'any' || target === 'any') return undefined;
  for (const value of source) if (target.has(value)) return false;
  return true;
}

function parseValues(input: unknown, option: string): ParsedValues {
  if (input === undefined) return 'any';
  const values = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(values) || values.length === 0 || values.length > MAX_SCOPE_QUERY_VALUES) {
    throw invalid(`${option} must be a string or a list of 1 to ${MAX_SCOPE_QUERY_VALUES} strings`, option, input);
  }
  const set = new Set<string>();
  for (const value of values as unknown[]) {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SCOPE_VALUE_LENGTH) {
      throw invalid(`each value of ${option} must be a string of 1 to ${MAX_SCOPE_VALUE_LENGTH} characters`, option, value);
    }
    const lower = asciiLower(value);
    if (lower === 'tag:' && option === 'scope.repos')
      throw invalid('a tag: selector of scope.repos needs a tag (tag:infra)', option, value);
    if (lower === ALL) return 'any';
    set.add(lower);
  }
  return set;
}

/** An own property only: a dimension inherited from a prototype is not part of the query. */
function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

function requireObject(input: unknown, option: string): object {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(`${option} must be an object`, option, input === null ? null : Array.isArray(input) ? 'array' : typeof input);
  }
  return input;
}

// A key is echoed in the message: a hostile one is cut short there.
const MAX_ECHOED_KEY = 64;

function rejectUnknownDimensions(object: object, known: readonly string[], option: string): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const shown = key.length > MAX_ECHOED_KEY ? `${key.slice(0, MAX_ECHOED_KEY)}...` : key;
    throw invalid(
      `${JSON.stringify(shown)} is not a dimension of ${option}${didYouMean(closestNames(key, known))}; the dimensions are ${known.join(', ')}`,
      `${option}.${shown}`,
    );
  }
}

function invalid(message: string, option: string, actual?: unknown): TierguardError {
  return new TierguardError('INVALID_OPTIONS', message, { option, ...(actual === undefined ? {} : { actual }) });
}
