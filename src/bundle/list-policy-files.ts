import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TierguardError } from '../errors.js';
import { describeFsError } from './read-json.js';

/** Folders never read as policies: fixtures hold example actions, not policies. */
const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['fixtures', 'node_modules']);

const POLICY_FILE = /\.(json|ya?ml)$/;
const YAML_FILE = /\.ya?ml$/;

/** True for a `.yaml` or `.yml` file, which is parsed as YAML; anything else is parsed as JSON. */
export function isYamlFile(path: string): boolean {
  return YAML_FILE.test(path);
}

/**
 * The policy files at `path`: the path itself when it is a file (whatever its
 * extension, as before YAML was read), or every `.json`, `.yaml` and `.yml` file
 * of the directory tree in sorted path order, so a policy set loads the same on
 * every machine. Folders named `fixtures` or `node_modules`, hidden folders and
 * symbolic links are skipped.
 */
export async function listPolicyFiles(path: string): Promise<string[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
  }
  return isDirectory ? (await walk(path)).sort() : [path];
}

async function walk(directory: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${directory}: cannot read: ${describeFsError(error)}`, { file: directory }, { cause: error });
  }
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.')) files.push(...(await walk(full)));
    } else if (entry.isFile() && POLICY_FILE.test(entry.name)) {
      files.push(full);
    }
  }
  return files;
}
