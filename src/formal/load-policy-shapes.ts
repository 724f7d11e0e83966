import { resolveReferencedFile } from '../policy/resolve-referenced-file.js';
import type { Limits } from '../limits.js';
import { DefinitionIssue } from '../definition-issue.js';
import type { ShapesFile } from './load-shapes-file.js';
import { loadShapesFile } from './load-shapes-file.js';

/**
 * Reads the `shapesFile` of every policy that names one, resolved against the
 * directory of the file the policy came from (`sources`), or the working
 * directory for policies given in code. A file that cannot be used becomes a
 * DefinitionIssue for that policy, reported with the others at compile time.
 */
export async function loadPolicyShapes(
  definitions: readonly unknown[],
  sources: readonly string[] | undefined,
  limits: Limits,
): Promise<Map<number, ShapesFile | DefinitionIssue>> {
  const files = new Map<number, ShapesFile | DefinitionIssue>();
  for (const [index, definition] of definitions.entries()) {
    const shapesFile =
      typeof definition === 'object' && definition !== null ? (definition as { shapesFile?: unknown }).shapesFile : undefined;
    if (typeof shapesFile !== 'string' || shapesFile.length === 0) continue;
    const source = sources?.[index];
    const path = resolveReferencedFile(shapesFile, source);
    try {
      files.set(index, await loadShapesFile(path, limits));
    } catch (error) {
      if (!(error instanceof DefinitionIssue)) throw error;
      files.set(index, error);
    }
  }
  return files;
}
