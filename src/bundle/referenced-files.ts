import { resolveReferencedFile } from '../policy/resolve-referenced-file.js';

/** A file a policy definition names, which is part of the policy set as much as the definition is. */
export interface ReferencedFile {
  /** The JSON pointer, in the definition, of the key naming the file (`/shapesFile`). */
  readonly pointer: string;
  /** The path as resolved: against the directory of the definition's source file, or the working directory. */
  readonly path: string;
}

/** A file a definition names, as it names it: where (a JSON pointer) and the name written there. */
export interface ReferencedName {
  /** The JSON pointer of the key naming the file (`/shapesFile`, `/enforcement/0/policy`). */
  readonly pointer: string;
  /** The name as written, not resolved. */
  readonly name: string;
}

/**
 * The files a definition names, unresolved: its `shapesFile` and each
 * `enforcement[i].policy` (a file or a directory), in that order. Anything
 * malformed is skipped: `createEngine` reports it.
 */
export function referencedNames(definition: unknown): ReferencedName[] {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) return [];
  const names: ReferencedName[] = [];
  const reference = (pointer: string, name: unknown): void => {
    if (typeof name === 'string' && name.length > 0) names.push({ pointer, name });
  };
  reference('/shapesFile', (definition as { shapesFile?: unknown }).shapesFile);
  const enforcement = (definition as { enforcement?: unknown }).enforcement;
  if (Array.isArray(enforcement)) {
    enforcement.forEach((binding: unknown, index) => {
      if (typeof binding === 'object' && binding !== null)
        reference(`/enforcement/${index}/policy`, (binding as { policy?: unknown }).policy);
    });
  }
  return names;
}

/**
 * The files a definition references (see {@link referencedNames}), resolved as
 * the engine resolves them (by `resolveReferencedFile`, the rule the formal
 * tier and the engine bindings read them by). The one list a watcher needs to
 * notice that a policy set changed without its policy files changing.
 */
export function referencedFiles(definition: unknown, source: string | undefined): ReferencedFile[] {
  return referencedNames(definition).map(({ pointer, name }) => ({ pointer, path: resolveReferencedFile(name, source) }));
}
