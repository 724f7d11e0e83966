import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Prefix of every directory {@link withTempDir} creates; with mkdtemp's random suffix it makes the name unique. */
export const TEMP_DIR_PREFIX = 'tierguard-engine-';

/**
 * Runs `use` with a fresh private directory (mode 0700, as mkdtemp creates it)
 * and removes the directory and everything in it afterwards, whether `use`
 * resolved or threw. Each run gets its own, so concurrent runs never see each
 * other's files. The path handed over is the real path: engines that resolve
 * symlinks (a `/tmp` that is a link) then print the same path we scrub.
 */
export async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), TEMP_DIR_PREFIX)));
  try {
    return await use(dir);
  } finally {
    // force: an engine may have removed files itself; retries: a killed child may still hold one for a moment.
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
