import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzipSync } from 'node:zlib';
import { describeThrown } from '../describe-thrown.js';
import { contentBytes, fileContentOf, strictUtf8 } from '../file-content.js';
import type { FileContent } from '../file-content.js';
import { MAX_BUNDLE_ARCHIVE_ENTRIES } from '../limits.js';
import type { PolicyBundle } from './bundle-format.js';
import { BUNDLE_FORMAT, BUNDLE_KEY, invalidBundle } from './bundle-format.js';
import { SIGNATURE_BYTES, signBytes, verifyBytes } from './bundle-keys.js';
import type { BundleManifest, ManifestEntry } from './bundle-manifest.js';
import { FILES_FOLDER, MANIFEST_ENTRY, POLICIES_ENTRY, SIGNATURE_ENTRY, parseManifest, serialiseManifest } from './bundle-manifest.js';
import { parseBundle } from './parse-bundle.js';
import { parseJson } from './read-json.js';
import { compareCodeUnits, sortedKeys } from './serialise-bundle.js';
import { readTar } from './tar-read.js';
import type { TarEntry } from './tar-write.js';
import { writeTar } from './tar-write.js';

/** Whether an archive's manifest carried a signature, and whether it was checked. */
export type BundleSignature = 'verified' | 'unchecked' | 'absent';

/** A bundle archive as written: its bytes and the manifest it holds. */
export interface WrittenArchive {
  readonly bytes: Buffer;
  readonly manifest: BundleManifest;
  /** True when a `manifest.sig` entry was written. */
  readonly signed: boolean;
}

/** A bundle archive read and verified whole. */
export interface ReadArchive {
  readonly content: PolicyBundle;
  readonly manifest: BundleManifest;
  readonly signature: BundleSignature;
}

// zlib's level 9, fixed: the same tar gives the same gzip with this Node's zlib.
const GZIP_LEVEL = 9;
// Byte 9 of a gzip header names the operating system (3 on Unix, 10 on Windows); 255, "unknown", everywhere.
const GZIP_OS_BYTE = 9;
const GZIP_OS_UNKNOWN = 255;
const inflate = promisify(gunzip);

/** True for bytes that start as a gzip stream does. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * A bundle as a `.tar.gz`: `manifest.json` first, then `manifest.sig` (the
 * Ed25519 signature of the manifest's exact bytes) when `signingKey` is given,
 * then `policies.json` and every referenced file under `files/`, sorted. The
 * manifest states the version and the sources and lists every other entry with
 * its size and SHA-256, so the signature over it covers everything. The tar
 * and the manifest are the same bytes for the same bundle on every machine;
 * the gzip stream carries no name or time and a fixed OS byte.
 */
export function writeBundleArchive(bundle: PolicyBundle, signingKey?: KeyObject): WrittenArchive {
  const policies = Buffer.from(`${JSON.stringify(bundle.policies.map(sortedKeys), null, 2)}\n`, 'utf8');
  const entries: TarEntry[] = [
    { path: POLICIES_ENTRY, content: policies },
    ...[...bundle.files].map(([path, content]) => ({ path: `${FILES_FOLDER}${path}`, content: contentBytes(content) })),
  ].sort((left, right) => compareCodeUnits(left.path, right.path));
  const manifest: BundleManifest = Object.freeze({
    version: bundle.version,
    sources: bundle.sources,
    entries: entries.map(({ path, content }) => Object.freeze({ path, size: content.length, sha256: sha256(content) })),
  });
  const manifestBytes = serialiseManifest(manifest);
  const head: TarEntry[] = [{ path: MANIFEST_ENTRY, content: manifestBytes }];
  if (signingKey !== undefined) head.push({ path: SIGNATURE_ENTRY, content: signBytes(manifestBytes, signingKey) });
  const bytes = gzipSync(writeTar([...head, ...entries]), { level: GZIP_LEVEL });
  bytes[GZIP_OS_BYTE] = GZIP_OS_UNKNOWN;
  return { bytes, manifest, signed: signingKey !== undefined };
}

/** Options of {@link readBundleArchive}. */
export interface ReadArchiveOptions {
  /** Largest archive, largest it may inflate to, and largest entry (`limits.maxFileBytes`). */
  readonly maxFileBytes: number;
  /** Deepest nesting in the manifest and the definitions (`limits.maxDepth`). */
  readonly maxDepth: number;
  /** When given, the manifest must carry a valid signature by this Ed25519 key. */
  readonly publicKey?: KeyObject;
}

/**
 * Reads a bundle archive as hostile input and verifies it whole before any of
 * it is used, in this order: the gzip stream, inflated to at most
 * `maxFileBytes` (a gzip bomb stops there); the tar (`readTar`: checksums,
 * plain paths, regular files and folders only, no duplicates, not truncated);
 * the signature over the manifest's bytes, when a public key is given (an
 * unsigned or wrongly signed archive is refused); the manifest; every entry's
 * size and SHA-256 against it, with no entry it does not list; and last the
 * bundle itself (`parseBundle`: references, and the content hashing to the
 * version). Any fault is an `INVALID_BUNDLE` naming `label`; nothing is
 * returned in part. A signature present without a key to check it is reported
 * as `unchecked`, never as verified.
 */
