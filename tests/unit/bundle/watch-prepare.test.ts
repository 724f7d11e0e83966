import { describe, expect, it } from 'vitest';
import type { LoadedPolicies } from '../../../src/index.js';
import { TierguardError } from '../../../src/index.js';
import { makeTree, rejectionOf, replaceFile, watchClosedAfterEach } from './support.js';

/** `watchPolicies({ prepare })`: the policies read become the policies served, on every load. */

const watch = watchClosedAfterEach();
const limit = (id: string, max: number) => ({ id, tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: max } });

/** Serves only the policies whose id does not start with `skip`. */
const skipping = (loaded: LoadedPolicies): LoadedPolicies => {
  const kept = loaded.definitions.flatMap((definition, index) => (definition.id.startsWith('skip') ? [] : [index]));
  return { ...loaded, definitions: kept.map((index) => loaded.definitions[index]!), sources: kept.map((index) => loaded.sources[index]!) };
};

describe('watchPolicies prepare', () => {
  it('serves what prepare returns, on the first load and on reloads', async () => {
    const root = await makeTree({ 'p.json': JSON.stringify([limit('keep', 100), limit('skip-me', 1)]) });
    const watcher = await watch(root, { intervalMs: 60_000, settleMs: 0, prepare: skipping });
    expect(watcher.engine.policyIds).toEqual(['keep']);
    await replaceFile(`${root}/p.json`, JSON.stringify([limit('keep', 100), limit('also', 5), limit('skip-too', 1)]));
    expect((await watcher.reload()).policyIds).toEqual(['keep', 'also']);
  });

  it('rejects the first load when prepare throws', async () => {
    const root = await makeTree({ 'p.json': JSON.stringify(limit('keep', 100)) });
    const error = await rejectionOf(
      watch(root, {
        prepare: () => {
          throw new TierguardError('INVALID_POLICY', 'refused by prepare');
        },
      }),
    );
    expect(error.message).toBe('refused by prepare');
  });

  it('reports a reload prepare refuses and keeps the last good engine', async () => {
    const root = await makeTree({ 'p.json': JSON.stringify(limit('keep', 100)) });
    const errors: string[] = [];
    const watcher = await watch(root, {
      intervalMs: 60_000,
      settleMs: 0,
      onError: (error) => errors.push(error.message),
      prepare: (loaded) => {
        if (loaded.definitions.some((definition) => definition.id === 'bad')) throw new TierguardError('INVALID_POLICY', 'bad is refused');
        return loaded;
      },
    });
    await replaceFile(`${root}/p.json`, JSON.stringify(limit('bad', 1)));
    expect((await watcher.reload()).policyIds).toEqual(['keep']);
    expect(errors).toEqual(['bad is refused']);
  });

  it('refuses a prepare that is not a function', async () => {
    const root = await makeTree({ 'p.json': JSON.stringify(limit('keep', 100)) });
    const error = await rejectionOf(watch(root, { prepare: 'no' as unknown as () => LoadedPolicies }));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toMatch(/prepare must be a function/);
  });
});
