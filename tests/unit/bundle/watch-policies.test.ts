import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { TierguardError, watchPolicies } from '../../../src/index.js';
import type { Engine, TierguardErrorCode } from '../../../src/index.js';
import { makeTree, rejectionOf, replaceFile, sleep, summaryShapes, watchClosedAfterEach } from './support.js';

const watch = watchClosedAfterEach();

/** A policy file: payments up to `max` are allowed. */
const limit = (max: number) =>
  JSON.stringify({ id: 'limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: max } });
const pay = (amount: number) => ({ tool: 'pay', arguments: { amount } });

/** Long enough for a 10 ms poller to run many times on a busy machine; never asserted as a duration. */
const SEVERAL_POLLS_MS = 400;
const WAIT = { timeout: 15_000, interval: 10 };

/** Records what a watcher reports. */
function recorder() {
  const errors: TierguardError[] = [];
  const reloads: Engine[] = [];
  return { errors, reloads, onError: (error: TierguardError) => errors.push(error), onReload: (engine: Engine) => reloads.push(engine) };
}

describe('watchPolicies: the first load', () => {
  it('serves the policies it loaded', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const watcher = await watch(root);
    expect(watcher.engine.policyIds).toEqual(['limit']);
    expect((await watcher.evaluate(pay(150))).verdict).toBe('deny');
    expect((await watcher.evaluate(pay(50))).verdict).toBe('allow');
  });

  it('passes engine options to createEngine, and namespaces several sources', async () => {
    const root = await makeTree({ 'payments/p.json': limit(100), 'refunds/p.json': limit(10) });
    const watcher = await watch([join(root, 'payments'), join(root, 'refunds')], { engine: { mode: 'monitor' } });
    expect(watcher.engine.policyIds).toEqual(['payments/limit', 'refunds/limit']);
    expect(watcher.engine.mode).toBe('monitor');
  });

  it('rejects with the TierguardError when the first load fails, and keeps nothing running', async () => {
    const listeners = process.listenerCount('SIGHUP');
    const cases: [Record<string, string>, TierguardErrorCode][] = [
      [{ 'p.json': '{ not json' }, 'IO_ERROR'],
      [{ 'p.json': '{"id": "p", "assert": {"field": "a", "op": "equals", "value": 1}}' }, 'INVALID_POLICY'],
      [{ 'p.yaml': 'id: p\nid: q\n' }, 'IO_ERROR'],
    ];
    for (const [files, code] of cases) {
      const root = await makeTree(files);
      const error = await rejectionOf(watchPolicies(root, { sighup: true }));
      expect(error).toBeInstanceOf(TierguardError);
      expect(error.code).toBe(code);
    }
    expect((await rejectionOf(watchPolicies(join(await makeTree({}), 'missing')))).code).toBe('IO_ERROR');
    expect(process.listenerCount('SIGHUP')).toBe(listeners);
  });

  it('refuses malformed options', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const cases: unknown[] = [
      { intervalMs: 9 },
      { intervalMs: 2 ** 31 },
      { intervalMs: Number.NaN },
      { intervalMs: '100' },
      { onError: 'log' },
      { onReload: 1 },
      { sighup: 'yes' },
      { engine: { policies: [] } },
      { engine: { sources: [] } },
      { engine: { unknown: true } },
      { limits: { maxFileBytes: -1 } },
      { limits: { maxFiles: 1 } },
      { pollMs: 100 },
      null,
    ];
    for (const options of cases) {
      const error = await rejectionOf(watchPolicies(root, options as never));
      expect(error.code, JSON.stringify(options)).toBe('INVALID_OPTIONS');
    }
    const watcher = await watch(root, { intervalMs: 10 });
    expect(watcher.engine.policyIds).toEqual(['limit']);
  });

  it('bounds the files read by limits, for the engine too unless engine.limits says otherwise', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    expect((await rejectionOf(watchPolicies(root, { limits: { maxFileBytes: 10 } }))).message).toMatch(
      /exceeds limits\.maxFileBytes \(10\)/,
    );
    const watcher = await watch(root, { limits: { maxDepth: 20 }, engine: { limits: { maxNodes: 500 } } });
    expect(watcher.engine.limits).toMatchObject({ maxDepth: 20, maxNodes: 500 });
  });
});

