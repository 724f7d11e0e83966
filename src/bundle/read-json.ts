import { TierguardError } from '../errors.js';
import { readRegularText } from '../read-regular-file.js';

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
