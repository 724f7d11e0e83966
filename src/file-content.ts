import { createHash } from 'node:crypto';

/** What a referenced file holds: its text when it is UTF-8, its bytes otherwise (an OPA bundle, a `.wasm` module). */
export type FileContent = string | Uint8Array;

// fatal: invalid UTF-8 is refused, never replaced. ignoreBOM: a leading BOM stays in the text, as Buffer's decoder keeps it.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes` when they are well-formed UTF-8, or `undefined`. */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * A file's content as a bundle carries it: the text when the bytes are UTF-8
 * (which encodes back to the very same bytes), otherwise the bytes themselves,
 * so a binary file travels unchanged instead of as replacement characters.
 */
export function fileContentOf(bytes: Uint8Array): FileContent {
  return strictUtf8(bytes) ?? Uint8Array.from(bytes);
}

/** The bytes of a file's content, as written to disk. */
export function contentBytes(content: FileContent): Uint8Array {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

/**
 * What stands for a file in a policy set's version: its text when it is UTF-8
 * (so versions of text files are what they always were), else a digest of its
 * bytes behind a lone surrogate. Decoded UTF-8 never holds a lone surrogate, and
 * the canonical JSON the version hashes escapes one as `\ud800`, which no text
 * serialises to (its backslash would be escaped), so no text file can stand in
 * for a binary one; and unlike text decoded with replacement characters, two
 * binaries that differ anywhere get different versions.
 */
export function versionTextOf(content: FileContent): string {
  if (typeof content === 'string') return content;
  const text = strictUtf8(content);
  return text ?? `\ud800binary sha256:${createHash('sha256').update(content).digest('hex')}`;
}
