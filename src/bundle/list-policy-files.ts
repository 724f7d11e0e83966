import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { TierguardError } from '../errors.js';
import { describeFsError } from '../read-regular-file.js';

/** Folders never read as policies: fixtures hold example actions, not policies. */
const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['fixtures', 'node_modules']);

const POLICY_FILE = /\.(json|ya?ml)$/;
const YAML_FILE = /\.ya?ml$/;

/** True for a `.yaml` or `.yml` file, which is parsed as YAML; anything else is parsed as JSON. */
export function isYamlFile(path: string): boolean {
  return YAML_FILE.test(path);
}

/** A listed policy file: the path as found under the source, and the file it really is. */
interface Listed {
  readonly path: string;
  readonly real: string;
}

/**
 * The policy files at `path`: the path itself when it is a file (whatever its
 * extension, as before YAML was read), or every `.json`, `.yaml` and `.yml`
 * entry of the directory tree in sorted path order, so a policy set loads the
 * same on every machine. Folders named `fixtures` or `node_modules` and hidden
 * folders are skipped. A symbolic link to a file is read when its target stays
 * inside the directory (a Kubernetes ConfigMap mount is top-level links into the
 * hidden `..data` folder); a link that leads outside, dangles or loops is an
 * `IO_ERROR`, never silently dropped. Links to directories are not followed.
 * Entries that are the same file (a link beside its target) are listed once,
 * under the first path in sorted order. An entry that is not a regular file
 * (a FIFO) is listed, so that reading it fails instead of losing its policies.
 */
export async function listPolicyFiles(path: string): Promise<string[]> {
  let isDirectory: boolean;
  let root: string;
  try {
    isDirectory = (await stat(path)).isDirectory();
    // The source itself may be a link (the user's choice of where policies live); links inside it are judged against where it leads.
    root = isDirectory ? await realpath(path) : path;
  } catch (error) {
    throw cannotRead(path, error);
  }
  if (!isDirectory) return [path];
  const listed = await walk(path, root, root);
  const byReal = new Map<string, string>();
  for (const { path: file, real } of listed) {
    const kept = byReal.get(real);
    if (kept === undefined || file < kept) byReal.set(real, file);
  }
  return [...byReal.values()].sort();
}

async function walk(directory: string, realDirectory: string, root: string): Promise<Listed[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw cannotRead(directory, error);
  }
  const files: Listed[] = [];
  for (const entry of entries) {
    const full = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.'))
        files.push(...(await walk(full, join(realDirectory, entry.name), root)));
    } else if (!POLICY_FILE.test(entry.name)) {
      continue;
    } else if (entry.isSymbolicLink()) {
      const real = await linkTarget(full, root);
      if (real !== undefined) files.push({ path: full, real });
    } else {
      files.push({ path: full, real: join(realDirectory, entry.name) });
    }
  }
  return files;
}

/** Where a policy link leads, or `undefined` for a link to a directory (not followed, so no loop can form). */
async function linkTarget(link: string, root: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(link);
  } catch (error) {
    // Dangling or looping: a file that should be here cannot be read, which must not read as "no policies here".
    throw cannotRead(link, error);
  }
  const inside = relative(root, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new TierguardError(
      'IO_ERROR',
      `${link}: a symbolic link to ${real}, outside the policy directory ${root}; link the directory itself instead`,
      {
        file: link,
      },
    );
  }
  try {
    return (await stat(real)).isDirectory() ? undefined : real;
  } catch (error) {
    throw cannotRead(link, error);
  }
}

function cannotRead(path: string, error: unknown): TierguardError {
  return new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
}
