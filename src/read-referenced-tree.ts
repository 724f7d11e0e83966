import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TierguardError } from './errors.js';
import { readRegularFile } from './read-regular-file.js';

/** One file of a referenced path: its path relative to that path (`''` for the path itself), its text and its bytes. */
export interface TreeFile {
  /** Relative to the referenced path, with `/` separators; `''` when the referenced path is the file. */
  readonly relative: string;
  /** The file's text (UTF-8, invalid sequences replaced). */
  readonly text: string;
  /** The file's bytes, exactly: what a bundle carries and a binary file (an OPA bundle) is versioned by. */
  readonly content: Buffer;
}

/** Bounds on reading a referenced directory, which an engine reads whole (a Rego bundle, a Checkov config dir). */
export interface TreeBounds {
  /** Largest single file, and largest total over the tree, in bytes (`limits.maxFileBytes`). */
  readonly maxBytes: number;
  /** Most files in the tree. */
  readonly maxFiles: number;
  /** Deepest nesting of directories below the referenced one. */
  readonly maxDepth: number;
}

/** Default tree bounds besides `maxBytes`, which comes from `limits.maxFileBytes`. */
export const TREE_BOUNDS: Readonly<Omit<TreeBounds, 'maxBytes'>> = Object.freeze({ maxFiles: 1_000, maxDepth: 32 });

/**
 * Reads a referenced file, or every regular file under a referenced directory,
 * recursively, in sorted order of relative path, so the result (and the version
 * hashed from it) is the same on every machine. Symbolic links to files are
 * read; links to directories are not followed (a loop would never end). Throws
 * an `IO_ERROR` TierguardError for a missing path, a path that is neither file
 * nor directory, or a tree past its bounds.
 */
export async function readReferencedTree(path: string, bounds: TreeBounds): Promise<TreeFile[]> {
  const info = await stat(path).catch((error: unknown) => {
    throw new TierguardError('IO_ERROR', `${path} does not exist or cannot be read`, { file: path }, { cause: error });
  });
  if (info.isFile()) return [treeFile('', await readRegularFile(path, bounds.maxBytes))];
  if (!info.isDirectory()) throw new TierguardError('IO_ERROR', `${path} is neither a file nor a directory`, { file: path });
  const relatives = await listFiles(path, bounds);
  const files: TreeFile[] = [];
  let total = 0;
  for (const relative of relatives) {
    const content = await readRegularFile(join(path, relative), bounds.maxBytes);
    total += content.length;
    if (total > bounds.maxBytes) {
      throw new TierguardError('IO_ERROR', `${path}: its files hold more than ${bounds.maxBytes} bytes together (limits.maxFileBytes)`, {
        file: path,
        limit: 'maxFileBytes',
      });
    }
    files.push(treeFile(relative, content));
  }
  return files;
}

function treeFile(relative: string, content: Buffer): TreeFile {
  return { relative, text: content.toString('utf8'), content };
}

// Breadth-first over directories with an explicit queue: the depth bound holds
// without recursion, and the file count is checked as entries are found.
async function listFiles(root: string, bounds: TreeBounds): Promise<string[]> {
  const found: string[] = [];
  const pending: { relative: string; depth: number }[] = [{ relative: '', depth: 0 }];
  while (pending.length > 0) {
    const { relative, depth } = pending.shift() as { relative: string; depth: number };
    const entries = await readdir(join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (depth + 1 > bounds.maxDepth) {
          throw new TierguardError('IO_ERROR', `${root}: directories nested deeper than ${bounds.maxDepth} levels`, { file: root });
        }
        pending.push({ relative: child, depth: depth + 1 });
        continue;
      }
      if (!(entry.isFile() || (entry.isSymbolicLink() && (await isLinkToFile(join(root, child)))))) continue;
      found.push(child);
      if (found.length > bounds.maxFiles) {
        throw new TierguardError('IO_ERROR', `${root}: more than ${bounds.maxFiles} files`, { file: root });
      }
    }
  }
  // Code-unit order, not locale order: the same on every machine.
  return found.sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
}

async function isLinkToFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink() && (await stat(path)).isFile();
  } catch {
    // A dangling link is not part of the tree.
    return false;
  }
}
