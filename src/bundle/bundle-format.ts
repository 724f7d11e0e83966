import { TierguardError } from '../errors.js';
import type { FileContent } from '../file-content.js';
import type { PolicyDefinition } from '../types.js';

/**
 * The JSON bundle format this tierguard writes and reads. The archive format
 * (`.tar.gz`, see `archive-bundle.ts`) parses to the same {@link PolicyBundle}
 * and is verified by the same code; the number changes only when a reader of
 * this one would misread the new one.
 */
export const BUNDLE_FORMAT = 1;

/** The key that marks a JSON document as a bundle, whose value is the format number. */
export const BUNDLE_KEY = 'tierguardBundle';

/**
 * A policy set as one self-contained value: the definitions as loaded, the file
 * each came from and the text of every file they reference, by paths relative
 * to the bundle's root. Held in memory once parsed; `files` is a Map so that no
 * path (`constructor`, `__proto__`) can find an inherited member.
 */
export interface PolicyBundle {
  /** The content hash, equal to `engine.version` of an engine built from the bundle. */
  readonly version: string;
  /** The definitions, in load order. */
  readonly policies: readonly PolicyDefinition[];
  /** For each definition, its source file, relative to the root, with `/` separators. */
  readonly sources: readonly string[];
  /**
   * Every referenced file (a `shapesFile`, each file of an engine binding's
   * policy), relative path to its text, or to its bytes for a file that is not
   * UTF-8 (an OPA bundle bound by an OPA binding), which only an archive carries.
   */
  readonly files: ReadonlyMap<string, FileContent>;
}

/** True for a parsed JSON document that declares itself a bundle (an object with a `tierguardBundle` key). */
export function isBundleDocument(document: unknown): document is Record<string, unknown> {
  return typeof document === 'object' && document !== null && !Array.isArray(document) && Object.hasOwn(document, BUNDLE_KEY);
}

/** A JSON pointer token (RFC 6901): `~` and `/` escaped. */
export function pointerToken(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The `INVALID_BUNDLE` error for the value at `pointer` of the bundle `file`. */
export function invalidBundle(file: string, pointer: string, expected: string, reason: string): TierguardError<'INVALID_BUNDLE'> {
  const where = pointer === '' ? '' : ` at ${pointer}`;
  return new TierguardError('INVALID_BUNDLE', `${file}: invalid bundle${where}: ${reason} (expected ${expected}); nothing of it is used`, {
    file,
    pointer,
    expected,
  });
}
