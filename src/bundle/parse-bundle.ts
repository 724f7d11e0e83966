import { TierguardError } from '../errors.js';
import type { FileContent } from '../file-content.js';
import type { PolicyDefinition } from '../types.js';
import type { PolicyBundle } from './bundle-format.js';
import { BUNDLE_FORMAT, BUNDLE_KEY, invalidBundle, pointerToken } from './bundle-format.js';
import { unsafeBundlePath } from './bundle-paths.js';
import { filePointer, hashBundle } from './bundle-version.js';

const KEYS: ReadonlySet<string> = new Set([BUNDLE_KEY, 'version', 'policies', 'sources', 'files']);
const VERSION = /^sha256:[0-9a-f]{64}$/;

/**
 * Checks a parsed bundle document whole before any of it is used, and returns
 * it as a {@link PolicyBundle}: the format number, exactly the known keys, a
 * source per definition, every path (sources, files) a plain relative path
 * (`unsafeBundlePath`), no path both a file and a folder, every reference
 * resolving to a file the bundle holds, no file that nothing references, and
 * the stated `version` equal to the hash of the content. Any failure is an
 * `INVALID_BUNDLE` naming the file and the JSON pointer; nothing is partial.
 * The definitions themselves are validated later by `createEngine`, as those
 * read from policy files are (their hash is checked here all the same). A
 * file's content is its text; only an archive, read with `binary`, also
 * carries bytes (a file that is not UTF-8).
 */
export function parseBundle(document: Record<string, unknown>, file: string, options: { readonly binary?: boolean } = {}): PolicyBundle {
  for (const key of Object.keys(document)) {
    if (!KEYS.has(key)) throw invalidBundle(file, `/${pointerToken(key)}`, `one of ${[...KEYS].join(', ')}`, `unknown key "${key}"`);
  }
  const format = document[BUNDLE_KEY];
  if (format !== BUNDLE_FORMAT) {
    throw invalidBundle(file, `/${BUNDLE_KEY}`, String(BUNDLE_FORMAT), `format ${JSON.stringify(format)} is not one this tierguard reads`);
  }
  const { version, policies, sources, files } = document;
  if (typeof version !== 'string' || !VERSION.test(version))
    throw invalidBundle(file, '/version', '"sha256:" and 64 hex digits', 'missing or malformed');
  if (!Array.isArray(policies)) throw invalidBundle(file, '/policies', 'an array of policy definitions', 'missing or not an array');
  const sourceList = readSources(sources, policies.length, file);
  const fileMap = readFiles(files, file, options.binary === true);
  const { version: actual, used } = hashBundle(policies, sourceList, fileMap, file);
  for (const path of fileMap.keys()) {
    if (!used.has(path))
      throw invalidBundle(file, filePointer(path), 'only files the policies reference', `${path} is referenced by no policy`);
  }
  if (actual !== version) {
    throw new TierguardError(
      'INVALID_BUNDLE',
      `${file}: invalid bundle: its content hashes to ${actual}, not the ${version} it states (edited or damaged); nothing of it is used`,
      { file, pointer: '/version', expected: 'the hash of the content', version, actual },
    );
  }
  return Object.freeze({ version, policies: policies as PolicyDefinition[], sources: sourceList, files: fileMap });
}

function readSources(sources: unknown, count: number, file: string): string[] {
  if (!Array.isArray(sources)) throw invalidBundle(file, '/sources', 'an array of relative paths', 'missing or not an array');
  if (sources.length !== count) {
    throw invalidBundle(file, '/sources', `${count} entries, one per policy`, `${sources.length} entries`);
  }
  return sources.map((source: unknown, index) => {
    if (typeof source !== 'string') throw invalidBundle(file, `/sources/${index}`, 'a relative path', 'not a string');
    const unsafe = unsafeBundlePath(source);
    if (unsafe !== undefined)
      throw invalidBundle(file, `/sources/${index}`, 'a relative path inside the bundle', `${JSON.stringify(source)} has ${unsafe}`);
    return source;
  });
}

function readFiles(files: unknown, file: string, binary: boolean): Map<string, FileContent> {
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    throw invalidBundle(file, '/files', 'an object of relative path to text', 'missing or not an object');
  }
  const map = new Map<string, FileContent>();
  for (const [path, text] of Object.entries(files)) {
    const pointer = filePointer(path);
    const unsafe = unsafeBundlePath(path);
    if (unsafe !== undefined)
      throw invalidBundle(file, pointer, 'a relative path inside the bundle', `${JSON.stringify(path)} has ${unsafe}`);
    if (typeof text !== 'string' && !(binary && text instanceof Uint8Array))
      throw invalidBundle(file, pointer, "the file's text", 'not a string');
    map.set(path, text);
  }
  // A path that is a file and also a folder of another cannot be written out.
  for (const path of map.keys()) {
    const segments = path.split('/');
    for (let end = 1; end < segments.length; end++) {
      const folder = segments.slice(0, end).join('/');
      if (map.has(folder))
        throw invalidBundle(file, filePointer(folder), 'a file or a folder, not both', `${folder} is a file and the folder of ${path}`);
    }
  }
  return map;
}
