import type { Limits } from '../limits.js';
import { toolMatcher } from '../mcp/gateway/tool-matcher.js';

/** Tests tool names against a policy's `tools`, as the engine's tool index matches them; `undefined` selects every tool. */
export function toolSelector(patterns: readonly string[] | undefined, limits: Limits): (name: string) => boolean {
  if (patterns === undefined) return () => true;
  const matchers = patterns.map((pattern) => toolMatcher(pattern, limits));
  return (name) => matchers.some((matches) => matches(name));
}
