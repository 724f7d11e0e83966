/**
 * Characters XML 1.0 does not allow at all, not even as `&#...;` references:
 * C0 controls other than tab, line feed and carriage return, unpaired
 * surrogates, U+FFFE and U+FFFF. (With the `u` flag a surrogate pair is one
 * code point, so only a lone half matches.)
 */
// eslint-disable-next-line no-control-regex -- finding control characters is what this is for
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/u;

/**
 * Characters written as references: the five markup characters, the three
 * whitespace controls (so an attribute value keeps them and every finding stays
 * on one line of the file), and what a terminal acts on or that reorders a line
 * (DEL, C1, bidi controls and marks, zero-width characters, U+2028/U+2029).
 */
const AS_REFERENCE = /[&<>"'\t\n\r\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/u;

const ESCAPABLE = new RegExp(`${FORBIDDEN.source}|${AS_REFERENCE.source}`, 'gu');

const ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
});

/**
 * Text made safe for XML 1.0 element content and attribute values alike: markup
 * characters become entities (so `]]>`, `<` and `&` cannot end or open markup),
 * whitespace controls and terminal-unsafe characters become `&#x..;` references,
 * and characters XML 1.0 forbids outright (NUL, ESC, a lone surrogate) become
 * visible escapes (`\x00`, `\x1b`, `\ud800`): dropped, a difference between two
 * names would be hidden; kept, no XML parser would read the report.
 */
export function escapeXml(text: string): string {
  return text.replace(ESCAPABLE, (char) => {
    if (Object.hasOwn(ENTITIES, char)) return ENTITIES[char] as string;
    const code = char.charCodeAt(0);
    if (FORBIDDEN.test(char)) return code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
    return `&#x${code.toString(16).toUpperCase()};`;
  });
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
