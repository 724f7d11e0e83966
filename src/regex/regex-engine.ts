import { createRequire } from 'node:module';
import { TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import { estimateProgram } from './program-size.js';
import type { ProgramEstimate } from './program-size.js';
import { compileScanBudget } from './scan-budget.js';

/**
 * The one seam between tierguard and a regular-expression engine (ajv's
 * `RegExpLike` idea). Everything that matches untrusted text goes through it, so
 * the engine can be swapped without touching the operators that use it.
 */
export interface RegexLike {
  /** True when the pattern matches anywhere in `input` (a search, not a full match). */
  test(input: string): boolean;
}

/** Flags accepted by {@link compileRegex}: `i` ignore case, `m` multiline anchors, `s` dot matches newline. */
export const REGEX_FLAGS = 'ims';

/** A match's `[start, end)` in UTF-16 code units of the input. */
export type MatchSpan = readonly [start: number, end: number];

/** One match found by {@link RegexScanner.scan}. */
export interface RegexMatch {
  /** Index 0 spans the whole match, index n group n; `undefined` for a group that took no part in the match. */
  readonly spans: readonly (MatchSpan | undefined)[];
  /** The spans of the named groups, by name; `undefined` when the pattern names none. */
  readonly named: Readonly<Record<string, MatchSpan | undefined>> | undefined;
}

/**
 * A pattern compiled to find every match, for search-and-replace. A separate
 * interface from {@link RegexLike}, so the operators' seam stays one method wide.
 */
export interface RegexScanner {
  /** How many capturing groups the pattern has. */
  readonly groupCount: number;
  /** The names of its named groups. */
  readonly groupNames: readonly string[];
  /**
   * Visits every match, left to right and without overlap, as a global
   * `String.prototype.replace` finds them (after an empty match the search moves
   * on by one code point); stops early when `visit` returns false.
   */
  scan(input: string, visit: (match: RegexMatch) => boolean): void;
}

interface Re2Match {
  readonly length: number;
  readonly groups?: Readonly<Record<string, unknown>>;
  readonly indices?: readonly (MatchSpan | undefined)[] & { readonly groups?: Readonly<Record<string, MatchSpan | undefined>> };
}

interface Re2Constructor {
  new (
    pattern: string,
    flags?: string,
  ): {
    test(input: string | Buffer): boolean;
    source: string;
    lastIndex: number;
    exec(input: string): Re2Match | null;
  };
}

// re2 is a CommonJS native addon; createRequire loads it without a JSON-module or
// interop shim, and keeps the import synchronous so policies compile synchronously.
const RE2 = createRequire(import.meta.url)('re2') as Re2Constructor;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Thrown by {@link compileRegex} when the pattern is not valid RE2 syntax. */
export class RegexSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexSyntaxError';
  }
}

/**
 * Thrown by {@link compileRegex} when the pattern's estimated RE2 program is
 * larger than `limits.maxRegexProgramSize`. A {@link RegexSyntaxError}, so every
 * caller that turns bad patterns into policy errors turns this one too.
 */
export class RegexTooLargeError extends RegexSyntaxError {
  /** The estimated program size, in RE2 instructions. */
  readonly programSize: number;

  constructor(source: string, programSize: number, limit: number) {
    super(
      `/${shorten(source)}/ would compile to about ${programSize} RE2 instructions, more than limits.maxRegexProgramSize (${limit}); ` +
        'RE2 may spend that much work on every input byte',
    );
    this.name = 'RegexTooLargeError';
    this.programSize = programSize;
  }
}

/** The bounds a compiled pattern is held to, from the engine's {@link Limits}. */
export type RegexBounds = Pick<Limits, 'maxRegexProgramSize' | 'maxRegexWork'>;

/**
 * Compiles `source` on RE2, which runs in time linear in the input: no pattern,
 * however written, can backtrack catastrophically. Lookaround and backreferences
 * are not RE2 syntax and are rejected here, at compile time, as is a pattern
 * whose program is larger than `bounds.maxRegexProgramSize`. The matcher refuses
 * (LIMIT_EXCEEDED) an input whose UTF-8 length times the program size is more
 * than `bounds.maxRegexWork`, so no match costs more than that budget;
 * `shownAs` names the pattern in that error (a glob shows itself, not its regex).
 */
export function compileRegex(source: string, flags: string, bounds: RegexBounds, shownAs = `/${shorten(source)}/`): RegexLike {
  const { regex, estimate } = compileChecked(source, flags, bounds);
  const guard = workGuard(shownAs, estimate.size, bounds);
  return {
    test(input) {
      guard(input);
      // Handed over as UTF-8 bytes: for each string it has not just seen, node-re2
      // makes a Buffer of its own (unpooled, held by a weak handle), which costs
      // several times a pooled Buffer.from. The bytes are the same (a lone
      // surrogate reads as U+FFFD either way), and without `g` or `y` (never in
      // REGEX_FLAGS) test reads no lastIndex, whose units would differ.
      return regex.test(Buffer.from(input, 'utf8'));
    },
  };
}

