import { TierguardError } from '../errors.js';
import { strictUtf8 } from '../file-content.js';
import { readRegularFile } from '../read-regular-file.js';
import { isGzip, readBundleArchive } from './archive-bundle.js';
import { digestBytes, digestPolicyTexts } from './bundle-fingerprint.js';
import { invalidBundle, isBundleDocument } from './bundle-format.js';
import type { ResolvedVerification } from './bundle-verification.js';
import type { LoadedPolicies } from './load-policies.js';
import { parseBundle } from './parse-bundle.js';
import type { ParsedBundle, ParsedPolicies } from './parse-policy-texts.js';
import { parsePolicyTexts } from './parse-policy-texts.js';
import type { PolicyLocation } from './policy-location.js';
import type { PolicyFileText } from './read-policy-bundle.js';
import { readPolicyBundle } from './read-policy-bundle.js';
import { parseJson } from './read-json.js';
import type { ResolvedRemote } from './remote-options.js';

/**
 * Policies as read once, not yet parsed, with a digest of exactly what was
 * read (so a watcher fingerprints the bytes it then parses): the texts of
 * policy files, the bytes of a bundle file or download (with the server's
 * ETag), or, for a URL asked with an ETag, the server's word that nothing changed.
 */
export type PolicyRead =
  | { readonly kind: 'texts'; readonly texts: readonly PolicyFileText[]; readonly digest: string }
  | { readonly kind: 'bytes'; readonly bytes: Buffer; readonly digest: string; readonly etag?: string }
  | { readonly kind: 'not-modified' };

/** How to read a location. */
export interface ReadLocationOptions {
  /** Largest file, bundle file or download (`limits.maxFileBytes`). */
  readonly maxFileBytes: number;
  /** How a URL is fetched. */
  readonly remote: ResolvedRemote;
  /** For a URL: the ETag of the body already held, to be answered 304 when unchanged. */
  readonly etag?: string | undefined;
  /** Whether the read may keep the process alive (see `fetchBundle`). */
  readonly keepAlive: boolean;
  /** Stops a fetch in flight. */
  readonly signal?: AbortSignal | undefined;
}

/** Reads the policies at `location` (policy files as texts, an archive or URL as bytes); what cannot be read throws `IO_ERROR`. */
export async function readPolicyLocation(location: PolicyLocation, options: ReadLocationOptions): Promise<PolicyRead> {
  if (location.kind === 'files') {
    const texts = await readPolicyBundle(location.sources, options.maxFileBytes);
    return { kind: 'texts', texts, digest: digestPolicyTexts(texts) };
  }
  if (location.kind === 'archive') {
    const bytes = await readRegularFile(location.path, options.maxFileBytes);
    return { kind: 'bytes', bytes, digest: digestBytes(bytes) };
  }
  // Loaded only for a URL: a user of policy files never loads node:http.
  const { fetchBundle } = await import('./fetch-bundle.js');
  const fetched = await fetchBundle(location.url, {
    etag: options.etag,
    maxBytes: options.maxFileBytes,
    limits: options.remote.limits,
    headers: options.remote.headers,
    keepAlive: options.keepAlive,
    signal: options.signal,
  });
  if (fetched.status === 'not-modified') return { kind: 'not-modified' };
  const { bytes, etag } = fetched;
  return etag === undefined
    ? { kind: 'bytes', bytes, digest: digestBytes(bytes) }
    : { kind: 'bytes', bytes, digest: digestBytes(bytes), etag };
}

/** How to parse what was read. */
export interface ParseReadOptions {
  readonly maxDepth: number;
  readonly maxFileBytes: number;
  readonly verification: ResolvedVerification;
}

/**
 * Parses policies as read. Texts parse as they always have (a JSON bundle file
 * among them too). Bytes must be a bundle: a `.tar.gz` archive (verified whole
 * by `readBundleArchive`, its signature checked when a public key is given)
 * or a JSON bundle; anything else is an `INVALID_BUNDLE`. With a public key,
 * only a verified archive is accepted (`requireSignedPolicies`).
 */
export async function parsePolicyRead(
  read: Exclude<PolicyRead, { kind: 'not-modified' }>,
  location: PolicyLocation,
  options: ParseReadOptions,
): Promise<ParsedPolicies> {
  if (read.kind === 'texts') {
    if (location.kind !== 'files') throw new TierguardError('IO_ERROR', `${location.label}: read as policy files, which it is not`, {});
    return parsePolicyTexts(read.texts, location.sources, options.maxDepth);
  }
  const bundle = await parseBundleBytes(read.bytes, location.label, options);
  const loaded: LoadedPolicies = {
    definitions: bundle.content.policies,
    sources: bundle.content.policies.map(() => bundle.file),
    files: [bundle.file],
  };
  return { loaded, bundle };
}

/** A bundle's bytes, parsed and verified: an archive by its gzip magic, else a JSON bundle. */
async function parseBundleBytes(bytes: Buffer, label: string, options: ParseReadOptions): Promise<ParsedBundle> {
  const { maxDepth, maxFileBytes, verification } = options;
  if (isGzip(bytes)) {
    const archive = await readBundleArchive(bytes, label, {
      maxFileBytes,
      maxDepth,
      ...(verification.publicKey === undefined ? {} : { publicKey: verification.publicKey }),
    });
    return { file: label, content: archive.content, format: 'tar.gz', signature: archive.signature };
  }
  const text = strictUtf8(bytes);
  const notBundle = (): TierguardError =>
    invalidBundle(label, '', 'a bundle: a .tar.gz archive or a JSON bundle (tierguard bundle build)', 'it is neither');
  if (text === undefined || !text.trimStart().startsWith('{')) throw notBundle();
  // As for a bundle file on disk: its definitions sit one level deeper than a policy file's.
  const document = parseJson(text, label, { maxDepth: maxDepth + 1 });
  if (!isBundleDocument(document)) throw notBundle();
  return { file: label, content: parseBundle(document, label), format: 'json', signature: 'absent' };
}