describe('watchPolicies: reloading', () => {
  it('picks up an edit by polling, and tells onReload', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 10, onError: seen.onError, onReload: seen.onReload });
    const first = watcher.engine;
    await replaceFile(join(root, 'p.json'), limit(200));
    await vi.waitFor(() => expect(watcher.engine).not.toBe(first), WAIT);
    expect(watcher.engine.version).not.toBe(first.version);
    expect((await watcher.evaluate(pay(150))).verdict).toBe('allow');
    expect(seen.reloads).toEqual([watcher.engine]);
    expect(seen.errors).toEqual([]);
  });

  it('picks up an edit on reload(), which resolves to the new engine', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 60_000, onReload: seen.onReload });
    const first = watcher.engine;
    await replaceFile(join(root, 'p.json'), limit(200));
    const reloaded = await watcher.reload();
    expect(reloaded).toBe(watcher.engine);
    expect(reloaded.version).not.toBe(first.version);
    expect((await watcher.evaluate(pay(150))).verdict).toBe('allow');
    expect(seen.reloads).toEqual([reloaded]);
  });

  it('picks up a new file, a removed file and a new YAML file in a watched directory', async () => {
    const root = await makeTree({ 'a.json': limit(100) });
    const watcher = await watch(root, { intervalMs: 10 });
    await replaceFile(join(root, 'b.json'), JSON.stringify({ id: 'b', tools: ['drop'] }));
    await vi.waitFor(() => expect(watcher.engine.policyIds).toEqual(['limit', 'b']), WAIT);
    await replaceFile(join(root, 'c.yaml'), 'id: c\ntools: [rm]\n');
    await vi.waitFor(() => expect(watcher.engine.policyIds).toEqual(['limit', 'b', 'c']), WAIT);
    await rm(join(root, 'a.json'));
    await vi.waitFor(() => expect(watcher.engine.policyIds).toEqual(['b', 'c']), WAIT);
  });

  it('picks up an edit to a referenced shapes file, and its creation when it was missing', async () => {
    const policy = JSON.stringify({ id: 'summary', tools: ['ticket'], shapesFile: 'shapes/summary.ttl' });
    const root = await makeTree({ 'p.json': policy, 'shapes/summary.ttl': summaryShapes(10) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 10, onError: seen.onError });
    const ticket = { tool: 'ticket', arguments: { summary: 'fifteen letters' } };
    expect((await watcher.evaluate(ticket)).verdict).toBe('deny');
    const first = watcher.engine;
    await replaceFile(join(root, 'shapes/summary.ttl'), summaryShapes(20));
    await vi.waitFor(() => expect(watcher.engine).not.toBe(first), WAIT);
    expect((await watcher.evaluate(ticket)).verdict).toBe('allow');

    // Pointing at a file that does not exist yet fails once; creating the file is then a change too.
    await replaceFile(join(root, 'p.json'), JSON.stringify({ id: 'summary', tools: ['ticket'], shapesFile: 'shapes/next.ttl' }));
    await vi.waitFor(() => expect(seen.errors).toHaveLength(1), WAIT);
    expect(seen.errors[0]?.code).toBe('INVALID_POLICY');
    const serving = watcher.engine;
    await replaceFile(join(root, 'shapes/next.ttl'), summaryShapes(5));
    await vi.waitFor(() => expect(watcher.engine).not.toBe(serving), WAIT);
    expect((await watcher.evaluate({ tool: 'ticket', arguments: { summary: 'sixteen' } })).verdict).toBe('deny');
    expect(seen.errors).toHaveLength(1);
  });

  it('keeps the last good engine on a broken edit, reports each broken content once, then swaps in a good edit', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 10, onError: seen.onError, onReload: seen.onReload });
    const good = watcher.engine;

    await replaceFile(join(root, 'p.json'), '{ "id": "limit", ');
    await vi.waitFor(() => expect(seen.errors).toHaveLength(1), WAIT);
    expect(seen.errors[0]).toBeInstanceOf(TierguardError);
    expect(seen.errors[0]?.code).toBe('IO_ERROR');
    expect(seen.errors[0]?.message).toContain(join(root, 'p.json'));
    await sleep(SEVERAL_POLLS_MS);
    expect(seen.errors).toHaveLength(1);
    expect(watcher.engine).toBe(good);
    expect((await watcher.evaluate(pay(150))).verdict).toBe('deny');

    await replaceFile(
      join(root, 'p.json'),
      JSON.stringify({ id: 'limit', assert: { field: 'arguments.amount', op: 'at most', value: 1 } }),
    );
    await vi.waitFor(() => expect(seen.errors).toHaveLength(2), WAIT);
    expect(seen.errors[1]?.code).toBe('INVALID_POLICY');
    expect(seen.errors[1]?.message).toContain('limit');
    await sleep(SEVERAL_POLLS_MS);
    expect(seen.errors).toHaveLength(2);
    expect(watcher.engine).toBe(good);

    await replaceFile(join(root, 'p.json'), limit(300));
    await vi.waitFor(() => expect(watcher.engine).not.toBe(good), WAIT);
    expect((await watcher.evaluate(pay(250))).verdict).toBe('allow');
    expect(seen.errors).toHaveLength(2);
    expect(seen.reloads).toEqual([watcher.engine]);
  });

  it('reports a missing policy directory once, and recovers when it is back', async () => {
    const root = await makeTree({ 'policies/p.json': limit(100) });
    const seen = recorder();
    const watcher = await watch(join(root, 'policies'), { intervalMs: 10, onError: seen.onError });
    const good = watcher.engine;
    await rm(join(root, 'policies'), { recursive: true });
    await vi.waitFor(() => expect(seen.errors).toHaveLength(1), WAIT);
    expect(seen.errors[0]?.code).toBe('IO_ERROR');
    await sleep(SEVERAL_POLLS_MS);
    expect(seen.errors).toHaveLength(1);
    expect(watcher.engine).toBe(good);
    await mkdir(join(root, 'policies'));
    await replaceFile(join(root, 'policies/p.json'), limit(500));
    await vi.waitFor(() => expect(watcher.engine).not.toBe(good), WAIT);
    expect((await watcher.evaluate(pay(400))).verdict).toBe('allow');
  });

  it('reports a broken bundle on every reload(), which resolves to the engine still serving', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 60_000, onError: seen.onError });
    const good = watcher.engine;
    await replaceFile(join(root, 'p.json'), '[');
    await expect(watcher.reload()).resolves.toBe(good);
    await expect(watcher.reload()).resolves.toBe(good);
    expect(seen.errors.map((error) => error.code)).toEqual(['IO_ERROR', 'IO_ERROR']);
  });

  it('keeps the engine when an edit changes nothing that is compiled (whitespace, key order)', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 60_000, onReload: seen.onReload });
    const first = watcher.engine;
    await replaceFile(
      join(root, 'p.json'),
      `\n${JSON.stringify({ assert: { value: 100, field: 'arguments.amount', op: 'lte' }, tools: ['pay'], id: 'limit' }, null, 2)}\n`,
    );
    await expect(watcher.reload()).resolves.toBe(first);
    expect(seen.reloads).toEqual([]);
  });

  it('without onError, warns rather than dropping a failure', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const warnings: string[] = [];
    const listener = (warning: Error) => warnings.push(warning.message);
    process.on('warning', listener);
    try {
      const watcher = await watch(root, { intervalMs: 60_000 });
      await replaceFile(join(root, 'p.json'), '[');
      await watcher.reload();
      await vi.waitFor(() => expect(warnings.some((message) => message.includes('not valid JSON'))).toBe(true), WAIT);
    } finally {
      process.off('warning', listener);
    }
  });

  it('escapes the warning, so a file name cannot write terminal controls to the operator', async () => {
    const name = 'p\u001b[2J\u202e.json';
    const root = await makeTree({ [name]: limit(100) });
    const warnings: string[] = [];
    const listener = (warning: Error) => warnings.push(warning.message);
    process.on('warning', listener);
    try {
      const watcher = await watch(root, { intervalMs: 60_000 });
      await replaceFile(join(root, name), '[');
      await watcher.reload();
      await vi.waitFor(() => expect(warnings.some((message) => message.includes('not valid JSON'))).toBe(true), WAIT);
      const warned = warnings.find((message) => message.includes('not valid JSON')) as string;
      expect(warned).toContain('p\\x1b[2J\\u202e.json');
      // eslint-disable-next-line no-control-regex -- the escape character must not appear raw
      expect(warned).not.toMatch(/[\u001b\u202e\n]/);
    } finally {
      process.off('warning', listener);
    }
  });

  it('survives callbacks that throw', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const watcher = await watch(root, {
      intervalMs: 60_000,
      onError: () => {
        throw new Error('onError failed');
      },
      onReload: () => {
        throw new Error('onReload failed');
      },
    });
    const warned = vi.fn();
    process.on('warning', warned);
    try {
      await replaceFile(join(root, 'p.json'), '[');
      await expect(watcher.reload()).resolves.toBe(watcher.engine);
      await replaceFile(join(root, 'p.json'), limit(5));
      const swapped = await watcher.reload();
      expect(swapped).toBe(watcher.engine);
      expect(swapped.definitions[0]?.assert).toMatchObject({ value: 5 });
      await vi.waitFor(() => expect(warned).toHaveBeenCalledTimes(2), WAIT);
    } finally {
      process.off('warning', warned);
    }
  });
});