function compileChecked(
  source: string,
  flags: string,
  bounds: RegexBounds,
): { regex: { test(input: string | Buffer): boolean }; estimate: ProgramEstimate } {
  if (LONE_SURROGATE.test(source)) {
    // RE2 works on UTF-8, where a lone surrogate has no form: such a pattern would
    // compile and then never match, and under `not` never match means allow.
    throw new RegexSyntaxError('the pattern holds a lone UTF-16 surrogate, which RE2 cannot match');
  }
  for (const flag of flags) {
    if (!REGEX_FLAGS.includes(flag)) {
      throw new RegexSyntaxError(`unknown regex flag "${flag}" (allowed: ${REGEX_FLAGS.split('').join(', ')})`);
    }
  }
  let regex: { test(input: string | Buffer): boolean };
  try {
    regex = new RE2(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RegexSyntaxError(`RE2 cannot compile /${shorten(source)}/: ${reason}`);
  }
  const estimate = estimateProgram(source, flags);
  if (estimate.size > bounds.maxRegexProgramSize) throw new RegexTooLargeError(source, estimate.size, bounds.maxRegexProgramSize);
  return { regex, estimate };
}

// RE2's NFA, where it lands when its DFA gives up, steps every live instruction
// on every byte: size x bytes bounds the work. Lengths in UTF-16 units bound
// UTF-8 bytes from below (one unit is one to three bytes), so the exact byte
// count is taken only when the cheap bound cannot settle it.
function workGuard(shownAs: string, programSize: number, bounds: RegexBounds): (input: string) => void {
  const maxBytes = Math.floor(bounds.maxRegexWork / programSize);
  return (input) => {
    if (input.length <= maxBytes / 3) return;
    const bytes = Buffer.byteLength(input, 'utf8');
    if (bytes <= maxBytes) return;
    throw new TierguardError(
      'LIMIT_EXCEEDED',
      `an input of ${bytes} UTF-8 bytes is more than ${shownAs} (about ${programSize} RE2 instructions) may read ` +
        `within limits.maxRegexWork (${bounds.maxRegexWork}): at most ${maxBytes} bytes`,
      { limit: 'maxRegexWork', actual: bytes * programSize },
    );
  };
}

/**
 * Compiles `source` (checked exactly as {@link compileRegex} checks it) into a
 * {@link RegexScanner}. Spans are UTF-16 offsets into the input, so a caller
 * slices the input itself: RE2 reads text as UTF-8, where a lone surrogate reads
 * as U+FFFD (as it does for `test`), and RE2's own replace would write U+FFFD
 * back even outside the matches; slicing keeps every character as it was.
 * An input over the `bounds.maxRegexWork` budget is refused before any match,
 * and so is a scan once the work of all its searches together passes that
 * budget (LIMIT_EXCEEDED; see `scan-budget.ts`), however many matches it finds.
 */
export function compileScanner(source: string, flags: string, bounds: RegexBounds): RegexScanner {
  const { estimate } = compileChecked(source, flags, bounds);
  const shownAs = `/${shorten(source)}/`;
  const guard = workGuard(shownAs, estimate.size, bounds);
  const startBudget = compileScanBudget(estimate, shownAs, bounds.maxRegexWork);
  // `g` to resume at lastIndex, `d` for the spans of the groups.
  const regex = new RE2(source, `${flags}gd`);
  const { groupCount, groupNames } = groupsOf(source, flags);
  return {
    groupCount,
    groupNames,
    scan(input, visit) {
      guard(input);
      const budget = startBudget(input);
      regex.lastIndex = 0;
      for (;;) {
        const from = regex.lastIndex;
        const spans = regex.exec(input)?.indices;
        const whole = spans?.[0];
        budget.charge(from, whole);
        if (spans === undefined || whole === undefined) return;
        if (!visit({ spans, named: spans.groups })) return;
        const [start, end] = whole;
        if (start === end) {
          if (end >= input.length) return;
          regex.lastIndex = end + codePointWidth(input, end);
        }
      }
    },
  };
}

// RE2 has no call that lists a pattern's groups, and a match lists all of them
// only where it matches. `(?:source)|` matches the empty input through its empty
// branch and has exactly the groups of `source`, which compiled alone and so is
// balanced. The one exception is a trailing `\Q` quote left open, which would
// swallow the `)|`: closing it with `\E` first covers that case.
function groupsOf(source: string, flags: string): { groupCount: number; groupNames: string[] } {
  for (const probe of [`(?:${source})|`, `(?:${source}\\E)|`]) {
    let match: Re2Match | null;
    try {
      match = new RE2(probe, flags).exec('');
    } catch {
      continue;
    }
    if (match !== null) return { groupCount: match.length - 1, groupNames: Object.keys(match.groups ?? {}) };
  }
  throw new RegexSyntaxError(`RE2 cannot list the groups of /${shorten(source)}/`);
}

function codePointWidth(text: string, index: number): number {
  const code = text.codePointAt(index);
  return code !== undefined && code > 0xffff ? 2 : 1;
}

function shorten(source: string): string {
  return source.length > 80 ? `${source.slice(0, 80)}…` : source;
}
