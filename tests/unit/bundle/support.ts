import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { watchPolicies } from '../../../src/index.js';
import type { PolicyWatcher, TierguardError } from '../../../src/index.js';

const created: string[] = [];

/** A temporary directory holding `files` (path to text); removed by {@link removeTrees}. */
export async function makeTree(files: Readonly<Record<string, string>>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tierguard-bundle-'));
  created.push(root);
  for (const [path, content] of Object.entries(files)) await writeText(join(root, path), content);
  return root;
}

/** Removes every directory made by {@link makeTree}; for `afterEach`/`afterAll`. */
export async function removeTrees(): Promise<void> {
  await Promise.all(created.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

/** Writes a file, creating its folder. */
export async function writeText(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/**
 * Replaces a file in one step (write aside, then rename), as editors and
 * deployment tools do, so a poll never reads it half-written. The temporary
 * name ends in `.tmp`, which the loader does not read.
 */
export async function replaceFile(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

/** What a rejected promise rejected with, for assertions on code, message and details together. */
export async function rejectionOf(promise: Promise<unknown>): Promise<TierguardError> {
  try {
    await promise;
  } catch (error) {
    return error as TierguardError;
  }
  throw new Error('expected the promise to reject');
}

/** Resolves after `ms` milliseconds; only for letting a poller run, never to assert a timing. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Turtle prefixes for hand-written shapes that target tierguard's action graph. */
export const TURTLE_PREFIXES = `@prefix sh: <http://www.w3.org/ns/shacl#>.
@prefix xsd: <http://www.w3.org/2001/XMLSchema#>.
@prefix tg: <urn:tierguard:>.
@prefix key: <urn:tierguard:key:>.
`;

/** Hand-written shapes: `arguments.summary` at most `maxLength` characters. */
export function summaryShapes(maxLength: number): string {
  return `${TURTLE_PREFIXES}
tg:SummaryShape a sh:NodeShape;
    sh:targetClass tg:Action;
    sh:property [ sh:path (key:arguments key:summary); sh:maxLength ${maxLength} ].
`;
}

/**
 * `watchPolicies` for a test file: call it once at the top level, and every
 * watcher it starts is closed, and every tree from {@link makeTree} removed,
 * after each test, whatever happens in it.
 */
export function watchClosedAfterEach(): typeof watchPolicies {
  const watchers: PolicyWatcher[] = [];
  afterEach(async () => {
    for (const watcher of watchers.splice(0)) watcher.close();
    await removeTrees();
  });
  return async (...args) => {
    const watcher = await watchPolicies(...args);
    watchers.push(watcher);
    return watcher;
  };
}
