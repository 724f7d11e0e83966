import { rename, rm, writeFile } from 'node:fs/promises';
import { TierguardError } from '../errors.js';
import { describeFsError } from '../read-regular-file.js';

/**
 * Writes `content` beside `out` and renames it into place, so a watcher
 * polling `out` never reads it half-written; a failure leaves no stray file
 * and is an `IO_ERROR` naming `out`.
 */
export async function writeAside(out: string, content: string | Uint8Array): Promise<void> {
  const aside = `${out}.${process.pid}.tmp`;
  try {
    await writeFile(aside, content, { flag: 'wx' });
    await rename(aside, out);
  } catch (error) {
    await rm(aside, { force: true }).catch(() => undefined);
    throw new TierguardError('IO_ERROR', `${out}: cannot write: ${describeFsError(error)}`, { file: out }, { cause: error });
  }
}
