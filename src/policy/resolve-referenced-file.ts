import { dirname, resolve } from 'node:path';

/**
 * Where a file a policy names (`shapesFile`, `enforcement[].policy`) is: relative
 * to the directory of the policy file the definition came from, or to the working
 * directory for a definition given in code. The one rule the formal tier, the
 * engine bindings and the bundle watcher all resolve by, so they always read the
 * same file.
 */
export function resolveReferencedFile(name: string, source: string | undefined): string {
  return resolve(source === undefined ? process.cwd() : dirname(source), name);
}
