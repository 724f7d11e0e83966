import { TierguardError } from '../errors.js';
import { parseJson, readJsonFile } from '../bundle/read-json.js';

/** Reads a JSON document from a file, or from standard input when `path` is `-`, within `maxBytes`. */
export async function readJsonInput(path: string, maxBytes: number): Promise<unknown> {
  if (path !== '-') return readJsonFile(path, maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      throw new TierguardError('IO_ERROR', `standard input exceeds limits.maxFileBytes (${maxBytes})`, {
        file: '-',
        limit: 'maxFileBytes',
      });
    }
    chunks.push(buffer);
  }
  return parseJson(Buffer.concat(chunks).toString('utf8'), 'standard input');
}
