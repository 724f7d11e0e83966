import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFsError, readJsonFile } from '../bundle/read-json.js';
import { TierguardError } from '../errors.js';

/** Sample actions as read from disk, each with the file it came from. */
export interface SampleActionFiles {
  readonly actions: readonly unknown[];
  readonly files: readonly string[];
}

/**
 * The sample actions of `--actions`: a file holding one action, or a
 * directory's `.json` files (hidden ones and folders left out), sorted by name,
 * each parsed strictly as `tierguard check` parses an action (within
 * `maxFileBytes`, line and column for a syntax error). A directory without one is
 * an `IO_ERROR`: no samples would make every check pass.
 */
export async function readSampleActions(path: string, maxFileBytes: number): Promise<SampleActionFiles> {
  const files = (await isDirectory(path)) ? await jsonFilesIn(path) : [path];
  if (files.length === 0) throw new TierguardError('IO_ERROR', `${path}: holds no .json action files`, { file: path });
  const actions: unknown[] = [];
  for (const file of files) actions.push(await readJsonFile(file, maxFileBytes));
  return { actions, files };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
  }
}

async function jsonFilesIn(directory: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${directory}: cannot read: ${describeFsError(error)}`, { file: directory }, { cause: error });
  }
  return entries
    .filter((entry) => !entry.isDirectory() && !entry.name.startsWith('.') && entry.name.endsWith('.json'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => join(directory, name));
}
