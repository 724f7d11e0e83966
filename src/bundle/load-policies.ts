import { TierguardError } from '../errors.js';
import { rejectUnknownOptions, requireOptionsObject } from '../check-options.js';
import type { Limits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { recordDefinitionSource } from '../policy/definition-sources.js';
import type { PolicyDefinition } from '../types.js';
import type { BundleSignature } from './archive-bundle.js';
import type { BundleVerificationOptions } from './bundle-verification.js';
import { requireSignedPolicies, resolveVerification } from './bundle-verification.js';
import { materialiseBundle } from './materialise-bundle.js';
import { locatePolicies } from './policy-location.js';
import { parsePolicyRead, readPolicyLocation } from './policy-reads.js';
import type { PolicySources } from './policy-sources.js';
import type { RemoteBundleOptions } from './remote-options.js';
import { resolveRemoteOptions } from './remote-options.js';
import { requirePolicies } from './require-policies.js';

/** Policies read from disk, with the file each came from (same order), for messages. */
export interface LoadedPolicies {
  /**
   * The definitions, in load order: sources in the order given, each source's
   * files sorted by path, policies in file order. Each remembers its file (not
   * as a key of its own), so `createEngine({ policies: loaded.definitions })`
   * names the file of an invalid one, even in a filtered or reordered list.
   */
  readonly definitions: readonly PolicyDefinition[];
  /** For each definition, the file it was read from. */
  readonly sources: readonly string[];
  /** Every file read, sorted. */
  readonly files: readonly string[];
  /** Set when the policies came from a bundle file (`tierguard bundle`); `sources` then lie under `bundle.root`. */
  readonly bundle?: LoadedBundle;
}

/** Where a bundle's policies came from, for messages: `sources` of a bundle name a private copy of its files. */
export interface LoadedBundle {
  /** The bundle file, or the URL it was fetched from (without its query). */
  readonly file: string;
  /** `json` for a JSON bundle, `tar.gz` for an archive. */
  readonly format: 'json' | 'tar.gz';
  /** `verified` when its signature was checked against the public key; `unchecked` when it is signed but no key was given; `absent` when unsigned. */
  readonly signature: BundleSignature;
  /** The version it states, checked against its content: the `engine.version` of the engine built from it. */
  readonly version: string;
  /** The private directory its referenced files were written to (removed when the process exits). */
  readonly root: string;
  /** Each definition's source as the bundle names it, relative to its root. */
  readonly sources: readonly string[];
}

/** Options of {@link loadPolicies}. */
export interface LoadPoliciesOptions extends BundleVerificationOptions {
  /**
   * Accept a bundle with no policies, or a policy file with none (default
   * `false`: that is an `EMPTY_BUNDLE` error, since an engine with no policies
   * allows every action and an empty file is what a write caught midway leaves).
   */
  readonly allowEmpty?: boolean;
  /** How a bundle URL is fetched: `timeoutMs`, `idleTimeoutMs`, `maxRedirects` (see `DEFAULT_REMOTE_BUNDLE_LIMITS`) and `headers`. */
  readonly remote?: RemoteBundleOptions;
}

/**
 * Reads policy definitions from a file (one policy object, or an array of them;
 * in YAML also several documents) or from a directory tree of `.json`, `.yaml`
 * and `.yml` files, read in sorted path order so a policy set loads the same on
 * every machine (folders named `fixtures` or `node_modules`, hidden folders and
 * symbolic links to directories are skipped; see `listPolicyFiles`). Given a list of sources, each source's policy ids
 * are prefixed `<namespace>/`, the namespace defaulting to the source's base name
 * (`policies/payments` gives `payments/...`); the definitions returned are then
 * copies. Definitions are otherwise returned as parsed: `createEngine` validates them.
 * No policies at all, or a file with none, is an `EMPTY_BUNDLE` error unless
 * `options.allowEmpty`.
 *
 * A path to a bundle file (written by `tierguard bundle`) loads the bundle: it
 * is checked whole first (shape, safe relative paths, its content hash; any
 * fault is `INVALID_BUNDLE` and nothing is used), then its referenced files are
 * written to a private temporary directory and `sources` point there, so the
 * engine reads the bundle's files, never files on disk beside it.
 *
 * A path ending in `.tar.gz` or `.tgz` is a bundle archive, and an `https:`
 * URL (or `http:` to a loopback host) a bundle to fetch (see `fetchBundle`):
 * either is verified whole (`readBundleArchive`) before anything is used, its
 * signature too when `options.publicKey` is given, which then admits nothing
 * but a signed archive.
 */
export async function loadPolicies(
  sources: PolicySources,
  limits: Partial<Limits> = {},
  options: LoadPoliciesOptions = {},
): Promise<LoadedPolicies> {
  const allowEmpty = readAllowEmpty(options);
  const verification = resolveVerification(options);
  const remote = resolveRemoteOptions(options.remote);
  const location = locatePolicies(sources);
  const maxFileBytes = limits.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  const read = await readPolicyLocation(location, { maxFileBytes, remote, keepAlive: true });
  if (read.kind === 'not-modified') throw new TierguardError('IO_ERROR', `${location.label}: answered 304 to a request with no ETag`, {});
  const parsed = await parsePolicyRead(read, location, {
    maxDepth: limits.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    maxFileBytes,
    verification,
  });
  const { loaded, bundle } = parsed;
  requirePolicies(loaded, allowEmpty, location.kind === 'files' ? location.sources.map((source) => source.path) : [location.label]);
  requireSignedPolicies(parsed, verification, location.label);
  if (bundle === undefined) {
    loaded.definitions.forEach((definition, index) => recordDefinitionSource(definition, loaded.sources[index] ?? ''));
    return loaded;
  }
  const written = await materialiseBundle(bundle.content, bundle.file);
  // Named by the bundle and the file inside it, never by the private copy the engine reads.
  loaded.definitions.forEach((definition, index) =>
    recordDefinitionSource(definition, `${bundle.file} (${bundle.content.sources[index] ?? '?'})`),
  );
  return {
    ...loaded,
    sources: written.sources,
    bundle: Object.freeze({
      file: bundle.file,
      format: bundle.format,
      signature: bundle.signature,
      version: bundle.content.version,
      root: written.root,
      sources: bundle.content.sources,
    }),
  };
}

const LOAD_OPTION_KEYS: ReadonlySet<string> = new Set(['allowEmpty', 'publicKey', 'requireSignature', 'remote']);

function readAllowEmpty(options: LoadPoliciesOptions): boolean {
  requireOptionsObject(options, 'loadPolicies');
  rejectUnknownOptions(options, LOAD_OPTION_KEYS);
  const { allowEmpty = false } = options;
  if (typeof allowEmpty !== 'boolean')
    throw new TierguardError('INVALID_OPTIONS', 'allowEmpty must be a boolean', { option: 'allowEmpty', actual: allowEmpty });
  return allowEmpty;
}
