import { compileGlobSource, isGlobPattern, type GlobLimits } from './compile-glob.js';
import { literalPrefixOf } from './literal-prefix.js';
import { LruCache } from './lru-cache.js';
import { starGlobMatcher } from './star-glob-matcher.js';
import { isTierguardError } from '../errors.js';
import { compileRegex, type RegexBounds, type RegexLike } from '../regex/regex-engine.js';

/** Anything the index can hold: it needs the tool patterns and a stable order. */
export interface Indexed {
  /** Tool patterns, or `undefined` for every tool. */
  readonly tools: readonly string[] | undefined;
  /** Position in the set; lookups return entries in this order. */
  readonly index: number;
}

// Tool names come from agents: a cache keyed by them must not grow without bound,
// in entries or in the size of the keys.
const MAX_CACHED_TOOLS = 4_096;
const MAX_CACHED_NAME_LENGTH = 256;

interface Glob<T> {
  readonly matcher: RegexLike;
  readonly entry: T;
  /** True when `matcher` is RE2: a native call, worth ruling out in bulk. */
  readonly native: boolean;
}

/** The globs that share one literal prefix, and one matcher that rules them all out at once. */
interface GlobBucket<T> {
  readonly globs: readonly Glob<T>[];
  /** All the bucket's globs as one RE2 alternation; absent when fewer than two are RE2 matchers, or RE2 would not take it. */
  readonly anyMatches: RegexLike | undefined;
}

/**
 * Finds the entries whose `tools` can match a tool name, at a cost that does not
 * grow with how many distinct names it has been asked about (agents choose tool
 * names). Every exact name's answer, globs that match it included, is computed
 * once at construction. Other names are answered by the globs that can match
 * them, and when that took RE2, cached in a bounded LRU cache: globs are grouped by the literal text they
 * start with, so a name pays a map lookup per distinct prefix length and one RE2
 * test per group whose prefix it starts with, then a test per glob only in a
 * group that matched; a glob of the common shape `prefix*suffix` is tested
 * without RE2 at all.
 */
export class ToolIndex<T extends Indexed> {
  private readonly exact = new Map<string, readonly T[]>();
  private readonly everyTool: readonly T[];
  private readonly buckets = new Map<string, GlobBucket<T>>();
  /** The distinct prefix lengths of `buckets`, shortest first. */
  private readonly prefixLengths: readonly number[];
  private readonly cache = new LruCache<string, readonly T[]>(MAX_CACHED_TOOLS);
  /** The answer when one glob entry alone matched, per entry: at most one per glob. */
  private readonly alone = new Map<T, readonly T[]>();

  /**
   * Builds the index; glob patterns compile under the `limits` they were
   * validated with when the policy was compiled (`compileGlobSource` keeps each
   * once for every index).
   */
  constructor(entries: readonly T[], limits: GlobLimits) {
    const everyTool: T[] = [];
    const byName = new Map<string, T[]>();
    const grouped = new Map<string, { readonly glob: Glob<T>; readonly source: string }[]>();
    for (const entry of entries) {
      if (entry.tools === undefined) {
        everyTool.push(entry);
        continue;
      }
      for (const pattern of new Set(entry.tools)) {
        if (isGlobPattern(pattern)) {
          // Shared with every other index over the same policies (and with validation):
          // compiled once, with whatever the glob module checks, even when a plain matcher stands in for RE2.
          const { source, matcher: compiled } = compileGlobSource(pattern, limits);
          const prefix = literalPrefixOf(source);
          const group = grouped.get(prefix) ?? [];
          const fast = starGlobMatcher(source);
          group.push({ glob: { matcher: fast ?? compiled, entry, native: fast === undefined }, source });
          grouped.set(prefix, group);
        } else {
          const list = byName.get(pattern) ?? [];
          list.push(entry);
          byName.set(pattern, list);
        }
      }
    }
    for (const [prefix, group] of grouped) {
      const globs = group.map(({ glob }) => glob);
      // One native call instead of several pays only when several would be native calls.
      const natives = globs.filter((glob) => glob.native).length;
      this.buckets.set(prefix, {
        globs,
        anyMatches:
          natives < 2
            ? undefined
            : alternationOf(
                group.map(({ source }) => source),
                limits,
              ),
      });
    }
    this.prefixLengths = [...new Set([...this.buckets.keys()].map((prefix) => prefix.length))].sort((left, right) => left - right);
    this.everyTool = Object.freeze(everyTool);
    for (const [name, named] of byName) this.exact.set(name, this.merge([...named, ...this.globMatches(name).matched]));
  }

