import { isGlobPattern } from '../glob/compile-glob.js';
import type { Limits } from '../limits.js';
import { toolMatcher } from '../mcp/gateway/tool-matcher.js';

/** Tests tool names against a policy's `tools`, as the engine's tool index matches them; `undefined` selects every tool. */
export function toolSelector(patterns: readonly string[] | undefined, limits: Limits): (name: string) => boolean {
  if (patterns === undefined) return () => true;
  const matchers = patterns.map((pattern) => toolMatcher(pattern, limits));
  return (name) => matchers.some((matches) => matches(name));
}

/**
 * True when `outer` selects every tool `inner` does, as far as that can be told
 * without enumerating names: `outer` is every tool, or each pattern of `inner`
 * is one of `outer`'s, or an exact name (no glob syntax) one of them matches.
 * Two different globs are never taken to cover one another.
 */
export function toolsCover(outer: readonly string[] | undefined, inner: readonly string[] | undefined, limits: Limits): boolean {
  if (outer === undefined) return true;
  if (inner === undefined) return false;
  const selects = toolSelector(outer, limits);
  return inner.every((pattern) => outer.includes(pattern) || (!isGlobPattern(pattern) && selects(pattern)));
}
