import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { watchPolicies } from '../../../src/index.js';
import type { PolicyWatcher } from '../../../src/index.js';
import { replaceFile, writeText } from '../bundle/support.js';
import { FIXTURES } from './support.js';

const WAIT = { timeout: 15_000, interval: 10 };
const watchers: PolicyWatcher[] = [];
const scratch: string[] = [];
afterEach(() => {
  for (const watcher of watchers.splice(0)) watcher.close();
});
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function watchCopy(): Promise<{ root: string; watcher: PolicyWatcher }> {
  const root = await mkdtemp(join(tmpdir(), 'tierguard-watch-enforcement-'));
  scratch.push(root);
  await cp(FIXTURES, root, { recursive: true });
  const watcher = await watchPolicies(join(root, 'policies'), { intervalMs: 10 });
  watchers.push(watcher);
  return { root, watcher };
}

describe('watchPolicies and engine policies', () => {
  it('reloads when a bound Rego file changes', async () => {
    const { root, watcher } = await watchCopy();
    const first = watcher.engine;
    const rego = join(root, 'engine-policies', 's3.rego');
    await replaceFile(rego, `${await readFile(rego, 'utf8')}\n# reviewed\n`);
    await vi.waitFor(() => expect(watcher.engine).not.toBe(first), WAIT);
    expect(watcher.engine.version).not.toBe(first.version);
  });

  it('reloads when a file inside a bound directory changes or is added', async () => {
    const { root, watcher } = await watchCopy();
    const first = watcher.engine;
    await replaceFile(join(root, 'engine-policies', 'bucket-rules', 'size.rego'), 'package buckets\n');
    await vi.waitFor(() => expect(watcher.engine).not.toBe(first), WAIT);
    const second = watcher.engine;
    await writeText(join(root, 'engine-policies', 'bucket-rules', 'nested', 'extra.rego'), 'package buckets.extra\n');
    await vi.waitFor(() => expect(watcher.engine).not.toBe(second), WAIT);
  });
});
