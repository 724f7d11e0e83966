import type { Limits } from '../limits.js';
import { compileRegex, RegexTooLargeError, type RegexLike } from '../regex/regex-engine.js';
import { GlobSyntaxError, globToRegexSource } from './glob-to-regex.js';

/** The limits a glob is compiled under, from the engine's {@link Limits}. */
export type GlobLimits = Pick<Limits, 'maxGlobWildcards' | 'maxRegexProgramSize' | 'maxRegexWork'>;

/** Options for {@link compileGlob}. */
export interface CompileGlobOptions {
  /** Match letters regardless of case (RE2 flag `i`). Default `false`. */
  readonly caseInsensitive?: boolean;
}

// Anything the glob parser treats as other than a literal character. `(` alone is
// literal; it only matters after an extglob operator. Unmatched `]` and `}` are literal.
const GLOB_SYNTAX = /[*?[{\\]|[@+!]\(/;

/**
 * Compiles a glob (semantics in {@link globToRegexSource}) once into an RE2
 * matcher whose `test` is a full match in time linear in the input, held to
 * `limits` like any regex: its `test` refuses (LIMIT_EXCEEDED) an input over
 * `limits.maxRegexWork`.
 *
 * @throws {GlobSyntaxError} when the pattern is malformed or unsupported, has
 *   more than `limits.maxGlobWildcards` wildcards, or compiles to a program over
 *   `limits.maxRegexProgramSize`.
 */
export function compileGlob(pattern: string, limits: GlobLimits, options: CompileGlobOptions = {}): RegexLike {
  const source = globToRegexSource(pattern, limits.maxGlobWildcards);
  try {
    const shown = pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern;
    return compileRegex(source, options.caseInsensitive === true ? 'i' : '', limits, `glob ${JSON.stringify(shown)}`);
  } catch (error) {
    if (error instanceof RegexTooLargeError) {
      throw new GlobSyntaxError(
        pattern,
        0,
        `compiles to about ${error.programSize} RE2 instructions, more than limits.maxRegexProgramSize (${limits.maxRegexProgramSize})`,
      );
    }
    throw error;
  }
}

/**
 * True when `pattern` contains glob syntax. When false, the pattern matches
 * exactly itself and nothing else (case-sensitively), so the caller may look it
 * up in a Map instead of running a matcher.
 */
export function isGlobPattern(pattern: string): boolean {
  return GLOB_SYNTAX.test(pattern);
}
