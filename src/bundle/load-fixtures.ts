import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { describeFsError, readJsonFile } from './read-json.js';

/** What a fixture says the named policy does with its action: stays silent (`allow`) or fires (`deny`). */
export type FixtureExpectation = 'allow' | 'deny';

/** One fixture action read from `fixtures/<policy-id>/<allow|deny>/<name>.json`. */
export interface Fixture {
  /** The policy the fixture is about, decoded from its folder name. */
  readonly policyId: string;
  /** Whether that policy must stay silent (`allow`) or fire (`deny`). */
  readonly expected: FixtureExpectation;
  /** The file, relative to the policy directory, with `/` separators on every platform. */
  readonly file: string;
  /** The parsed action, unchecked: an invalid action is a failing fixture, not invalid input. */
  readonly action: unknown;
}

const EXPECTATIONS: ReadonlySet<string> = new Set<FixtureExpectation>(['allow', 'deny']);

/**
 * The policy id a fixture folder stands for: `/` and `:` are written `%2F` and
 * `%3A` (as `tierguard compile` names its files) because neither is safe in a
 * folder name everywhere.
 */
export function decodeFixtureFolder(name: string): string {
  return name.replace(/%2F/gi, '/').replace(/%3A/gi, ':');
}

/**
 * Reads `<directory>/fixtures/<policy-id>/{allow,deny}/*.json` in sorted order.
 * Anything else in the tree is invalid input, an `IO_ERROR` naming the file: a
 * folder for a policy not in `policyIds`, a folder other than `allow`/`deny`, a
 * file that is not `.json` or not valid JSON, a nested folder or a symbolic link.
 * A misplaced fixture, if skipped, would be a test that silently never runs.
 * Hidden entries (`.gitkeep`, `.DS_Store`) are the one exception, and are skipped.
 * A missing `fixtures/` folder is an error too, so a CI run cannot pass by
 * testing nothing.
 */
export async function loadFixtures(directory: string, policyIds: readonly string[], limits: Partial<Limits> = {}): Promise<Fixture[]> {
  const maxFileBytes = limits.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  const known = new Set(policyIds);
  const fixtures: Fixture[] = [];
  for (const policyFolder of await listEntries(directory, 'fixtures')) {
    const policyPath = `fixtures/${policyFolder.name}`;
    requireDirectory(directory, policyFolder, policyPath);
    const policyId = decodeFixtureFolder(policyFolder.name);
    if (!known.has(policyId)) {
      invalid(directory, policyPath, `no policy with id "${policyId}" in this directory`);
    }
    for (const expectationFolder of await listEntries(directory, policyPath)) {
      const expectationPath = `${policyPath}/${expectationFolder.name}`;
      requireDirectory(directory, expectationFolder, expectationPath);
      if (!EXPECTATIONS.has(expectationFolder.name)) {
        invalid(directory, expectationPath, 'a fixture folder holds only "allow" and "deny" folders');
      }
      for (const file of await listEntries(directory, expectationPath)) {
        const filePath = `${expectationPath}/${file.name}`;
        if (!file.isFile()) invalid(directory, filePath, 'expected a .json file (folders and symbolic links are not read)');
        if (!file.name.endsWith('.json')) invalid(directory, filePath, 'a fixture is a .json file');
        const action = await readJsonFile(join(directory, filePath), maxFileBytes);
        fixtures.push({ policyId, expected: expectationFolder.name as FixtureExpectation, file: filePath, action });
      }
    }
  }
  return fixtures;
}

/** The visible entries of a folder, sorted by name so every machine runs fixtures in the same order. */
async function listEntries(directory: string, relative: string): Promise<Dirent[]> {
  const path = join(directory, relative);
  let entries: Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
  }
  return entries.filter((entry) => !entry.name.startsWith('.')).sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
}

function requireDirectory(directory: string, entry: Dirent, relative: string): void {
  if (!entry.isDirectory()) invalid(directory, relative, 'expected a folder (fixtures/<policy-id>/<allow|deny>/<name>.json)');
}

// Messages name the file as the user can open it, like readJsonFile's.
function invalid(directory: string, relative: string, reason: string): never {
  const file = join(directory, relative);
  throw new TierguardError('IO_ERROR', `${file}: ${reason}`, { file });
}
