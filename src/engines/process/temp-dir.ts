import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackRun } from './live-runs.js';

/** Prefix of every directory {@link withTempDir} creates; with mkdtemp's random suffix it makes the name unique. */
export const TEMP_DIR_PREFIX = 'tierguard-engine-';

/**
 * Runs `use` with a fresh private directory (mode 0700, as mkdtemp creates it)
 * and removes the directory and everything in it afterwards, whether `use`
 * resolved or threw. Each run gets its own, so concurrent runs never see each
 * other's files. The path handed over is the real path: engines that resolve
 * symlinks (a `/tmp` that is a link) then print the same path we scrub. The
 * directory counts as a live run until it is removed, so a CLI stopped by a
 * signal (`stopEngineRuns`) waits for its removal before it exits.
 */
export function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const done = inTempDir(use);
  // Nothing to stop here: the engine run inside is stopped on its own, and then `use` settles.
  trackRun(() => undefined, done);
  return done;
}

async function inTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const created = await mkdtemp(join(tmpdir(), TEMP_DIR_PREFIX));
  try {
    return await use(await realpath(created));
  } finally {
    // force: an engine may have removed files itself; retries: a killed child may still hold one for a moment.
    await rm(created, { recursive: true, force: true, maxRetries: 3 });
  }
}
