import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicies, watchPolicies } from '../../../src/index.js';
import type { TierguardError } from '../../../src/index.js';
import { makeTree, rejectionOf, watchClosedAfterEach } from './support.js';

/**
 * A bundle with no policies compiles to an engine that allows everything, so
 * "nothing here" is an error unless the user says it is what they mean.
 */

const watch = watchClosedAfterEach();

const limit = (max: number) =>
  JSON.stringify({ id: 'limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: max } });

describe('loadPolicies: empty bundles', () => {
  it('refuses an empty directory with EMPTY_BUNDLE, naming it', async () => {
    const root = await makeTree({});
    const failure = await rejectionOf(loadPolicies(root));
    expect(failure.code).toBe('EMPTY_BUNDLE');
    expect(failure.message).toBe(
      `${root} holds no policy files: a policy set with no policies allows every action; pass allowEmpty to accept that`,
    );
  });

  it('refuses a directory whose only files hold no policies', async () => {
    const root = await makeTree({ 'fixtures/a.json': '{"tool":"pay"}', 'notes.txt': 'not a policy' });
    expect((await rejectionOf(loadPolicies(root))).code).toBe('EMPTY_BUNDLE');
  });

  it.each([
    ['a 0-byte YAML file', 'p.yaml', ''],
    ['a YAML file of comments', 'p.yaml', '# policies go here\n'],
    ['an empty JSON list', 'p.json', '[]'],
    ['an empty YAML list', 'p.yml', '[]\n'],
  ])('refuses %s even beside other policies, naming the file', async (_name, file, content) => {
    const root = await makeTree({ 'a.json': limit(100), [file]: content });
    const failure = await rejectionOf(loadPolicies(root));
    expect(failure.code).toBe('EMPTY_BUNDLE');
    expect(failure.details).toMatchObject({ file: join(root, file) });
    expect(failure.message).toContain(`${join(root, file)} holds no policies`);
  });

  it('loads them all with allowEmpty', async () => {
    const root = await makeTree({ 'a.json': limit(100), 'p.yaml': '' });
    expect((await loadPolicies(root, {}, { allowEmpty: true })).definitions).toHaveLength(1);
    const empty = await makeTree({});
    expect(await loadPolicies(empty, {}, { allowEmpty: true })).toEqual({ definitions: [], sources: [], files: [] });
  });

  it('checks its options', async () => {
    const root = await makeTree({ 'a.json': limit(100) });
    for (const options of [{ allowEmpty: 'yes' }, { allowEmty: true }, null]) {
      const failure = await rejectionOf(loadPolicies(root, {}, options as never));
      expect(failure.code).toBe('INVALID_OPTIONS');
    }
  });
});

describe('watchPolicies: empty bundles', () => {
  it('refuses to start on an empty bundle, and starts on one with allowEmpty', async () => {
    const root = await makeTree({});
    expect((await rejectionOf(watchPolicies(root, { settleMs: 0 }))).code).toBe('EMPTY_BUNDLE');
    const watcher = await watch(root, { allowEmpty: true, settleMs: 0 });
    expect(watcher.engine.policyIds).toEqual([]);
  });

  it('keeps the last good set when the directory is emptied, and reports it', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const errors: TierguardError[] = [];
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 0, onError: (error) => errors.push(error) });
    await rm(join(root, 'p.json'));
    await watcher.reload();
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect((await watcher.evaluate({ tool: 'pay', arguments: { amount: 500 } })).verdict).toBe('deny');
    expect(errors.map((error) => error.code)).toEqual(['EMPTY_BUNDLE']);
  });

  it('goes to an empty set when the user opted in', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 0, allowEmpty: true });
    await rm(join(root, 'p.json'));
    await watcher.reload();
    expect(watcher.engine.policyIds).toEqual([]);
  });

  it('accepts a file deleted while the rest stays', async () => {
    const root = await makeTree({
      'a.json': limit(100),
      'b.json': JSON.stringify({ id: 'other', tools: ['x'], assert: { field: 'a', op: 'eq', value: 1 } }),
    });
    const errors: TierguardError[] = [];
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 0, onError: (error) => errors.push(error) });
    await rm(join(root, 'b.json'));
    await watcher.reload();
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect(errors).toEqual([]);
  });

  it('keeps the last good set when a file is replaced by an empty directory of its name', async () => {
    const root = await makeTree({ 'p.yaml': 'id: limit\ntools: [pay]\nassert: { field: arguments.amount, op: lte, value: 100 }\n' });
    const errors: TierguardError[] = [];
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 0, onError: (error) => errors.push(error) });
    await rm(join(root, 'p.yaml'));
    await mkdir(join(root, 'p.yaml'));
    await watcher.reload();
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect(errors.map((error) => error.code)).toEqual(['EMPTY_BUNDLE']);
    // Written again, it loads.
    await rm(join(root, 'p.yaml'), { recursive: true });
    await writeFile(join(root, 'p.yaml'), 'id: limit2\ntools: [pay]\nassert: { field: arguments.amount, op: lte, value: 5 }\n');
    await watcher.reload();
    expect(watcher.engine.policyIds).toEqual(['limit2']);
  });
});
