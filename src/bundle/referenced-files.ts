import { resolveReferencedFile } from '../policy/resolve-referenced-file.js';

/** A file a policy definition names, which is part of the policy set as much as the definition is. */
export interface ReferencedFile {
  /** The JSON pointer, in the definition, of the key naming the file (`/shapesFile`). */
  readonly pointer: string;
  /** The path as resolved: against the directory of the definition's source file, or the working directory. */
  readonly path: string;
}

/**
 * The files a definition references, resolved as the engine resolves them
 * (by `resolveReferencedFile`, the rule the formal tier and the engine bindings
 * read them by): its `shapesFile` and each `enforcement[i].policy` (a file or a
 * directory). The one list a
 * watcher needs to notice that a policy set changed without its policy files
 * changing. Anything malformed is skipped: `createEngine` reports it.
 */
export function referencedFiles(definition: unknown, source: string | undefined): ReferencedFile[] {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) return [];
  const files: ReferencedFile[] = [];
  const reference = (pointer: string, name: unknown): void => {
    if (typeof name === 'string' && name.length > 0) files.push({ pointer, path: resolveReferencedFile(name, source) });
  };
  reference('/shapesFile', (definition as { shapesFile?: unknown }).shapesFile);
  const enforcement = (definition as { enforcement?: unknown }).enforcement;
  if (Array.isArray(enforcement)) {
    enforcement.forEach((binding: unknown, index) => {
      if (typeof binding === 'object' && binding !== null)
        reference(`/enforcement/${index}/policy`, (binding as { policy?: unknown }).policy);
    });
  }
  return files;
}