export async function readBundleArchive(bytes: Uint8Array, label: string, options: ReadArchiveOptions): Promise<ReadArchive> {
  const { maxFileBytes, maxDepth, publicKey } = options;
  if (bytes.length > maxFileBytes)
    throw invalidBundle(label, '', `at most ${maxFileBytes} bytes (limits.maxFileBytes)`, `the archive is ${bytes.length} bytes`);
  let tar: Buffer;
  try {
    // maxOutputLength stops zlib with an error instead of inflating a bomb.
    tar = await inflate(bytes, { maxOutputLength: maxFileBytes });
  } catch (error) {
    const tooLarge = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
    throw invalidBundle(
      label,
      '',
      tooLarge ? `an archive that inflates to at most ${maxFileBytes} bytes (limits.maxFileBytes)` : 'a whole gzip stream',
      tooLarge ? 'it inflates to more' : `the gzip stream is damaged or truncated (${describeThrown(error)})`,
    );
  }
  const entries = readTar(tar, { maxEntries: MAX_BUNDLE_ARCHIVE_ENTRIES, maxEntryBytes: maxFileBytes }, label);
  const manifestBytes = entries.get(MANIFEST_ENTRY);
  if (manifestBytes === undefined) throw invalidBundle(label, '', `a ${MANIFEST_ENTRY} entry`, 'the archive has no manifest');
  const signatureBytes = entries.get(SIGNATURE_ENTRY);
  const signature = checkSignature(manifestBytes, signatureBytes, publicKey, label);
  const manifest = parseManifest(manifestBytes, label, maxDepth);
  checkEntries(entries, manifest, label);
  const policiesBytes = entries.get(POLICIES_ENTRY);
  if (policiesBytes === undefined) throw invalidBundle(label, '', `a ${POLICIES_ENTRY} entry`, 'the archive has no definitions');
  const policiesText = strictUtf8(policiesBytes);
  if (policiesText === undefined) throw invalidBundle(`${label}: ${POLICIES_ENTRY}`, '', 'UTF-8 JSON', 'it is not UTF-8');
  const policies = parseJson(policiesText, `${label}: ${POLICIES_ENTRY}`, { maxDepth });
  if (!Array.isArray(policies)) throw invalidBundle(`${label}: ${POLICIES_ENTRY}`, '', 'an array of policy definitions', 'not an array');
  const files: [string, FileContent][] = [];
  for (const [path, content] of entries) {
    if (path.startsWith(FILES_FOLDER)) files.push([path.slice(FILES_FOLDER.length), fileContentOf(content)]);
  }
  const document = {
    [BUNDLE_KEY]: BUNDLE_FORMAT,
    version: manifest.version,
    policies,
    sources: manifest.sources,
    // fromEntries defines own properties: a file named __proto__ stays a file.
    files: Object.fromEntries(files),
  };
  return { content: parseBundle(document, label, { binary: true }), manifest, signature };
}

function checkSignature(manifest: Buffer, signature: Buffer | undefined, publicKey: KeyObject | undefined, label: string): BundleSignature {
  // Malformed is refused even when nobody checks it: it is no signature of anything.
  if (signature !== undefined && signature.length !== SIGNATURE_BYTES) {
    throw invalidBundle(
      label,
      '',
      `a ${SIGNATURE_BYTES}-byte Ed25519 signature in ${SIGNATURE_ENTRY}`,
      `it holds ${signature.length} bytes`,
    );
  }
  if (publicKey === undefined) return signature === undefined ? 'absent' : 'unchecked';
  if (signature === undefined) {
    throw invalidBundle(label, '', `a ${SIGNATURE_ENTRY} entry (a public key was given)`, 'the bundle is not signed');
  }
  if (!verifyBytes(manifest, signature, publicKey)) {
    throw invalidBundle(
      label,
      '',
      'a signature by the given public key',
      `${SIGNATURE_ENTRY} does not verify: signed by another key, or the manifest was altered`,
    );
  }
  return 'verified';
}

/** Every entry but the manifest and its signature is listed, with the size and digest it has; every listed entry is there. */
function checkEntries(entries: ReadonlyMap<string, Buffer>, manifest: BundleManifest, label: string): void {
  const listed = new Map<string, ManifestEntry>(manifest.entries.map((entry) => [entry.path, entry]));
  for (const path of entries.keys()) {
    if (path === MANIFEST_ENTRY || path === SIGNATURE_ENTRY) continue;
    if (!listed.has(path)) throw invalidBundle(label, '', 'only entries the manifest lists', `${path} is not in the manifest`);
  }
  for (const [index, entry] of manifest.entries.entries()) {
    const pointer = `/entries/${index}`;
    if (entry.path !== POLICIES_ENTRY && !entry.path.startsWith(FILES_FOLDER))
      throw invalidBundle(
        `${label}: ${MANIFEST_ENTRY}`,
        `${pointer}/path`,
        `${POLICIES_ENTRY} or a path under ${FILES_FOLDER}`,
        `${entry.path} is neither`,
      );
    const content = entries.get(entry.path);
    if (content === undefined) throw invalidBundle(label, '', `the entry ${entry.path} the manifest lists`, `${entry.path} is missing`);
    if (content.length !== entry.size || sha256(content) !== entry.sha256) {
      throw invalidBundle(
        label,
        '',
        `${entry.path} as the manifest describes it`,
        `${entry.path} does not match its size or SHA-256 (edited or damaged)`,
      );
    }
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
