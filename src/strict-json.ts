// One non-recursive scanner and its error positions; at about 300 lines it is
// kept whole because the scan's states only make sense side by side.
import { TierguardError } from './errors.js';

/** Why a JSON text was refused, and where: 1-based line and column, in UTF-16 code units as editors count. */
export interface JsonTextIssue {
  /** What is wrong, in words, without the position. */
  readonly reason: string;
  /** Offset into the text. */
  readonly offset: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** JSON pointer of the member a duplicate key would have overwritten (or of the value being read). */
  readonly pointer: string;
  /** The repeated key, for a duplicate. */
  readonly key?: string;
  /** `maxDepth` when nesting went past the bound. */
  readonly limit?: 'maxDepth';
}

/** Bounds a strict parse keeps, as in `limits`. */
export interface StrictJsonBounds {
  /** Most collections nested below the outermost one (whose own level is free, as a policy file's array is). */
  readonly maxDepth: number;
  /** Largest text, in UTF-8 bytes; left out where the reader already bounded what it read. */
  readonly maxFileBytes?: number;
}

/**
 * Parses JSON text as `JSON.parse` does, but refuses what `JSON.parse` lets
 * through silently: a key repeated in one object, where the last would win
 * (`{"tool":"db.drop","tool":"safe.read"}` must not read as either), and
 * nesting past `maxDepth`. Every refusal, syntax errors included, is an
 * `IO_ERROR` naming `source`, the line and column, and the JSON pointer.
 *
 * The text is checked first by {@link findJsonTextIssue}, which keeps no values;
 * only then does `JSON.parse` build them, so the values (and `__proto__` keys as
 * own properties) are exactly what `JSON.parse` makes.
 */
export function parseStrictJson(text: string, source: string, bounds: StrictJsonBounds): unknown {
  const bytes = bounds.maxFileBytes === undefined ? 0 : Buffer.byteLength(text, 'utf8');
  if (bounds.maxFileBytes !== undefined && bytes > bounds.maxFileBytes) {
    throw new TierguardError('IO_ERROR', `${source}: ${bytes} bytes exceeds limits.maxFileBytes (${bounds.maxFileBytes})`, {
      file: source,
      limit: 'maxFileBytes',
    });
  }
  const issue = findJsonTextIssue(text, bounds.maxDepth);
  if (issue !== undefined) {
    const { reason, line, column, pointer, key, limit } = issue;
    throw new TierguardError('IO_ERROR', `${source}: not valid JSON: line ${line}, column ${column}: ${reason}`, {
      file: source,
      line,
      column,
      pointer,
      ...(key === undefined ? {} : { key }),
      ...(limit === undefined ? {} : { limit }),
    });
  }
  return JSON.parse(text) as unknown;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_SHOWN = 200;

/** One open collection: its keys so far (objects only), and the member being read, for pointers. */
interface Frame {
  readonly keys: Map<string, number> | undefined;
  member: string | number;
}

/**
 * The first thing in `text` that {@link parseStrictJson} refuses, or
 * `undefined` for a text `JSON.parse` accepts with no duplicate key and no
 * collection more than `maxDepth` below the outermost. A loop over an explicit stack, so no depth of
 * nesting can overflow the call stack.
 */
export function findJsonTextIssue(text: string, maxDepth: number): JsonTextIssue | undefined {
  const frames: Frame[] = [];
  const at = (offset: number, reason: string, extra: { key?: string; limit?: 'maxDepth' } = {}): JsonTextIssue => ({
    reason,
    offset,
    ...positionOf(text, offset),
    pointer: pointerOf(frames),
    ...(extra.key === undefined ? {} : { key: extra.key }),
    ...(extra.limit === undefined ? {} : { limit: extra.limit }),
  });
  const found = (offset: number): string => (offset >= text.length ? 'the end of the text' : describeChar(text, offset));

  let i = skipWhitespace(text, 0);
  // Each turn reads one value at `i`, then climbs out of every collection that closes after it.
  for (;;) {
    const code = text.charCodeAt(i);
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (frames.length > maxDepth) return at(i, `nested deeper than limits.maxDepth (${maxDepth})`, { limit: 'maxDepth' });
      const isObject = code === OPEN_BRACE;
      const frame: Frame = { keys: isObject ? new Map() : undefined, member: 0 };
      frames.push(frame);
      i = skipWhitespace(text, i + 1);
      const close = isObject ? CLOSE_BRACE : CLOSE_BRACKET;
      if (text.charCodeAt(i) !== close) {
        if (isObject) {
          const afterKey = readMember(text, i, frames, at, found);
          if (typeof afterKey !== 'number') return afterKey;
          i = afterKey;
        }
        continue;
      }
      frames.pop();
      i += 1;
    } else if (code === QUOTE) {
      const end = scanString(text, i);
      if (typeof end !== 'number') return at(end.offset, end.reason);
      i = end;
    } else if (code === MINUS || (code >= ZERO && code <= NINE)) {
      const end = scanNumber(text, i);
      if (typeof end !== 'number') return at(end.offset, end.reason);
      i = end;
    } else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else return at(i, `expected a value, found ${found(i)}`);

    // A value ended: close collections, or move to the next member.
    for (;;) {
      i = skipWhitespace(text, i);
      const frame = frames[frames.length - 1];
      if (frame === undefined) return i === text.length ? undefined : at(i, `expected the end of the text, found ${found(i)}`);
      const next = text.charCodeAt(i);
      const close = frame.keys === undefined ? CLOSE_BRACKET : CLOSE_BRACE;
      if (next === close) {
        frames.pop();
        i += 1;
        continue;
      }
      if (next !== COMMA) {
        const expected = frame.keys === undefined ? "',' or ']'" : "',' or '}'";
        return at(i, `expected ${expected}, found ${found(i)}`);
      }
      i = skipWhitespace(text, i + 1);
      if (frame.keys === undefined) {
        frame.member = (frame.member as number) + 1;
      } else {
        const afterKey = readMember(text, i, frames, at, found);
        if (typeof afterKey !== 'number') return afterKey;
        i = afterKey;
      }
      break;
    }
  }
}

