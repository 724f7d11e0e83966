import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { TierguardError } from './errors.js';

// O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, forever,
// on a libuv worker thread. O_NOCTTY: a terminal device never becomes ours.
// Both are 0 where the platform lacks them (Windows has no FIFOs to open).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Read size: large enough that a policy file is a few reads, small enough not to allocate `maxBytes` up front. */
const CHUNK_BYTES = 1 << 16;

/**
 * Reads a regular file (a symbolic link is followed) of at most `maxBytes`
 * bytes. A FIFO, socket or device is refused, never opened for a blocking read:
 * it is refused before opening, and the opened descriptor is checked again, so
 * a path swapped for a FIFO in between is refused too. At most one byte past
 * the limit is read, so a file that grows while it is read is still bounded.
 * Every failure is an `IO_ERROR` TierguardError naming the file
 * (`details.limit` is `'maxFileBytes'` when the file is too large).
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw cannotRead(path, error);
  }
  requireRegular(path, info);
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw cannotRead(path, error);
  }
  try {
    let opened: Stats;
    try {
      opened = await handle.stat();
    } catch (error) {
      throw cannotRead(path, error);
    }
    requireRegular(path, opened);
    if (opened.size > maxBytes) throw tooLarge(path, maxBytes, `${opened.size} bytes`);
    return await readAtMost(handle, path, maxBytes);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** {@link readRegularFile}, decoded as UTF-8. */
export async function readRegularText(path: string, maxBytes: number): Promise<string> {
  return (await readRegularFile(path, maxBytes)).toString('utf8');
}

async function readAtMost(handle: FileHandle, path: string, maxBytes: number): Promise<Buffer> {
  const buffer = Buffer.alloc(Math.min(maxBytes + 1, CHUNK_BYTES));
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
    } catch (error) {
      throw cannotRead(path, error);
    }
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    if (total > maxBytes) throw tooLarge(path, maxBytes, 'more bytes than that');
    chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
  }
}

function requireRegular(path: string, info: Stats): void {
  if (info.isFile()) return;
  throw new TierguardError('IO_ERROR', `${path}: cannot read: ${kindOf(info)}, not a regular file`, { file: path });
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'a special file';
}

function tooLarge(path: string, maxBytes: number, size: string): TierguardError {
  return new TierguardError('IO_ERROR', `${path}: ${size} exceeds limits.maxFileBytes (${maxBytes})`, {
    file: path,
    limit: 'maxFileBytes',
  });
}

function cannotRead(path: string, error: unknown): TierguardError {
  return new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
}

/** The short reason of a file-system error (`ENOENT: no such file or directory`), without the path twice. */
export function describeFsError(error: unknown): string {
  if (error instanceof Error && 'code' in error) {
    const code = String((error as { code: unknown }).code);
    return code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : `${code}`;
  }
  return error instanceof Error ? error.message : String(error);
}
