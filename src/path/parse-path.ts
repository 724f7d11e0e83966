/**
 * Parses the dot-path syntax of policy fields: `arguments.items.0.sku`,
 * `arguments.items[0].sku`, and bracket-quoted keys for names holding dots or
 * spaces: `context.headers["x-api.key"]`. A path starting with `$` is JSONPath
 * and is handled by `jsonpath-reader.ts`, not here.
 */

/** Thrown for a malformed path; the message says what is wrong and where. */
export class PathSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathSyntaxError';
  }
}

/** True when `path` is JSONPath (it starts with `$`) rather than a dot-path. */
export function isJsonPath(path: string): boolean {
  return path.startsWith('$');
}

const IDENTIFIER_CHAR = /[^.[\]"'\s]/;

/** Splits a dot-path into its segments. Index segments stay strings ("0"): whether they index an array is decided per value. */
export function parseDotPath(path: string): string[] {
  return scanDotPath(path, false).map((token) => token.text);
}

/** One segment of a path pattern: a key (a string, as {@link parseDotPath} gives it), or `*` for every element or value. */
export type PatternSegment = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'any' };

/**
 * Parses a dot-path in which an unquoted `*` segment (`a.*.b`, `a[*].b`) stands
 * for every element of an array or every value of an object; a quoted `["*"]`
 * stays the literal key. A `*` inside a longer unquoted segment (`a*b`) is
 * refused rather than read as a key, since it looks like a glob and is none.
 * Otherwise the syntax is that of {@link parseDotPath}.
 */
export function parseDotPathPattern(path: string): PatternSegment[] {
  return scanDotPath(path, true).map((token): PatternSegment => {
    if (token.quoted || !token.text.includes('*')) return { kind: 'key', key: token.text };
    if (token.text === '*') return { kind: 'any' };
    throw new PathSyntaxError(`"*" must be a whole segment in "${path}"; quote a key holding "*" as ["${token.text}"]`);
  });
}

/** A segment as written: its text, and whether it was a quoted key (then never a wildcard). */
interface Token {
  readonly text: string;
  readonly quoted: boolean;
}

const WILDCARD_TOKEN: Token = { text: '*', quoted: false };

// `bracketWildcard` admits `[*]`; plain dot-paths keep refusing it, so their syntax is unchanged.
function scanDotPath(path: string, bracketWildcard: boolean): Token[] {
  if (path.length === 0) throw new PathSyntaxError('path is empty');
  const segments: Token[] = [];
  let position = 0;
  let expectSegment = true;
  while (position < path.length) {
    const char = path.charAt(position);
    if (char === '[') {
      const wildcard = bracketWildcard && path.startsWith('[*]', position);
      const [segment, next]: [Token, number] = wildcard ? [WILDCARD_TOKEN, position + 3] : readBracket(path, position);
      segments.push(segment);
      position = next;
      expectSegment = false;
    } else if (char === '.') {
      if (expectSegment) throw new PathSyntaxError(`empty segment at offset ${position} in "${path}"`);
      position += 1;
      expectSegment = true;
      if (position === path.length) throw new PathSyntaxError(`path "${path}" ends with "."`);
    } else {
      if (!expectSegment) throw new PathSyntaxError(`expected "." or "[" at offset ${position} in "${path}"`);
      let end = position;
      while (end < path.length && IDENTIFIER_CHAR.test(path.charAt(end))) end += 1;
      if (end === position) throw new PathSyntaxError(`unexpected "${char}" at offset ${position} in "${path}"`);
      segments.push({ text: path.slice(position, end), quoted: false });
      position = end;
      expectSegment = false;
    }
  }
  return segments;
}

function readBracket(path: string, open: number): [Token, number] {
  const quote = path.charAt(open + 1);
  if (quote === '"' || quote === "'") {
    let segment = '';
    let position = open + 2;
    while (position < path.length) {
      const char = path.charAt(position);
      if (char === '\\') {
        if (position + 1 >= path.length) break;
        segment += path.charAt(position + 1);
        position += 2;
      } else if (char === quote) {
        if (path.charAt(position + 1) !== ']') {
          throw new PathSyntaxError(`expected "]" after quoted key at offset ${position + 1} in "${path}"`);
        }
        return [{ text: segment, quoted: true }, position + 2];
      } else {
        segment += char;
        position += 1;
      }
    }
    throw new PathSyntaxError(`unterminated quoted key at offset ${open} in "${path}"`);
  }
  const close = path.indexOf(']', open);
  const index = close === -1 ? '' : path.slice(open + 1, close);
  if (!/^(0|[1-9][0-9]*)$/.test(index)) {
    throw new PathSyntaxError(`bracket at offset ${open} in "${path}" must hold an array index like [0] or a quoted key like ["a.b"]`);
  }
  return [{ text: index, quoted: false }, close + 1];
}
