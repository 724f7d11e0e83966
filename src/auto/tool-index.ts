import { compileGlob, isGlobPattern, type GlobLimits } from './glob/compile-glob.js';
import type { RegexLike } from '../regex/regex-engine.js';

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

/**
 * Finds the entries whose `tools` can match a tool name. Exact names sit in a
 * map and globs in a list, so an action pays only for what can match it; the
 * merged answer per tool name is cached, so a steady workload pays one map lookup.
 */
export class ToolIndex<T extends Indexed> {
  private readonly exact = new Map<string, T[]>();
  private readonly globs: { readonly matcher: RegexLike; readonly entry: T }[] = [];
  private readonly everyTool: T[] = [];
  private readonly cache = new Map<string, readonly T[]>();

  /**
   * Builds the index; glob patterns compile here, under the `limits` they were
   * validated with when the policy was compiled.
   */
  constructor(entries: readonly T[], limits: GlobLimits) {
    for (const entry of entries) {
      if (entry.tools === undefined) {
        this.everyTool.push(entry);
        continue;
      }
      for (const pattern of new Set(entry.tools)) {
        if (isGlobPattern(pattern)) {
          this.globs.push({ matcher: compileGlob(pattern, limits), entry });
        } else {
          const list = this.exact.get(pattern) ?? [];
          list.push(entry);
          this.exact.set(pattern, list);
        }
      }
    }
  }

  /** The entries that apply to `tool`, in set order, each once. */
  lookup(tool: string): readonly T[] {
    const cached = this.cache.get(tool);
    if (cached !== undefined) return cached;
    const found = new Set<T>([...this.everyTool, ...(this.exact.get(tool) ?? [])]);
    for (const { matcher, entry } of this.globs) if (matcher.test(tool)) found.add(entry);
    const ordered = Object.freeze([...found].sort((left, right) => left.index - right.index));
    if (tool.length <= MAX_CACHED_NAME_LENGTH) {
      if (this.cache.size >= MAX_CACHED_TOOLS) this.cache.clear();
      this.cache.set(tool, ordered);
    }
    return ordered;
  }
}
