import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeThrown } from '../describe-thrown.js';
import { TierguardError } from '../errors.js';
import type { PolicyBundle } from './bundle-format.js';

/** A bundle's referenced files written out where the engine's readers can open them. */
export interface MaterialisedBundle {
  /** The private directory holding them. */
  readonly root: string;
  /** For each definition, its source as a path under `root` (the file itself is not written: only its folder matters). */
  readonly sources: readonly string[];
  /** Removes the directory; idempotent. An engine built on it must no longer validate artifacts. */
  readonly remove: () => Promise<void>;
}

const live = new Set<string>();
let exitHookInstalled = false;

/**
 * Writes a verified bundle's files into a fresh private directory (`mkdtemp`,
 * mode 0700, files 0600, created exclusively), so that the formal tier and the
 * engine adapters, which read files by path (an OPA or Semgrep run is handed a
 * directory), read exactly the bundle's bytes and never a file on disk beside
 * the bundle. Paths were checked by `parseBundle` (relative, no `..`). The
 * directory lives until `remove()` or the process exits, whichever is first.
 * A failure removes what was written and is an `IO_ERROR`.
 */
export async function materialiseBundle(bundle: PolicyBundle, file: string): Promise<MaterialisedBundle> {
  let root: string;
  try {
    root = await mkdtemp(join(tmpdir(), 'tierguard-bundle-'));
  } catch (error) {
    throw new TierguardError(
      'IO_ERROR',
      `${file}: cannot make a directory for the bundle's files: ${describeThrown(error)}`,
      { file },
      { cause: error },
    );
  }
  track(root);
  const remove = async (): Promise<void> => {
    live.delete(root);
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    for (const [path, text] of bundle.files) {
      const target = join(root, path);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, text, { flag: 'wx', mode: 0o600 });
    }
  } catch (error) {
    await remove();
    throw new TierguardError(
      'IO_ERROR',
      `${file}: cannot write the bundle's files out: ${describeThrown(error)}`,
      { file },
      { cause: error },
    );
  }
  return Object.freeze({ root, sources: Object.freeze(bundle.sources.map((source) => join(root, source))), remove });
}

// Removed synchronously on exit: an 'exit' listener cannot wait for promises.
function track(root: string): void {
  live.add(root);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const path of live) rmSync(path, { recursive: true, force: true });
  });
}
