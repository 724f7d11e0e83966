import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicies, watchPolicies } from '../../../src/index.js';
import type { PolicyWatcher, TierguardError } from '../../../src/index.js';
import { makeTree, rejectionOf, removeTrees, summaryShapes } from './support.js';

/**
 * Symbolic links in a policy directory, above all the layout a Kubernetes
 * ConfigMap volume has: each key a top-level link into `..data`, itself a link
 * to a hidden timestamped folder, swapped atomically on update.
 */

const watchers: PolicyWatcher[] = [];

afterEach(async () => {
  for (const watcher of watchers.splice(0)) watcher.close();
  await removeTrees();
});

const limitYaml = (id: string, max: number) => `id: ${id}\ntools: [pay]\nassert: { field: arguments.amount, op: lte, value: ${max} }\n`;
const pay = (amount: number) => ({ tool: 'pay', arguments: { amount } });

/** Lays out `files` as the kubelet does: `..<stamp>/<key>`, `..data -> ..<stamp>`, `<key> -> ..data/<key>`. */
async function configMap(files: Readonly<Record<string, string>>): Promise<string> {
  const root = await makeTree({});
  await writeVersion(root, '..2026_12_01_10_00_00.1', files);
  await symlink('..2026_12_01_10_00_00.1', join(root, '..data'));
  for (const key of Object.keys(files)) await symlink(join('..data', key), join(root, key));
  return root;
}

async function writeVersion(root: string, stamp: string, files: Readonly<Record<string, string>>): Promise<void> {
  await mkdir(join(root, stamp));
  for (const [key, content] of Object.entries(files)) await writeFile(join(root, stamp, key), content);
}

/** The kubelet's update: a new timestamped folder, `..data` replaced by rename (atomic), the old folder removed. */
async function swapConfigMap(root: string, stamp: string, old: string, files: Readonly<Record<string, string>>): Promise<void> {
  await writeVersion(root, stamp, files);
  await symlink(stamp, join(root, '..data_tmp'));
  await rename(join(root, '..data_tmp'), join(root, '..data'));
  await rm(join(root, old), { recursive: true });
}

describe('loadPolicies: symbolic links', () => {
  it('loads a ConfigMap layout, each policy once, and a shapesFile beside it', async () => {
    const root = await configMap({
      'limit.yaml': limitYaml('limit', 100),
      'summary.json': JSON.stringify({ id: 'summary', tools: ['ticket'], shapesFile: 'summary.ttl' }),
      'summary.ttl': summaryShapes(10),
    });
    const loaded = await loadPolicies(root);
    expect(loaded.files).toEqual([join(root, 'limit.yaml'), join(root, 'summary.json')]);
    expect(loaded.definitions.map((definition) => definition.id)).toEqual(['limit', 'summary']);
  });

  it('lists a link beside its target once, under the first path in sorted order', async () => {
    const root = await makeTree({ 'b.yaml': limitYaml('limit', 100) });
    await symlink('b.yaml', join(root, 'a.yaml'));
    expect((await loadPolicies(root)).files).toEqual([join(root, 'a.yaml')]);
  });

  it('refuses a link that leads outside the directory, naming it', async () => {
    const outside = await makeTree({ 'elsewhere.yaml': limitYaml('limit', 100) });
    const root = await makeTree({ 'a.yaml': limitYaml('a', 1) });
    await symlink(join(outside, 'elsewhere.yaml'), join(root, 'b.yaml'));
    const failure = await rejectionOf(loadPolicies(root));
    expect(failure.code).toBe('IO_ERROR');
    expect(failure.message).toContain(
      `${join(root, 'b.yaml')}: a symbolic link to ${join(outside, 'elsewhere.yaml')}, outside the policy directory`,
    );
  });

  it('refuses a dangling link and a loop of links instead of skipping them', async () => {
    const root = await makeTree({ 'a.yaml': limitYaml('a', 1) });
    await symlink('missing.yaml', join(root, 'b.yaml'));
    expect((await rejectionOf(loadPolicies(root))).message).toBe(`${join(root, 'b.yaml')}: cannot read: no such file or directory`);
    await rm(join(root, 'b.yaml'));
    await symlink('d.yaml', join(root, 'c.yaml'));
    await symlink('c.yaml', join(root, 'd.yaml'));
    expect((await rejectionOf(loadPolicies(root))).message).toMatch(/c\.yaml: cannot read: ELOOP$/);
  });

  it('reads a source that is itself a link to a directory, and follows no link to a directory inside it', async () => {
    const real = await makeTree({ 'a.yaml': limitYaml('a', 1), 'nested/b.yaml': limitYaml('b', 1) });
    const holder = await makeTree({});
    await symlink(real, join(holder, 'policies'));
    await symlink('nested', join(real, 'again.yaml'));
    await symlink('.', join(real, 'loop'));
    const loaded = await loadPolicies(join(holder, 'policies'));
    expect(loaded.definitions.map((definition) => definition.id)).toEqual(['a', 'b']);
  });
});

describe('watchPolicies: a ConfigMap swapped atomically', () => {
  it('reloads the new version after a ..data swap, keeping each policy once', async () => {
    const root = await configMap({ 'limit.yaml': limitYaml('limit', 100) });
    const errors: TierguardError[] = [];
    const watcher = await watchPolicies(root, { intervalMs: 60_000, settleMs: 0, onError: (error) => errors.push(error) });
    watchers.push(watcher);
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect((await watcher.evaluate(pay(50))).verdict).toBe('allow');
    await swapConfigMap(root, '..2026_12_01_10_05_00.2', '..2026_12_01_10_00_00.1', { 'limit.yaml': limitYaml('limit', 10) });
    await watcher.reload();
    expect(errors).toEqual([]);
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect((await watcher.evaluate(pay(50))).verdict).toBe('deny');
  });

  it('keeps the last good set when the swap empties the ConfigMap', async () => {
    const root = await configMap({ 'limit.yaml': limitYaml('limit', 100) });
    const errors: TierguardError[] = [];
    const watcher = await watchPolicies(root, { intervalMs: 60_000, settleMs: 0, onError: (error) => errors.push(error) });
    watchers.push(watcher);
    await swapConfigMap(root, '..2026_12_01_10_05_00.2', '..2026_12_01_10_00_00.1', { 'limit.yaml': '' });
    await watcher.reload();
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect(errors.map((error) => error.code)).toEqual(['EMPTY_BUNDLE']);
  });
});
