import { compileGlob, isGlobPattern } from '../../glob/compile-glob.js';
import type { Limits } from '../../limits.js';

/**
 * A test of tool names against one `tools` pattern, as the engine's tool index
 * matches them: a pattern without glob syntax is the exact name, any other is a
 * glob compiled under `limits`. A name the glob refuses to read (longer than
 * `limits.maxRegexWork` allows) is not matched. Throws `GlobSyntaxError` for a
 * pattern the glob module refuses, which a compiled policy never holds.
 */
export function toolMatcher(pattern: string, limits: Limits): (name: string) => boolean {
  if (!isGlobPattern(pattern)) return (name) => name === pattern;
  const glob = compileGlob(pattern, limits);
  return (name) => {
    try {
      return glob.test(name);
    } catch {
      return false;
    }
  };
}
