import { strictUtf8 } from '../file-content.js';
import { invalidBundle, pointerToken } from './bundle-format.js';
import { unsafeBundlePath } from './bundle-paths.js';
import { parseJson } from './read-json.js';

/** The key that marks `manifest.json` as a bundle archive's manifest, whose value is the format number. */
export const MANIFEST_KEY = 'tierguardBundleManifest';

/** The archive format this tierguard writes and reads. */
export const MANIFEST_FORMAT = 1;

/** The archive's entries that are not listed in its manifest: the manifest itself and its signature. */
export const MANIFEST_ENTRY = 'manifest.json';
export const SIGNATURE_ENTRY = 'manifest.sig';
/** The entry holding the definitions, as one JSON array in load order. */
export const POLICIES_ENTRY = 'policies.json';
/** The folder of the archive that holds the referenced files, by their paths in the bundle. */
export const FILES_FOLDER = 'files/';

/** One entry the manifest vouches for: its path, size and digest. */
export interface ManifestEntry {
  /** The entry's path in the archive (`policies.json`, `files/shapes/summary.ttl`). */
  readonly path: string;
  /** Its size in bytes. */
  readonly size: number;
  /** The hex SHA-256 of its bytes. */
  readonly sha256: string;
}

/** What `manifest.json` says: the set's version, each definition's source, and every other entry with its size and digest. */
export interface BundleManifest {
  /** The content hash: the `engine.version` of an engine built from the bundle. */
  readonly version: string;
  /** For each definition, its source file, relative to the bundle's root. */
  readonly sources: readonly string[];
  /** Every entry but the manifest and its signature, sorted by path. */
  readonly entries: readonly ManifestEntry[];
}

const KEYS: ReadonlySet<string> = new Set([MANIFEST_KEY, 'version', 'sources', 'entries']);
const ENTRY_KEYS: ReadonlySet<string> = new Set(['path', 'size', 'sha256']);
const VERSION = /^sha256:[0-9a-f]{64}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** The manifest's bytes: fixed key order, two-space indentation and a final newline, so the same set gives the same bytes (and signature). */
export function serialiseManifest(manifest: BundleManifest): Buffer {
  const document = {
    [MANIFEST_KEY]: MANIFEST_FORMAT,
    version: manifest.version,
    sources: manifest.sources,
    entries: manifest.entries.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
  };
  return Buffer.from(`${JSON.stringify(document, null, 2)}\n`, 'utf8');
}

/**
 * Reads `manifest.json` strictly: UTF-8 JSON (no repeated key), exactly the
 * known keys, the format number, a `sha256:` version, sources and entry paths
 * that are plain relative paths, each entry once with a whole-number size and
 * a hex digest. Any fault is an `INVALID_BUNDLE` naming `label` and a pointer
 * into the manifest (`/entries/2/sha256`).
 */
export function parseManifest(bytes: Uint8Array, label: string, maxDepth: number): BundleManifest {
  const where = `${label}: ${MANIFEST_ENTRY}`;
  const fail = (pointer: string, expected: string, reason: string): never => {
    throw invalidBundle(where, pointer, expected, reason);
  };
  const text = strictUtf8(bytes);
  if (text === undefined) return fail('', 'UTF-8 JSON', 'it is not UTF-8');
  const document = parseJson(text, where, { maxDepth });
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return fail('', 'a JSON object', 'it is not an object');
  for (const key of Object.keys(document)) {
    if (!KEYS.has(key)) fail(`/${pointerToken(key)}`, `one of ${[...KEYS].join(', ')}`, `unknown key "${key}"`);
  }
  const { [MANIFEST_KEY]: format, version, sources, entries } = document as Record<string, unknown>;
  if (format !== MANIFEST_FORMAT)
    fail(`/${MANIFEST_KEY}`, String(MANIFEST_FORMAT), `format ${JSON.stringify(format)} is not one this tierguard reads`);
  if (typeof version !== 'string' || !VERSION.test(version)) return fail('/version', '"sha256:" and 64 hex digits', 'missing or malformed');
  if (!Array.isArray(sources)) return fail('/sources', 'an array of relative paths', 'missing or not an array');
  const sourceList = sources.map((source: unknown, index): string => {
    if (typeof source !== 'string') return fail(`/sources/${index}`, 'a relative path', 'not a string');
    const unsafe = unsafeBundlePath(source);
    if (unsafe !== undefined) fail(`/sources/${index}`, 'a relative path inside the bundle', `${JSON.stringify(source)} has ${unsafe}`);
    return source;
  });
  if (!Array.isArray(entries)) return fail('/entries', 'an array of { path, size, sha256 }', 'missing or not an array');
  const seen = new Set<string>();
  const entryList = entries.map((entry: unknown, index): ManifestEntry => {
    const at = `/entries/${index}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail(at, '{ path, size, sha256 }', 'not an object');
    for (const key of Object.keys(entry)) {
      if (!ENTRY_KEYS.has(key)) fail(`${at}/${pointerToken(key)}`, 'path, size and sha256', `unknown key "${key}"`);
    }
    const { path, size, sha256 } = entry as Record<string, unknown>;
    if (typeof path !== 'string' || unsafeBundlePath(path) !== undefined)
      return fail(`${at}/path`, 'a relative path inside the bundle', 'missing or unsafe');
    if (path === MANIFEST_ENTRY || path === SIGNATURE_ENTRY)
      fail(`${at}/path`, 'an entry other than the manifest and its signature', `${path} lists itself`);
    if (seen.has(path)) fail(`${at}/path`, 'each entry once', `${path} is listed twice`);
    seen.add(path);
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      return fail(`${at}/size`, 'a whole number of bytes', 'missing or malformed');
    if (typeof sha256 !== 'string' || !SHA256.test(sha256)) return fail(`${at}/sha256`, '64 lower-case hex digits', 'missing or malformed');
    return Object.freeze({ path, size, sha256 });
  });
  return Object.freeze({ version, sources: Object.freeze(sourceList), entries: Object.freeze(entryList) });
}
