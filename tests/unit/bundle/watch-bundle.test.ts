import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPolicyBundle } from '../../../src/index.js';
import type { TierguardError } from '../../../src/index.js';
import { LONG_SUMMARY, makeBundleTree } from './support-bundles.js';
import { makeTree, rejectionOf, replaceFile, summaryShapes, watchClosedAfterEach, writeText } from './support.js';

const watch = watchClosedAfterEach();
const QUIET = { intervalMs: 60_000, settleMs: 0 } as const;
const limit = (max: number) =>
  JSON.stringify({ id: 'limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: max } });

describe('watchPolicies on a bundle file', () => {
  it('serves the bundle, reloads a rebuilt one, and keeps the last good one when a bundle is tampered with', async () => {
    const { root, policies } = await makeBundleTree();
    const file = join(await makeTree({}), 'bundle.json');
    const first = await buildPolicyBundle(policies);
    await writeText(file, first.text);
    const errors: TierguardError[] = [];
    const watcher = await watch(file, { ...QUIET, onError: (error) => errors.push(error) });
    expect(watcher.engine.version).toBe(first.bundle.version);
    expect((await watcher.evaluate(LONG_SUMMARY)).verdict).toBe('deny');

    await writeText(join(root, 'shapes/summary.ttl'), summaryShapes(1000));
    const second = await buildPolicyBundle(policies);
    await replaceFile(file, second.text);
    expect((await watcher.reload()).version).toBe(second.bundle.version);
    expect((await watcher.evaluate(LONG_SUMMARY)).verdict).toBe('allow');

    const tampered = JSON.parse(second.text) as { files: Record<string, string> };
    tampered.files['shapes/summary.ttl'] = summaryShapes(1);
    await replaceFile(file, JSON.stringify(tampered));
    expect((await watcher.reload()).version).toBe(second.bundle.version);
    expect(errors.map((error) => error.code)).toEqual(['INVALID_BUNDLE']);
    expect((await watcher.evaluate(LONG_SUMMARY)).verdict).toBe('allow');
  });
});

describe('watchPolicies: the versions it keeps', () => {
  it('keeps the last keepVersions engines by version, newest first, and evicts the oldest', async () => {
    const root = await makeTree({ 'p.json': limit(1) });
    const watcher = await watch(root, { ...QUIET, keepVersions: 2 });
    const v1 = watcher.engine;
    expect(watcher.versions).toEqual([v1.version]);
    expect(watcher.engineAt(v1.version)).toBe(v1);

    await replaceFile(join(root, 'p.json'), limit(2));
    const v2 = await watcher.reload();
    expect(watcher.versions).toEqual([v2.version, v1.version]);
    expect(watcher.engineAt(v1.version)).toBe(v1);
    expect((await watcher.engineAt(v1.version)?.evaluate({ tool: 'pay', arguments: { amount: 2 } }))?.policyVersion).toBe(v1.version);

    await replaceFile(join(root, 'p.json'), limit(3));
    const v3 = await watcher.reload();
    expect(watcher.versions).toEqual([v3.version, v2.version]);
    expect(watcher.engineAt(v1.version)).toBeUndefined();
    expect(watcher.engineAt('sha256:nope')).toBeUndefined();

    // Back to earlier content: that version is held again, as the newest, once.
    await replaceFile(join(root, 'p.json'), limit(2));
    const again = await watcher.reload();
    expect(again.version).toBe(v2.version);
    expect(watcher.versions).toEqual([v2.version, v3.version]);
  });

  it('keeps 8 by default, and a change that compiles to the same version adds none', async () => {
    const root = await makeTree({ 'p.json': limit(0) });
    const watcher = await watch(root, QUIET);
    await replaceFile(join(root, 'p.json'), `\n${limit(0)}\n`);
    await watcher.reload();
    expect(watcher.versions).toHaveLength(1);
    for (let max = 1; max <= 9; max++) {
      await replaceFile(join(root, 'p.json'), limit(max));
      await watcher.reload();
    }
    expect(watcher.versions).toHaveLength(8);
    expect(watcher.versions[0]).toBe(watcher.engine.version);
  });

  it.each([0, 65, 1.5, '2', null])('refuses keepVersions %j', async (keepVersions) => {
    const root = await makeTree({ 'p.json': limit(0) });
    const error = await rejectionOf(watch(root, { keepVersions: keepVersions as number }));
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS', details: { option: 'keepVersions' } });
  });
});