type At = (offset: number, reason: string, extra?: { key?: string }) => JsonTextIssue;

/**
 * Reads `"key" :` at `i` into `frame`, the innermost of `frames`, refusing a key
 * the object already has; returns where the value starts.
 */
function readMember(text: string, i: number, frames: readonly Frame[], at: At, found: (offset: number) => string): number | JsonTextIssue {
  if (text.charCodeAt(i) !== QUOTE) return at(i, `expected a string key, found ${found(i)}`);
  const end = scanString(text, i);
  if (typeof end !== 'number') return at(end.offset, end.reason);
  const key = decodeKey(text, i, end);
  const frame = frames[frames.length - 1] as Frame;
  const keys = frame.keys as Map<string, number>;
  frame.member = key;
  const first = keys.get(key);
  if (first !== undefined) {
    const { line, column } = positionOf(text, first);
    return at(i, `duplicate key ${cut(JSON.stringify(key))} at ${cut(pointerOf(frames))} (first at line ${line}, column ${column})`, {
      key,
    });
  }
  keys.set(key, i);
  const colon = skipWhitespace(text, end);
  if (text.charCodeAt(colon) !== COLON) return at(colon, `expected ':' after a key, found ${found(colon)}`);
  return skipWhitespace(text, colon + 1);
}

function pointerOf(frames: readonly Frame[]): string {
  let pointer = '';
  for (const frame of frames) pointer += `/${typeof frame.member === 'number' ? frame.member : escapePointer(frame.member)}`;
  return pointer;
}

/** A key or pointer cut for a message: a key may be megabytes long. */
function cut(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…(${text.length} chars)` : text;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The key a string token stands for; escapes are decoded by JSON.parse itself, so `"\u0061"` is `"a"` exactly as it will be. */
function decodeKey(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : raw;
}

// eslint-disable-next-line no-control-regex -- a string ends at the first quote, backslash or control character
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;

interface ScanFailure {
  readonly offset: number;
  readonly reason: string;
}

/** The offset just past the string token starting at `start` (a `"`), or why it is not one. */
function scanString(text: string, start: number): number | ScanFailure {
  let i = start + 1;
  for (;;) {
    // Runs of ordinary characters are skipped in one native step: long strings are common in actions.
    PLAIN_RUN.lastIndex = i;
    PLAIN_RUN.test(text);
    i = PLAIN_RUN.lastIndex;
    if (i >= text.length) return { offset: start, reason: 'a string is not closed' };
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i + 1;
    if (code < 0x20) return { offset: i, reason: `a control character (${describeChar(text, i)}) must be escaped in a string` };
    if (code === BACKSLASH) {
      const escape = text[i + 1];
      if (escape === undefined) return { offset: start, reason: 'a string is not closed' };
      if (escape === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, reason: 'a \\u escape needs four hex digits' };
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(escape)) return { offset: i, reason: `not a JSON escape: ${describeChar(text, i + 1)} after a backslash` };
      i += 2;
      continue;
    }
    i += 1;
  }
}

/** The offset just past the number token starting at `start`, or why it is not one. */
function scanNumber(text: string, start: number): number | ScanFailure {
  let i = start;
  if (text.charCodeAt(i) === MINUS) i += 1;
  const digits = (from: number): number => {
    let j = from;
    while (isDigit(text.charCodeAt(j))) j += 1;
    return j;
  };
  if (text.charCodeAt(i) === ZERO) i += 1;
  else if (isDigit(text.charCodeAt(i))) i = digits(i);
  else return { offset: i, reason: 'a number needs a digit here' };
  if (text.charCodeAt(i) === DOT) {
    if (!isDigit(text.charCodeAt(i + 1))) return { offset: i + 1, reason: 'a number needs a digit after the decimal point' };
    i = digits(i + 1);
  }
  const exponent = text.charCodeAt(i);
  if (exponent === 0x65 || exponent === 0x45) {
    i += 1;
    const sign = text.charCodeAt(i);
    if (sign === PLUS || sign === MINUS) i += 1;
    if (!isDigit(text.charCodeAt(i))) return { offset: i, reason: 'a number needs a digit in its exponent' };
    i = digits(i);
  }
  return i;
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

/** JSON's whitespace only: space, tab, line feed, carriage return (not a BOM or U+00A0, which JSON.parse refuses too). */
function skipWhitespace(text: string, start: number): number {
  let i = start;
  for (;;) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return i;
    i += 1;
  }
}

function describeChar(text: string, offset: number): string {
  const code = text.codePointAt(offset) as number;
  const char = String.fromCodePoint(code);
  return code > 0x20 && code < 0x7f ? `'${char}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let newline = text.indexOf('\n'); newline !== -1 && newline < offset; newline = text.indexOf('\n', newline + 1)) {
    line += 1;
    lineStart = newline + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
