// Characters with a meaning in RE2 syntax; any other character in a source stands for itself.
const METACHARACTERS = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);
const QUANTIFIERS = new Set(['*', '+', '?', '{']);

/**
 * The literal text every match of an anchored regex `source` starts with: the
 * plain and escaped-punctuation characters after the leading `^`, up to the
 * first character that is not certainly literal (a class, a group, a quantified
 * character, a surrogate or U+FFFD, which RE2's reading of lone surrogates blurs).
 * Empty when unsure: a top-level `|`, no `^`. Shorter than possible is always
 * safe; a prefix that some match lacks never is, so every doubt stops the scan.
 */
export function literalPrefixOf(source: string): string {
  if (!source.startsWith('^') || hasTopLevelAlternation(source)) return '';
  return readLiteral(source, 1).text;
}

/**
 * The run of certainly literal characters of `source` from `start` (see
 * {@link literalPrefixOf}), and the offset just past it.
 */
export function readLiteral(source: string, start: number): { readonly text: string; readonly end: number } {
  let text = '';
  let index = start;
  while (index < source.length) {
    const char = source.charAt(index);
    let literal: string;
    let next: number;
    if (char === '\\') {
      literal = source.charAt(index + 1);
      // `\d`, `\w`, `\x41`, ... are classes or codes, not the letter after the backslash.
      if (literal === '' || /[\p{L}\p{N}_\s]/u.test(literal)) break;
      next = index + 2;
    } else if (METACHARACTERS.has(char)) {
      break;
    } else {
      literal = char;
      next = index + 1;
    }
    const code = literal.charCodeAt(0);
    if ((code >= 0xd800 && code <= 0xdfff) || code === 0xfffd) break;
    // `a*` or `a?` may match no `a` at all.
    if (QUANTIFIERS.has(source.charAt(next))) break;
    text += literal;
    index = next;
  }
  return { text, end: index };
}

/** True when `source` has a `|` outside every group and class, which would make `^a|b` start with either. */
function hasTopLevelAlternation(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let index = 0; index < source.length; index += 1) {
    const char = source.charAt(index);
    if (char === '\\') index += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') {
      inClass = true;
      // A `]` first in a class is literal.
      if (source.charAt(index + 1) === '^') index += 1;
      if (source.charAt(index + 1) === ']') index += 1;
    } else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && depth === 0) return true;
  }
  return false;
}
