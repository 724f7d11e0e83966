import { dirname, resolve } from 'node:path';

/** A file a policy definition names, which is part of the policy set as much as the definition is. */
export interface ReferencedFile {
  /** The JSON pointer, in the definition, of the key naming the file (`/shapesFile`). */
  readonly pointer: string;
  /** The path as resolved: against the directory of the definition's source file, or the working directory. */
  readonly path: string;
}

/**
 * The files a definition references, resolved as the engine resolves them
 * (relative to the file the policy came from; `src/formal/load-policy-shapes.ts`
 * uses the same rule). The one list a watcher needs to notice that a policy set
 * changed without its policy files changing. Anything malformed is skipped:
 * `createEngine` reports it.
 *
 * Today a definition references its `shapesFile`. A new kind of referenced file
 * (the engine policies planned under `enforcement[].policy`) is added here, and
 * its contents to the policy set's version where the engine reads it.
 */
export function referencedFiles(definition: unknown, source: string | undefined): ReferencedFile[] {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) return [];
  const base = source === undefined ? process.cwd() : dirname(source);
  const files: ReferencedFile[] = [];
  const reference = (pointer: string, name: unknown): void => {
    if (typeof name === 'string' && name.length > 0) files.push({ pointer, path: resolve(base, name) });
  };
  reference('/shapesFile', (definition as { shapesFile?: unknown }).shapesFile);
  // Next: for each `enforcement[i].policy`, reference(`/enforcement/${i}/policy`, ...).
  return files;
}
