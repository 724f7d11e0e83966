import { lstat, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TierguardError } from '../errors.js';

/** One file an importer writes: where, relative to the output directory, and what. */
export interface DraftFile {
  /** Relative to the output directory, with `/` separators. */
  readonly path: string;
  /** The file's text. */
  readonly text: string;
}

/**
 * JSON as importers write it: 2-space indentation and a final newline. Key
 * order is the order the importer builds its objects in, which is fixed, so
 * the same catalog gives the same bytes.
 */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Writes the files under `outDir`, creating directories as needed. Unless
 * `force`, nothing is written when any of them exists already (an import never
 * half-overwrites a set a person has been editing): that is an `IO_ERROR`
 * naming every such file. Returns the paths written, in the order given.
 */
export async function writeDraftFiles(outDir: string, files: readonly DraftFile[], force: boolean): Promise<string[]> {
  const targets = files.map((file) => ({ full: join(outDir, ...file.path.split('/')), text: file.text }));
  if (!force) {
    const existing: string[] = [];
    for (const { full } of targets) {
      const found = await lstat(full).then(
        () => true,
        () => false,
      );
      if (found) existing.push(full);
    }
    if (existing.length > 0) {
      throw new TierguardError('IO_ERROR', `refusing to overwrite ${existing.join(', ')} (pass --force to replace)`, {
        files: existing,
      });
    }
  }
  for (const { full, text } of targets) {
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text);
  }
  return targets.map((target) => target.full);
}
