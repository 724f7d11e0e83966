import { readFile, stat } from 'node:fs/promises';
import { TierguardError } from '../errors.js';

/**
 * Parses JSON text, turning a syntax error into an `IO_ERROR` that names the
 * source, so a malformed file is a clear message and never a stack trace.
 */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TierguardError('IO_ERROR', `${source}: not valid JSON: ${reason}`, { file: source }, { cause: error });
  }
}

/** Reads and parses a JSON file no larger than `maxBytes`. */
export async function readJsonFile(path: string, maxBytes: number): Promise<unknown> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
  }
  if (size > maxBytes) {
    throw new TierguardError('IO_ERROR', `${path}: ${size} bytes exceeds limits.maxFileBytes (${maxBytes})`, {
      file: path,
      limit: 'maxFileBytes',
    });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
  }
  return parseJson(text, path);
}

/** The short reason of a file-system error (`ENOENT: no such file or directory`), without the path twice. */
export function describeFsError(error: unknown): string {
  if (error instanceof Error && 'code' in error) {
    const code = String((error as { code: unknown }).code);
    return code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : `${code}`;
  }
  return error instanceof Error ? error.message : String(error);
}
