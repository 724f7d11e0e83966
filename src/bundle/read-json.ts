import { open } from 'node:fs/promises';
import { TierguardError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { Limits } from '../limits.js';
import { parseStrictJson } from '../strict-json.js';

// By default only depth: the readers below have already bounded the bytes, by the caller's own limit.
const DEPTH_ONLY = Object.freeze({ maxDepth: DEFAULT_LIMITS.maxDepth });

/**
 * Parses JSON text strictly: a syntax error, a duplicate key or nesting past
 * `limits.maxDepth` is an `IO_ERROR` naming the source, line and column, so a
 * malformed file is a clear message and never a stack trace or a silent
 * last-key-wins.
 */
export function parseJson(text: string, source: string, limits: Pick<Limits, 'maxDepth'> & Partial<Pick<Limits, 'maxFileBytes'>> = DEPTH_ONLY): unknown {
  return parseStrictJson(text, source, limits);
}

/**
 * Reads a text file of at most `maxBytes`, reading at most one byte more to
 * tell: a size checked beforehand would not bound a FIFO or a device, or a file
 * that grows between the check and the read.
 */
export async function readBoundedText(path: string, maxBytes: number): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
  }
  const { size } = await handle.stat();
  if (size > maxBytes) {
    await handle.close();
    throw new TierguardError('IO_ERROR', `${path}: ${size} bytes exceeds limits.maxFileBytes (${maxBytes})`, { file: path, limit: 'maxFileBytes' });
  }
  try {
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, 1 << 16));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) {
        throw new TierguardError('IO_ERROR', `${path}: more than limits.maxFileBytes (${maxBytes}) bytes exceeds the limit`, { file: path, limit: 'maxFileBytes' });
      }
      chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof TierguardError) throw error;
    throw new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
  } finally {
    await handle.close();
  }
}

/** Reads and parses a JSON file no larger than `maxBytes`. */
export async function readJsonFile(path: string, maxBytes: number): Promise<unknown> {
  return parseJson(await readBoundedText(path, maxBytes), path);
}

/** The short reason of a file-system error (`ENOENT: no such file or directory`), without the path twice. */
export function describeFsError(error: unknown): string {
  if (error instanceof Error && 'code' in error) {
    const code = String((error as { code: unknown }).code);
    return code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : `${code}`;
  }
  return error instanceof Error ? error.message : String(error);
}
