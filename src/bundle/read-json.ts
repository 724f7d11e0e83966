import { readRegularText } from '../read-regular-file.js';
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
export function parseJson(
  text: string,
  source: string,
  limits: Pick<Limits, 'maxDepth'> & Partial<Pick<Limits, 'maxFileBytes'>> = DEPTH_ONLY,
): unknown {
  return parseStrictJson(text, source, limits);
}

/**
 * Reads a text file of at most `maxBytes`: a regular file only, so a FIFO or a
 * device never blocks the read (see `readRegularFile`).
 */
export async function readBoundedText(path: string, maxBytes: number): Promise<string> {
  return readRegularText(path, maxBytes);
}

/** Reads and parses a JSON file no larger than `maxBytes`. */
export async function readJsonFile(path: string, maxBytes: number): Promise<unknown> {
  return parseJson(await readBoundedText(path, maxBytes), path);
}

/** The short reason of a file-system error; kept here for the modules that import it from the JSON reader. */
export { describeFsError } from '../read-regular-file.js';
