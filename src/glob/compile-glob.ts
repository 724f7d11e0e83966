import type { Limits } from '../limits.js';
import { compileRegex, RegexTooLargeError, type RegexLike } from '../regex/regex-engine.js';
import { GlobSyntaxError, globToRegexSource } from './glob-to-regex.js';
import { LruCache } from './lru-cache.js';

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

/** A glob compiled once: its RE2 source (anchored, `^...$`) and its matcher. */
export interface CompiledGlob {
  /** The regex source the glob compiles to, for callers that read or combine it. */
  readonly source: string;
  /** The full-match matcher on RE2, held to the limits it was compiled under. */
  readonly matcher: RegexLike;
}

// A policy's tool globs are compiled when the set is validated and again by every
// index over it (auto checks, rewrites, the formal tier, MCP response policies and
// catalog): a matcher is stateless, so one per pattern and limits serves them all.
// Bounded like any cache, so a long run of hot reloads cannot grow it; failures are
// not kept, so a bad pattern throws the same error every time.
const MAX_CACHED_GLOBS = 2_048;
const compiled = new LruCache<string, CompiledGlob>(MAX_CACHED_GLOBS);

/**
 * {@link compileGlob}'s answer with the regex source it compiled, shared by
 * every caller asking for the same pattern under the same limits and options.
 *
 * @throws {GlobSyntaxError} as {@link compileGlob}.
 */
export function compileGlobSource(pattern: string, limits: GlobLimits, options: CompileGlobOptions = {}): CompiledGlob {
  const caseInsensitive = options.caseInsensitive === true;
  const key = `${limits.maxGlobWildcards}/${limits.maxRegexProgramSize}/${limits.maxRegexWork}/${caseInsensitive ? 'i' : ''}/${pattern}`;
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  const source = globToRegexSource(pattern, limits.maxGlobWildcards);
  let matcher: RegexLike;
  try {
    const shown = pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern;
    matcher = compileRegex(source, caseInsensitive ? 'i' : '', limits, `glob ${JSON.stringify(shown)}`);
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
  const entry: CompiledGlob = Object.freeze({ source, matcher: Object.freeze(matcher) });
  compiled.set(key, entry);
  return entry;
}

/**
 * Compiles a glob (semantics in {@link globToRegexSource}) into an RE2
 * matcher whose `test` is a full match in time linear in the input, held to
 * `limits` like any regex: its `test` refuses (LIMIT_EXCEEDED) an input over
 * `limits.maxRegexWork`. Compiled once per pattern, limits and options; later
 * calls share the matcher.
 *
 * @throws {GlobSyntaxError} when the pattern is malformed or unsupported, has
 *   more than `limits.maxGlobWildcards` wildcards, or compiles to a program over
 *   `limits.maxRegexProgramSize`.
 */
export function compileGlob(pattern: string, limits: GlobLimits, options: CompileGlobOptions = {}): RegexLike {
  return compileGlobSource(pattern, limits, options).matcher;
}

/**
 * True when `pattern` contains glob syntax. When false, the pattern matches
 * exactly itself and nothing else (case-sensitively), so the caller may look it
 * up in a Map instead of running a matcher.
 */
export function isGlobPattern(pattern: string): boolean {
  return GLOB_SYNTAX.test(pattern);
}
