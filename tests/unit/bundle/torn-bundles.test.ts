import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { watchPolicies } from '../../../src/index.js';
import type { Engine, TierguardError } from '../../../src/index.js';
import { makeTree, rejectionOf, sleep, summaryShapes, watchClosedAfterEach } from './support.js';

/**
 * Reloads that must never serve a torn bundle: a file caught mid-write, emptied,
 * deleted and rewritten, turned into a FIFO or grown past the size limit. The
 * last good set keeps serving and the failure is reported. Waits only bound a
 * hang ("settles within 5 s") and are never asserted as durations.
 */

const watch = watchClosedAfterEach();

const limitYaml = (id: string, max: number) => `id: ${id}\ntools: [pay]\nassert: { field: arguments.amount, op: lte, value: ${max} }\n`;
const pay = (amount: number) => ({ tool: 'pay', arguments: { amount } });

function recorder() {
  const errors: TierguardError[] = [];
  const reloads: Engine[] = [];
  return { errors, reloads, onError: (error: TierguardError) => errors.push(error), onReload: (engine: Engine) => reloads.push(engine) };
}

/** Resolves to the promise's value, or throws if it has not settled within 5 s: a hang, not a slow machine. */
async function within5s<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('did not settle within 5 s')), 5_000);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe('watchPolicies: torn writes', () => {
  it('keeps the last good set when a YAML file is caught at 0 bytes, and loads it once it is written', async () => {
    const root = await makeTree({ 'p.yaml': limitYaml('limit', 100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 0, onError: seen.onError, onReload: seen.onReload });
    await truncate(join(root, 'p.yaml'), 0);
    await watcher.reload();
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect((await watcher.evaluate(pay(500))).verdict).toBe('deny');
    expect(seen.errors.map((error) => error.code)).toEqual(['EMPTY_BUNDLE']);
    expect(seen.errors[0]?.message).toContain(`${join(root, 'p.yaml')} holds no policies`);
    await writeFile(join(root, 'p.yaml'), limitYaml('limit', 10));
    await watcher.reload();
    expect((await watcher.evaluate(pay(50))).verdict).toBe('deny');
    expect(seen.reloads).toHaveLength(1);
  });

  it('never serves a file truncated mid-write when the write completes before the reads agree', async () => {
    const root = await makeTree({ 'p.yaml': limitYaml('limit', 100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 200, onError: seen.onError, onReload: seen.onReload });
    const file = join(root, 'p.yaml');
    await truncate(file, 0);
    const reloading = watcher.reload();
    // Completes the write while the reload waits for a second read (or before its first one: either way no torn read is served).
    await sleep(20);
    await writeFile(file, limitYaml('limit', 10));
    await reloading;
    expect(seen.errors).toEqual([]);
    expect(seen.reloads.map((engine) => engine.policyIds)).toEqual([['limit']]);
    expect((await watcher.evaluate(pay(50))).verdict).toBe('deny');
  });

  it('keeps the last good set through a delete-then-rewrite of the only file', async () => {
    const root = await makeTree({ 'p.yaml': limitYaml('limit', 100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 0, onError: seen.onError, onReload: seen.onReload });
    await rm(join(root, 'p.yaml'));
    await watcher.reload();
    expect(watcher.engine.policyIds).toEqual(['limit']);
    await writeFile(join(root, 'p.yaml'), limitYaml('limit', 10));
    await watcher.reload();
    expect((await watcher.evaluate(pay(50))).verdict).toBe('deny');
    expect(seen.errors.map((error) => error.code)).toEqual(['EMPTY_BUNDLE']);
  });

  it('keeps the last good set when a YAML file is truncated mid-document', async () => {
    const root = await makeTree({ 'p.yaml': limitYaml('limit', 100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 0, onError: seen.onError, onReload: seen.onReload });
    await writeFile(join(root, 'p.yaml'), 'id: limit\ntools: [pay]\nassert: { field: argum');
    await watcher.reload();
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect((await watcher.evaluate(pay(500))).verdict).toBe('deny');
    expect(seen.errors).toHaveLength(1);
  });

  it('reports files that keep changing instead of loading any of their states', async () => {
    const root = await makeTree({ 'p.yaml': limitYaml('limit', 100) });
    const seen = recorder();
    const watcher = await watch(root, {
      intervalMs: 60_000,
      settleMs: 20,
      maxSettleReads: 3,
      onError: seen.onError,
      onReload: seen.onReload,
    });
    const file = join(root, 'p.yaml');
    let version = 0;
    // Synchronous writes from a timer due before each settle read: no two reads can see the same text.
    const writer = setInterval(() => {
      version += 1;
      writeFileSync(`${file}.tmp`, limitYaml('limit', 1000 + version));
      renameSync(`${file}.tmp`, file);
    }, 2);
    try {
      await watcher.reload();
    } finally {
      clearInterval(writer);
    }
    expect(seen.reloads).toEqual([]);
    expect(seen.errors).toHaveLength(1);
    expect(seen.errors[0]).toMatchObject({ code: 'IO_ERROR', details: { option: 'maxSettleReads' } });
    expect(seen.errors[0]?.message).toContain('never agreed twice in a row');
    expect((await watcher.evaluate(pay(500))).verdict).toBe('deny');
  });

  it('loads what the files come to rest on after a change that never settled', async () => {
    const root = await makeTree({ 'p.yaml': limitYaml('limit', 100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 10, settleMs: 20, maxSettleReads: 2, onError: seen.onError, onReload: seen.onReload });
    const file = join(root, 'p.yaml');
    let version = 0;
    const writer = setInterval(() => {
      version += 1;
      writeFileSync(`${file}.tmp`, limitYaml('limit', 1000 + version));
      renameSync(`${file}.tmp`, file);
    }, 2);
    try {
      await vi.waitFor(() => expect(seen.errors.length).toBeGreaterThan(0), { timeout: 15_000, interval: 10 });
    } finally {
      clearInterval(writer);
    }
    const final = 1000 + version;
    await vi.waitFor(
      async () => {
        expect((await watcher.evaluate(pay(final))).verdict).toBe('allow');
        expect((await watcher.evaluate(pay(final + 1))).verdict).toBe('deny');
      },
      { timeout: 15_000, interval: 10 },
    );
  });

  it('checks the settle options at their edges', async () => {
    const root = await makeTree({ 'p.yaml': limitYaml('limit', 100) });
    for (const options of [{ settleMs: -1 }, { settleMs: 1.5 }, { maxSettleReads: 1 }, { maxSettleReads: 101 }, { allowEmpty: 1 }]) {
      expect((await rejectionOf(watchPolicies(root, options as never))).code).toBe('INVALID_OPTIONS');
    }
    await watch(root, { settleMs: 0, maxSettleReads: 2 });
    await watch(root, { settleMs: 0, maxSettleReads: 100 });
  });
});

describe('watchPolicies: files that cannot be read', () => {
  it('keeps the last good set when a policy file is replaced by a FIFO, without stalling', async () => {
    const root = await makeTree({ 'p.yaml': limitYaml('limit', 100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 0, onError: seen.onError, onReload: seen.onReload });
    await rm(join(root, 'p.yaml'));
    execFileSync('mkfifo', [join(root, 'p.yaml')]);
    await within5s(watcher.reload());
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect(seen.errors.map((error) => error.message)).toEqual([`${join(root, 'p.yaml')}: cannot read: a FIFO, not a regular file`]);
  });

  it('keeps the last good set when a shapesFile becomes a FIFO, without stalling', async () => {
    const root = await makeTree({
      'p.json': JSON.stringify({ id: 'summary', tools: ['ticket'], shapesFile: 'summary.ttl' }),
      'summary.ttl': summaryShapes(10),
    });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 0, onError: seen.onError, onReload: seen.onReload });
    await rm(join(root, 'summary.ttl'));
    execFileSync('mkfifo', [join(root, 'summary.ttl')]);
    await within5s(watcher.reload());
    expect(watcher.engine.policyIds).toEqual(['summary']);
    expect(seen.errors).toHaveLength(1);
    expect(seen.errors[0]?.message).toContain(`${join(root, 'summary.ttl')}: cannot read: a FIFO, not a regular file`);
    expect((await watcher.evaluate({ tool: 'ticket', arguments: { summary: 'far longer than ten' } })).verdict).toBe('deny');
  });

  it('reads a file of exactly maxFileBytes and keeps the last good set when one grows past it', async () => {
    const text = limitYaml('limit', 100);
    const root = await makeTree({ 'p.yaml': text });
    const seen = recorder();
    const watcher = await watch(root, {
      intervalMs: 60_000,
      settleMs: 0,
      limits: { maxFileBytes: Buffer.byteLength(text) },
      onError: seen.onError,
      onReload: seen.onReload,
    });
    await writeFile(join(root, 'p.yaml'), `${text}#`);
    await watcher.reload();
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect(seen.errors).toHaveLength(1);
    expect(seen.errors[0]).toMatchObject({ code: 'IO_ERROR', details: { file: join(root, 'p.yaml'), limit: 'maxFileBytes' } });
  });
});
