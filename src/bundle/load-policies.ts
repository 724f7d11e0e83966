import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { PolicyDefinition } from '../types.js';
import { describeFsError, readJsonFile } from './read-json.js';

/** Policies read from disk, with the file each came from (same order), for messages. */
export interface LoadedPolicies {
  /** The definitions, in load order: files sorted by path, policies in file order. */
  readonly definitions: readonly PolicyDefinition[];
  /** For each definition, the file it was read from. */
  readonly sources: readonly string[];
  /** Every file read, sorted. */
  readonly files: readonly string[];
}

/** Folders never read as policies: fixtures hold example actions, not policies. */
const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['fixtures', 'node_modules']);

/**
 * Reads policy definitions from a `.json` file (one policy object, or an array
 * of them) or from a directory tree of such files. In a directory, files are read
 * in sorted path order so a policy set loads the same on every machine; folders
 * named `fixtures`, hidden folders and symbolic links are skipped. Definitions are
 * returned as parsed: `createEngine` validates them.
 */
export async function loadPolicies(path: string, limits: Partial<Limits> = {}): Promise<LoadedPolicies> {
  const maxFileBytes = limits.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
  }
  const files = isDirectory ? (await listJsonFiles(path)).sort() : [path];
  const definitions: PolicyDefinition[] = [];
  const sources: string[] = [];
  for (const file of files) {
    const content = await readJsonFile(file, maxFileBytes);
    const policies = Array.isArray(content) ? (content as unknown[]) : [content];
    for (const policy of policies) {
      definitions.push(policy as PolicyDefinition);
      sources.push(file);
    }
  }
  return { definitions, sources, files };
}

async function listJsonFiles(directory: string): Promise<string[]> {
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
      if (!SKIPPED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.')) files.push(...(await listJsonFiles(full)));
    } else if (entry.isFile() && entry.name.endsWith('.json')) {
      files.push(full);
    }
  }
  return files;
}