describe('watchPolicies: lifecycle', () => {
  it('reloads on SIGHUP when asked to, and close() removes the listener', async () => {
    const before = process.listenerCount('SIGHUP');
    const root = await makeTree({ 'p.json': limit(100) });
    const plain = await watch(root, { intervalMs: 60_000 });
    expect(process.listenerCount('SIGHUP')).toBe(before);
    plain.close();

    const seen = recorder();
    const watcher = await watch(root, { intervalMs: 60_000, sighup: true, onReload: seen.onReload });
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    const first = watcher.engine;
    await replaceFile(join(root, 'p.json'), limit(200));
    // A real signal, now that a listener is sure to catch it (with none, SIGHUP ends the process).
    process.kill(process.pid, 'SIGHUP');
    await vi.waitFor(() => expect(watcher.engine).not.toBe(first), WAIT);
    expect(seen.reloads).toEqual([watcher.engine]);

    watcher.close();
    watcher.close();
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });

  it('stops polling on close(); reload() still works', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const watcher = await watch(root, { intervalMs: 10 });
    const first = watcher.engine;
    watcher.close();
    await replaceFile(join(root, 'p.json'), limit(200));
    await sleep(SEVERAL_POLLS_MS);
    expect(watcher.engine).toBe(first);
    expect((await watcher.reload()).version).not.toBe(first.version);
  });

  it('keeps no timer that holds the process open', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const root = await makeTree({ 'p.json': limit(100) });
    const watcher = await watch(root, { intervalMs: 10 });
    // Counted and closed in one synchronous step: the test runner's own timers
    // come and go while the first load settles, but not between these lines.
    const before = timers();
    watcher.close();
    expect(timers()).toBe(before);
    // The count does see a timer that holds the process.
    const held = setInterval(() => undefined, 60_000);
    try {
      expect(timers()).toBe(before + 1);
    } finally {
      clearInterval(held);
    }
  });
});
