/**
 * Characters a terminal acts on, or that change how a line reads, rather than
 * showing: C0 controls (newline, carriage return, escape), DEL, C1 controls
 * (U+009B is a one-character CSI), the bidirectional embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) and marks (U+061C, U+200E, U+200F)
 * that reorder a line, zero-width characters (U+200B–U+200D, U+2060, U+FEFF)
 * that hide a difference, and the line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is what this is for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex -- as above
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/g;

// JSON.stringify already escapes C0 inside strings, and outside them the only C0 is layout whitespace.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/g;

const SHORT: Readonly<Record<string, string>> = Object.freeze({ '\n': '\\n', '\r': '\\r', '\t': '\\t' });

function escapeOne(char: string): string {
  if (Object.hasOwn(SHORT, char)) return SHORT[char] as string;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A value from an action, a policy or an engine, made safe to put in a line of
 * human-readable output: every character in {@link UNSAFE} becomes a visible
 * escape (`\n`, `\x1b`, `\u202e`), so a tool name cannot end the line, colour
 * the terminal or reorder what follows into a forged `allow` line.
 */
export function escapeTerminalText(value: string): string {
  return value.replace(UNSAFE, escapeOne);
}

/**
 * Text that is already several lines of output (an error message with its
 * own line breaks), escaped like {@link escapeTerminalText} except for `\n`.
 */
export function escapeTerminalLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escapeOne);
}

/**
 * JSON text from `JSON.stringify` with the characters it leaves raw (DEL, C1,
 * bidi, zero-width, U+2028/U+2029) written as `\uXXXX` escapes. Outside strings
 * JSON allows none of them, so only string contents change, and only in
 * spelling: the text parses to the same value.
 */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
