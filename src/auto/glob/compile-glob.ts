import { compileRegex, type RegexLike } from '../../regex/regex-engine.js';
import { globToRegexSource } from './glob-to-regex.js';

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
 * matcher whose `test` is a full match in time linear in the input.
 *
 * @throws {GlobSyntaxError} when the pattern is malformed or unsupported.
 */
export function compileGlob(pattern: string, options: CompileGlobOptions = {}): RegexLike {
  return compileRegex(globToRegexSource(pattern), options.caseInsensitive === true ? 'i' : '');
}

/**
 * True when `pattern` contains glob syntax. When false, the pattern matches
 * exactly itself and nothing else (case-sensitively), so the caller may look it
 * up in a Map instead of running a matcher.
 */
export function isGlobPattern(pattern: string): boolean {
  return GLOB_SYNTAX.test(pattern);
}
