import { TierguardError } from '../errors.js';
import type { ProgramEstimate, Range } from './program-size.js';

/**
 * The work budget of one whole scan (every match of a search-and-replace), not
 * just of one search.
 *
 * Each search RE2 runs for the next match reads forward from where the last one
 * ended, and keeps reading past the match while a thread that started at or
 * before the match start is still alive (it might yet give a leftmost or a
 * preferred match). A pattern like `a(?:[\s\S]*z)?` keeps such a thread alive to
 * the end of the input, so every one of N matches rereads the rest: N x length.
 *
 * How far such a thread can live follows from the pattern alone: every code
 * point it consumes lies in an unbounded repetition's body (`loopRanges`) or is
 * one of at most `boundedLength` others. So past the match start, once more than
 * `boundedLength` code points outside `loopRanges` have been read, every thread
 * of the search is dead. Each search is charged program size x the UTF-8 bytes
 * from its start to that point, or to one code point of lookahead past the match
 * end if that is later; a search that finds nothing is charged the rest of the input.
 * The charge depends only on the pattern and the input, never on a clock.
 */
export interface ScanBudget {
  /** Charges one search that began at `from` and found `[start, end)`, or nothing; throws LIMIT_EXCEEDED past the budget. */
  charge(from: number, match: readonly [start: number, end: number] | undefined): void;
}

/**
 * The budget of a pattern with `estimate`, named `shownAs` in the error: built
 * once with the pattern, it starts a fresh {@link ScanBudget} for each input.
 */
export function compileScanBudget(estimate: ProgramEstimate, shownAs: string, maxRegexWork: number): (input: string) => ScanBudget {
  // Depends only on the pattern, so it is built here, not per scan.
  const inLoop = loopMembership(estimate.loopRanges);
  return (input) => startScanBudget(input, estimate, inLoop, shownAs, maxRegexWork);
}

function startScanBudget(
  input: string,
  estimate: ProgramEstimate,
  inLoop: (code: number) => boolean,
  shownAs: string,
  maxRegexWork: number,
): ScanBudget {
  let spent = 0;
  return {
    charge(from, match) {
      const stop = match === undefined ? input.length : searchReach(input, match, estimate.boundedLength, inLoop);
      spent += estimate.size * utf8Bytes(input, from, stop);
      if (spent <= maxRegexWork) return;
      throw new TierguardError(
        'LIMIT_EXCEEDED',
        `scanning an input of ${input.length} UTF-16 units for every match of ${shownAs} (about ${estimate.size} RE2 instructions) ` +
          `costs more than limits.maxRegexWork (${maxRegexWork}) in all; its unbounded repetitions make RE2 reread the text ` +
          'past each match: loop over narrow classes rather than .* or [\\s\\S]*, and keep the pattern small',
        { limit: 'maxRegexWork', actual: spent },
      );
    },
  };
}

// Where the last thread alive at the match start is dead: once it has read the
// (boundedLength + 1)-th code point outside the loops' ranges, counted from the
// match start; or one code point of lookahead ($, \b) past the match end, if later.
function searchReach(
  input: string,
  [start, end]: readonly [number, number],
  boundedLength: number,
  inLoop: (code: number) => boolean,
): number {
  let index = start;
  for (let outside = 0; index < input.length && outside <= boundedLength;) {
    const code = input.codePointAt(index) ?? 0;
    if (!inLoop(code)) outside += 1;
    index += code > 0xffff ? 2 : 1;
  }
  const lookahead = end < input.length ? end + ((input.codePointAt(end) ?? 0) > 0xffff ? 2 : 1) : end;
  return Math.max(index, lookahead);
}

function loopMembership(ranges: readonly Range[]): (code: number) => boolean {
  const ascii = new Uint8Array(128);
  for (const [low, high] of ranges) for (let code = low; code <= Math.min(high, 127); code += 1) ascii[code] = 1;
  return (code) => {
    if (code < 128) return ascii[code] === 1;
    let lowIndex = 0;
    let highIndex = ranges.length;
    while (lowIndex < highIndex) {
      const middle = (lowIndex + highIndex) >>> 1;
      const range = ranges[middle];
      if (range === undefined || range[1] < code) lowIndex = middle + 1;
      else highIndex = middle;
    }
    const range = ranges[lowIndex];
    return range !== undefined && range[0] <= code;
  };
}

/** UTF-8 length of `input[from, to)` as RE2 reads it (a lone surrogate as the three bytes of U+FFFD). */
function utf8Bytes(input: string, from: number, to: number): number {
  let bytes = 0;
  for (let index = from; index < to; index += 1) {
    const unit = input.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    // A high surrogate and a low one are one four-byte code point: two units, two bytes each.
    else if (unit >= 0xd800 && unit <= 0xdfff && isPairHalf(input, index)) bytes += 2;
    else bytes += 3;
  }
  return bytes;
}

function isPairHalf(input: string, index: number): boolean {
  const unit = input.charCodeAt(index);
  if (unit <= 0xdbff) {
    const next = input.charCodeAt(index + 1);
    return next >= 0xdc00 && next <= 0xdfff;
  }
  const previous = input.charCodeAt(index - 1);
  return previous >= 0xd800 && previous <= 0xdbff;
}