  /** The entries that apply to `tool`, in set order, each once. */
  lookup(tool: string): readonly T[] {
    const exact = this.exact.get(tool);
    if (exact !== undefined) return exact;
    const cacheable = tool.length <= MAX_CACHED_NAME_LENGTH;
    if (cacheable) {
      const cached = this.cache.get(tool);
      if (cached !== undefined) return cached;
    }
    const { matched, native } = this.globMatches(tool);
    const found = this.answerFor(matched);
    // An answer found without a native call costs about what a cache hit does; caching it would only churn the cache.
    if (cacheable && native) this.cache.set(tool, found);
    return found;
  }

  /** The entries of the globs that match `tool`, possibly repeated, in no order; `native` when RE2 was asked. */
  private globMatches(tool: string): { readonly matched: readonly T[]; readonly native: boolean } {
    const matched: T[] = [];
    let native = false;
    for (const length of this.prefixLengths) {
      if (length > tool.length) break;
      const bucket = this.buckets.get(tool.slice(0, length));
      if (bucket === undefined) continue;
      if (bucket.anyMatches !== undefined) {
        native = true;
        if (!anyMayMatch(bucket.anyMatches, tool)) continue;
      }
      for (const glob of bucket.globs) {
        native ||= glob.native;
        if (glob.matcher.test(tool)) matched.push(glob.entry);
      }
    }
    return { matched, native };
  }

  /** The answer for what the globs matched, shared where it is one entry's or none. */
  private answerFor(matched: readonly T[]): readonly T[] {
    const [first] = matched;
    if (first === undefined) return this.everyTool;
    if (matched.every((entry) => entry === first)) {
      let alone = this.alone.get(first);
      if (alone === undefined) {
        alone = this.merge([first]);
        this.alone.set(first, alone);
      }
      return alone;
    }
    return this.merge(matched);
  }

  /** `entries` with the every-tool ones, each once, in set order, frozen. */
  private merge(entries: readonly T[]): readonly T[] {
    const found = new Set<T>([...this.everyTool, ...entries]);
    return Object.freeze([...found].sort((left, right) => left.index - right.index));
  }
}

/**
 * One matcher for "any of these anchored sources matches", or `undefined` when
 * there is only one (its own matcher says as much) or RE2 refuses the whole (too
 * large): then each glob is tested, which is slower but gives the same answer.
 */
function alternationOf(sources: readonly string[], bounds: RegexBounds): RegexLike | undefined {
  if (sources.length < 2) return undefined;
  try {
    return compileRegex(sources.map((source) => `(?:${source})`).join('|'), '', bounds);
  } catch {
    return undefined;
  }
}

/**
 * Whether the bucket's combined matcher leaves any glob in play. A name too long
 * for the combined program's work budget is not an answer: the globs are then
 * tested one by one, each under its own budget, so the combination never turns a
 * name one glob may read into an error, nor an error into a miss.
 */
function anyMayMatch(anyMatches: RegexLike, tool: string): boolean {
  try {
    return anyMatches.test(tool);
  } catch (error) {
    if (isTierguardError(error) && error.code === 'LIMIT_EXCEEDED') return true;
    throw error;
  }
}
