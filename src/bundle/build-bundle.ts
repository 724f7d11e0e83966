import type { KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createEngine } from '../engine.js';
import type { Engine } from '../engine.js';
import type { EngineAdapter } from '../engines/types.js';
import { TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { resolveReferencedFile } from '../policy/resolve-referenced-file.js';
import type { FileContent } from '../file-content.js';
import { fileContentOf } from '../file-content.js';
import { TREE_BOUNDS, readReferencedTree } from '../read-referenced-tree.js';
import { describeFsError, readRegularFile } from '../read-regular-file.js';
import type { WrittenArchive } from './archive-bundle.js';
import { readBundleArchive, writeBundleArchive } from './archive-bundle.js';
import type { PolicyBundle } from './bundle-format.js';
import type { BundleKey } from './bundle-keys.js';
import { readSigningKey } from './bundle-keys.js';
import { bundlePathOf, commonDirectory } from './bundle-paths.js';
import { hashBundle } from './bundle-version.js';
import type { LoadedPolicies } from './load-policies.js';
import { loadPolicies } from './load-policies.js';
import { parseBundle } from './parse-bundle.js';
import type { PolicySources } from './policy-sources.js';
import { referencedNames } from './referenced-files.js';
import { serialiseBundle } from './serialise-bundle.js';

/** Options of {@link buildPolicyBundle}. */
export interface BuildBundleOptions {
  /** Bounds for reading the files (`maxFileBytes`, `maxDepth`) and for the engine that checks them. */
  readonly limits?: Partial<Limits>;
  /** Bundle a set with no policies (default `false`: `EMPTY_BUNDLE`, as `loadPolicies`). */
  readonly allowEmpty?: boolean;
  /** Adapters for engines other than the default ones, so their bindings compile. */
  readonly adapters?: readonly EngineAdapter[];
}

/** A bundle built from policy files: the value, and the exact text to write. */
export interface BuiltBundle {
  /** The bundle as a value: version, definitions, sources and files. */
  readonly bundle: PolicyBundle;
  /** The bundle file's content: the same inputs give the same text (see `serialiseBundle`). */
  readonly text: string;
}

/** Options of {@link buildBundleArchive}: those of {@link buildPolicyBundle}, and the key to sign with. */
export interface BuildArchiveOptions extends BuildBundleOptions {
  /** An Ed25519 private key (PEM text or a `KeyObject`): the archive then carries `manifest.sig`, its signature of the manifest. */
  readonly signingKey?: BundleKey;
}

/** A bundle archive built from policy files: the value, the `.tar.gz` bytes to write, and whether they are signed. */
export interface BuiltArchive {
  /** The bundle as a value: version, definitions, sources and files. */
  readonly bundle: PolicyBundle;
  /** The `.tar.gz`: the same inputs give the same tar and manifest (see `writeBundleArchive`). */
  readonly bytes: Uint8Array;
  /** True when the archive carries a signature. */
  readonly signed: boolean;
}

/**
 * Builds a bundle of the policies at `sources` (as `loadPolicies` reads them):
 * the definitions in load order, each one's source file and the text of every
 * file they reference, all by paths relative to the deepest folder holding
 * them, and the version `createEngine` gives the set. The set is compiled
 * first, so an invalid policy is an `INVALID_POLICY`, never a bundle. A
 * reference by absolute path, or to an empty folder, cannot travel and is an
 * `INVALID_BUNDLE`; a file edited while the bundle is built is an `IO_ERROR`.
 */
export async function buildPolicyBundle(sources: PolicySources, options: BuildBundleOptions = {}): Promise<BuiltBundle> {
  const { loaded, engine } = await loadAndCompile(sources, options);
  return bundleLoaded(loaded, engine, options.limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes);
}

/**
 * {@link buildPolicyBundle} as a `.tar.gz` archive (see `writeBundleArchive`),
 * which also carries files that are not text (an OPA bundle an OPA binding
 * names) and can be signed: with `signingKey`, the Ed25519 signature of its
 * manifest travels as `manifest.sig`. A key that is not an Ed25519 private key
 * is an `INVALID_OPTIONS`, before anything is read.
 */
export async function buildBundleArchive(sources: PolicySources, options: BuildArchiveOptions = {}): Promise<BuiltArchive> {
  const { signingKey, ...rest } = options;
  const key = signingKey === undefined ? undefined : readSigningKey(signingKey, 'signingKey');
  const limits = rest.limits ?? {};
  const { loaded, engine } = await loadAndCompile(sources, rest);
  const { bundle, archive } = await archiveLoaded(loaded, engine, {
    maxFileBytes: limits.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
    maxDepth: limits.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    ...(key === undefined ? {} : { signingKey: key }),
  });
  return { bundle, bytes: archive.bytes, signed: archive.signed };
}

/** The policies at `sources`, loaded and compiled, so an invalid one is an `INVALID_POLICY`, never a bundle. */
async function loadAndCompile(sources: PolicySources, options: BuildBundleOptions): Promise<{ loaded: LoadedPolicies; engine: Engine }> {
  const limits = options.limits ?? {};
  const loaded = await loadPolicies(sources, limits, { allowEmpty: options.allowEmpty ?? false });
  const engine = await createEngine({
    policies: loaded.definitions,
    sources: loaded.sources,
    limits,
    ...(options.adapters === undefined ? {} : { adapters: options.adapters }),
  });
  return { loaded, engine };
}

/** {@link buildPolicyBundle} from policies already loaded and compiled into `engine` (for the CLI, which builds the engine with the config's options). */
export async function bundleLoaded(loaded: LoadedPolicies, engine: Engine, maxFileBytes: number): Promise<BuiltBundle> {
  const bundle = await collectBundle(loaded, engine, maxFileBytes);
  const text = serialiseBundle(bundle);
  // What is written must load: the reader's checks (paths, hash) run on the very text.
  parseBundle(JSON.parse(text) as Record<string, unknown>, 'the bundle being built');
  return { bundle, text };
}

/** {@link buildBundleArchive} from policies already loaded and compiled into `engine`; the archive is read back and verified before it is returned. */
export async function archiveLoaded(
  loaded: LoadedPolicies,
  engine: Engine,
  options: { readonly maxFileBytes: number; readonly maxDepth: number; readonly signingKey?: KeyObject },
): Promise<{ bundle: PolicyBundle; archive: WrittenArchive }> {
  const bundle = await collectBundle(loaded, engine, options.maxFileBytes);
  const archive = writeBundleArchive(bundle, options.signingKey);
  // What is written must load: the reader's checks (tar, manifest, digests, hash) run on the very bytes.
  await readBundleArchive(archive.bytes, 'the bundle being built', { maxFileBytes: options.maxFileBytes, maxDepth: options.maxDepth });
  return { bundle, archive };
}

/**
 * The bundle of policies loaded and compiled into `engine`: the definitions,
 * their sources and every referenced file's bytes (text when UTF-8), by paths
 * relative to the deepest folder holding them.
 */
async function collectBundle(loaded: LoadedPolicies, engine: Engine, maxFileBytes: number): Promise<PolicyBundle> {
  const read: { path: string; content: FileContent }[] = [];
  const folders = loaded.sources.map((source) => dirname(resolve(source)));
  for (const [index, definition] of loaded.definitions.entries()) {
    // loadPolicies gives every definition its file.
    const source = loaded.sources[index] as string;
    for (const { pointer, name } of referencedNames(definition)) {
      const where = `${source}: policy #${index} ${pointer}`;
      if (isAbsolute(name)) {
        throw new TierguardError(
          'INVALID_BUNDLE',
          `${where} names ${name} by an absolute path; a bundle carries files by relative paths only`,
          {
            file: source,
            pointer,
          },
        );
      }
      const path = resolveReferencedFile(name, source);
      const isDirectory = await stat(path).then(
        (info) => info.isDirectory(),
        (error: unknown) => {
          throw new TierguardError(
            'IO_ERROR',
            `${where}: ${path}: cannot read: ${describeFsError(error)}`,
            { file: path },
            { cause: error },
          );
        },
      );
      if (isDirectory) {
        const files = await readReferencedTree(path, { ...TREE_BOUNDS, maxBytes: maxFileBytes });
        if (files.length === 0) {
          throw new TierguardError('INVALID_BUNDLE', `${where} names the empty folder ${path}, which a bundle cannot carry`, {
            file: source,
            pointer,
          });
        }
        for (const file of files) read.push({ path: resolve(path, file.relative), content: fileContentOf(file.content) });
      } else {
        read.push({ path, content: fileContentOf(await readRegularFile(path, maxFileBytes)) });
      }
      folders.push(isDirectory ? path : dirname(path));
    }
  }
  const root = commonDirectory(folders);
  const files = new Map(read.map(({ path, content }) => [bundlePathOf(root, path), content]));
  const bundle: PolicyBundle = Object.freeze({
    version: engine.version,
    policies: loaded.definitions,
    sources: loaded.sources.map((source) => bundlePathOf(root, resolve(source))),
    files,
  });
  if (hashBundle(bundle.policies, bundle.sources, files, 'the bundle').version !== engine.version) {
    throw new TierguardError('IO_ERROR', `${loaded.files.join(', ')}: a file changed while the bundle was built; build it again`, {
      files: loaded.files,
    });
  }
  return bundle;
}
