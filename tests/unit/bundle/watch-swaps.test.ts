import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as EngineModule from '../../../src/engine.js';
import { watchPolicies } from '../../../src/index.js';
import type { Decision, Engine, PolicyWatcher } from '../../../src/index.js';
import { makeTree, removeTrees, replaceFile, sleep } from './support.js';

// Wraps the real createEngine: counts compiles and how many run at once, can
// stretch a compile, and can run a hook just before a compiled engine is handed
// to the watcher (that is, just before the watcher swaps it in).
const compiles = vi.hoisted(() => ({
  started: 0,
  running: 0,
  mostAtOnce: 0,
  delayMs: 0,
  beforeReturn: undefined as (() => void) | undefined,
}));
vi.mock('../../../src/engine.js', async (importOriginal) => {
  const actual = await importOriginal<typeof EngineModule>();
  return {
    ...actual,
    createEngine: async (...args: Parameters<typeof actual.createEngine>) => {
      compiles.started += 1;
      compiles.running += 1;
      compiles.mostAtOnce = Math.max(compiles.mostAtOnce, compiles.running);
      try {
        if (compiles.delayMs > 0) await sleep(compiles.delayMs);
        const engine = await actual.createEngine(...args);
        compiles.beforeReturn?.();
        return engine;
      } finally {
        compiles.running -= 1;
      }
    },
  };
});

const watchers: PolicyWatcher[] = [];

afterEach(async () => {
  for (const watcher of watchers.splice(0)) watcher.close();
  Object.assign(compiles, { started: 0, running: 0, mostAtOnce: 0, delayMs: 0, beforeReturn: undefined });
  await removeTrees();
});

async function watch(...args: Parameters<typeof watchPolicies>): Promise<PolicyWatcher> {
  const watcher = await watchPolicies(...args);
  watchers.push(watcher);
  Object.assign(compiles, { started: 0, running: 0, mostAtOnce: 0 });
  return watcher;
}

const limit = (max: number) =>
  JSON.stringify({ id: 'limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: max } });

describe('watchPolicies: reloads never overlap', () => {
  it('runs reloads requested during one once after it, never two compiles at once', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const watcher = await watch(root, { intervalMs: 60_000 });
    // Long enough that the requests below arrive while the first compile is running.
    compiles.delayMs = 50;

    await replaceFile(join(root, 'p.json'), limit(200));
    const first = watcher.reload();
    await vi.waitFor(() => expect(compiles.running).toBe(1), { timeout: 15_000, interval: 1 });
    await replaceFile(join(root, 'p.json'), limit(300));
    // Requested while the first is running: they join one reload that runs after it.
    const rest = [watcher.reload(), watcher.reload(), watcher.reload(), watcher.reload()];
    expect(new Set(rest).size).toBe(1);

    const [engineOfFirst, ...enginesOfRest] = await Promise.all([first, ...rest]);
    expect(compiles.started).toBe(2);
    expect(compiles.mostAtOnce).toBe(1);
    expect(engineOfFirst?.definitions[0]?.assert).toMatchObject({ value: 200 });
    for (const engine of enginesOfRest) expect(engine.definitions[0]?.assert).toMatchObject({ value: 300 });
    expect(watcher.engine).toBe(enginesOfRest[0]);
  });

  it('lets polls and reloads pile up without ever compiling twice at once', async () => {
    const root = await makeTree({ 'p.json': limit(100) });
    const watcher = await watch(root, { intervalMs: 10 });
    compiles.delayMs = 50;
    const reloads: Promise<unknown>[] = [];
    for (let max = 101; max <= 110; max += 1) {
      await replaceFile(join(root, 'p.json'), limit(max));
      reloads.push(watcher.reload());
      await sleep(15);
    }
    await Promise.all(reloads);
    expect(compiles.mostAtOnce).toBe(1);
    expect(watcher.engine.definitions[0]?.assert).toMatchObject({ value: 110 });
  });
});

describe('watchPolicies: swapping engines', () => {
  it('finishes an evaluation in flight on the engine it started with while a new engine is swapped in', async () => {
    // Both tiers bound the amount, so the formal tier makes evaluate() truly asynchronous.
    const policies = (bound: number) =>
      JSON.stringify([
        { id: 'bound', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: bound } },
        { id: 'shape', tools: ['pay'], shape: { properties: [{ path: 'arguments.amount', datatype: 'decimal', maxInclusive: bound }] } },
      ]);
    const root = await makeTree({ 'p.json': policies(100) });
    const events: string[] = [];
    const watcher = await watch(root, { intervalMs: 60_000, engine: { shortCircuit: false }, onReload: () => events.push('swapped') });
    const old = watcher.engine;

    let inFlight: Promise<Decision>[] = [];
    compiles.beforeReturn = () => {
      compiles.beforeReturn = undefined;
      // Started on the engine serving now, the instant before the watcher swaps.
      inFlight = [150, 100, 50].map((amount) =>
        watcher.evaluate({ tool: 'pay', arguments: { amount } }).then((decision) => {
          events.push(`decided ${amount}`);
          return decision;
        }),
      );
    };
    await replaceFile(join(root, 'p.json'), policies(200));
    const swapped: Engine = await watcher.reload();
    const decisions = await Promise.all(inFlight);

    expect(swapped).not.toBe(old);
    // They were still running when the swap happened...
    expect(events[0]).toBe('swapped');
    expect(events).toHaveLength(4);
    // ...and finished on the old engine: bound 100 in both tiers (under 200, 150 would be allowed).
    expect(decisions.map((decision) => decision.policyVersion)).toEqual([old.version, old.version, old.version]);
    expect(decisions.map((decision) => decision.verdict)).toEqual(['deny', 'allow', 'allow']);
    expect(decisions[0]?.violations.map((violation) => [violation.policyId, violation.tier])).toEqual([
      ['bound', 'auto'],
      ['shape', 'formal'],
    ]);
    // New evaluations use the new engine.
    expect((await watcher.evaluate({ tool: 'pay', arguments: { amount: 150 } })).policyVersion).toBe(swapped.version);
  });
});
