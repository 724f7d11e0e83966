import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Decision, Engine, PolicyWatcher, TierguardError, WatchPoliciesOptions } from '../../../src/index.js';
import { watchPolicies } from '../../../src/index.js';
import type { BundleServer } from './bundle-server.js';
import { startBundleServer } from './bundle-server.js';
import { SIGNER, STRANGER, boundArchive, flipByte } from './support-archives.js';
import { rejectionOf, removeTrees, sleep } from './support.js';

/**
 * Many instances polling one bundle URL, as a fleet does: ETag polls, updates
 * every instance converges on, and every way a download can fail, each of which
 * leaves the last good set serving and is reported. Counts come from the server
 * (each watcher names itself in an `x-instance` header); durations are never asserted.
 */

const INTERVAL_MS = 40;
const PATH = '/policies.tar.gz';
let server: BundleServer;
let v100: { bytes: Uint8Array; version: string };
let v200: { bytes: Uint8Array; version: string };
const watchers: PolicyWatcher[] = [];

beforeAll(async () => {
  server = await startBundleServer();
  v100 = await boundArchive(100, SIGNER.privateKey);
  v200 = await boundArchive(200, SIGNER.privateKey);
});

afterEach(() => {
  for (const watcher of watchers.splice(0)) watcher.close();
});

afterAll(async () => {
  await server.close();
  await removeTrees();
});

interface Instance {
  readonly name: string;
  readonly watcher: PolicyWatcher;
  readonly errors: TierguardError[];
  /** The server's count of this instance's requests at each reload, with the version reloaded to. */
  readonly reloads: { readonly version: string; readonly requests: number }[];
}

async function instance(name: string, { remote, ...options }: WatchPoliciesOptions = {}): Promise<Instance> {
  const errors: TierguardError[] = [];
  const reloads: { version: string; requests: number }[] = [];
  const watcher = await watchPolicies(server.url(PATH), {
    intervalMs: INTERVAL_MS,
    jitter: 0.5,
    publicKey: SIGNER.publicKey,
    // Generous: a loaded machine must not turn a slow answer into a failure; the tests of timeouts set their own.
    remote: { headers: { 'x-instance': name }, idleTimeoutMs: 5_000, timeoutMs: 10_000, ...remote },
    onError: (error) => errors.push(error),
    onReload: (engine: Engine) => reloads.push({ version: engine.version, requests: server.countFor(name) }),
    ...options,
  });
  watchers.push(watcher);
  return { name, watcher, errors, reloads };
}

/** Waits (in steps, never asserting a time) until `done` holds or an instance has made `polls` more requests. */
async function untilPolled(instances: readonly Instance[], polls: number, done: () => boolean = () => false): Promise<void> {
  const start = new Map(instances.map((each) => [each.name, server.countFor(each.name)]));
  while (!done() && instances.some((each) => server.countFor(each.name) - (start.get(each.name) ?? 0) < polls)) await sleep(5);
}

/** Evaluates an action the two versions decide differently, until `stop`: every decision with its version. */
function evaluateUntil(watcher: PolicyWatcher, stop: { done: boolean }): Promise<Decision[]> {
  return (async () => {
    const decisions: Decision[] = [];
    while (!stop.done) {
      decisions.push(await watcher.evaluate({ tool: 'pay', arguments: { amount: 150 } }));
      await sleep(2);
    }
    return decisions;
  })();
}

describe('watchPolicies(url): polling many instances', () => {
  it('polls with If-None-Match: one request per poll, answered 304 while the bundle is unchanged', async () => {
    server.set(PATH, { kind: 'bundle', bytes: v100.bytes });
    const one = await instance('etag');
    await untilPolled([one], 6);
    const seen = server.requests.filter((request) => request.instance === 'etag');
    expect(seen[0]).toMatchObject({ status: 200, ifNoneMatch: undefined });
    const polls = seen.slice(1);
    expect(polls.length).toBeGreaterThanOrEqual(6);
    // Every poll named the ETag of the bundle serving and cost one 304: no settle reads, no second fetch.
    expect(new Set(polls.map((request) => request.status))).toEqual(new Set([304]));
    expect(new Set(polls.map((request) => request.ifNoneMatch))).toEqual(new Set([expect.stringMatching(/^"[0-9a-f]{16}"$/)]));
    expect(one.reloads).toEqual([]);
    expect(one.errors).toEqual([]);
  });

  it('converges every instance on an update within two of its polls, each request one poll', async () => {
    server.set(PATH, { kind: 'bundle', bytes: v100.bytes });
    const fleet = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((name) => instance(name)));
    await untilPolled(fleet, 2);
    const before = new Map(fleet.map((each) => [each.name, server.countFor(each.name)]));
    server.set(PATH, { kind: 'bundle', bytes: v200.bytes });
    await untilPolled(fleet, 3, () => fleet.every((each) => each.watcher.engine.version === v200.version));
    for (const each of fleet) {
      expect(each.watcher.engine.version, each.name).toBe(v200.version);
      expect(each.reloads.map((reload) => reload.version)).toEqual([v200.version]);
      // The first or second request after the update loaded it (a poll already in flight may have come first).
      const [reload] = each.reloads;
      expect((reload?.requests ?? Infinity) - (before.get(each.name) ?? 0), each.name).toBeLessThanOrEqual(2);
      expect(each.errors).toEqual([]);
    }
    // Once converged, every instance is back to 304s.
    await untilPolled(fleet, 2);
    const last = fleet.map((each) => server.requests.filter((request) => request.instance === each.name).at(-1)?.status);
    expect(new Set(last)).toEqual(new Set([304]));
  });

  it('reload() and SIGHUP fetch the bundle again, without If-None-Match', async () => {
    server.set(PATH, { kind: 'bundle', bytes: v100.bytes });
    const one = await instance('forced', { intervalMs: 60_000, sighup: true });
    const before = server.countFor('forced');
    await one.watcher.reload();
    process.emit('SIGHUP', 'SIGHUP');
    await one.watcher.reload();
    const forced = server.requests.filter((request) => request.instance === 'forced').slice(before);
    expect(forced.length).toBeGreaterThanOrEqual(2);
    expect(forced.every((request) => request.ifNoneMatch === undefined && request.status === 200)).toBe(true);
  });
});

describe('watchPolicies(url): a failed update never replaces the last good set', () => {
  let fleets = 0;
  /** Serves `bad` to a fleet until each has polled it, asserting that no decision came from anything but v100, then serves v200. */
  async function servedBad(
    bad: Parameters<BundleServer['set']>[1],
    expectError: (error: TierguardError) => void,
    options: WatchPoliciesOptions = {},
  ): Promise<void> {
    server.set(PATH, { kind: 'bundle', bytes: v100.bytes });
    const fleet = await Promise.all(['x', 'y', 'z'].map((name) => instance(`bad-${name}-${(fleets += 1)}`, options)));
    const stop = { done: false };
    const decided = fleet.map((each) => evaluateUntil(each.watcher, stop));
    server.set(PATH, bad);
    await untilPolled(fleet, 3);
    stop.done = true;
    for (const [index, each] of fleet.entries()) {
      expect(each.watcher.engine.version).toBe(v100.version);
      expect(each.watcher.versions).toEqual([v100.version]);
      // Reported once, however often the same failure is polled.
      expect(each.errors).toHaveLength(1);
      expectError(each.errors[0] as TierguardError);
      const decisions = await decided[index];
      expect(decisions?.length).toBeGreaterThan(0);
      expect(new Set(decisions?.map((decision) => decision.policyVersion))).toEqual(new Set([v100.version]));
      expect(new Set(decisions?.map((decision) => decision.verdict))).toEqual(new Set(['deny']));
    }
    server.set(PATH, { kind: 'bundle', bytes: v200.bytes });
    await untilPolled(fleet, 3, () => fleet.every((each) => each.watcher.engine.version === v200.version));
    for (const each of fleet) {
      expect(each.watcher.engine.version).toBe(v200.version);
      each.watcher.close();
    }
  }

  it('keeps serving through tampered bytes', async () => {
    await servedBad({ kind: 'bundle', bytes: flipByte(v200.bytes, 200) }, (error) => expect(error.code).toBe('INVALID_BUNDLE'));
  });

  it('keeps serving through a bundle signed by another key, and through an unsigned one', async () => {
    const forged = await boundArchive(999, STRANGER.privateKey);
    await servedBad({ kind: 'bundle', bytes: forged.bytes }, (error) => expect(error.message).toContain('manifest.sig does not verify'));
    const unsigned = await boundArchive(999);
    await servedBad({ kind: 'bundle', bytes: unsigned.bytes }, (error) => expect(error.message).toContain('not signed'));
  });

  it('keeps serving through 5xx and 404 answers', async () => {
    await servedBad({ kind: 'status', status: 503 }, (error) => expect(error.details.status).toBe(503));
    await servedBad({ kind: 'status', status: 404 }, (error) => expect(error.details.status).toBe(404));
  });

  it('keeps serving through truncated bodies', async () => {
    await servedBad({ kind: 'truncated', bytes: v200.bytes }, (error) => expect(error.message).toContain('cut short'));
  });

  it('keeps serving through a server that never answers, and one that drips bytes', async () => {
    // The idle bound catches the silent server; the total bound (shorter than the idle one here) the dripping one.
    await servedBad({ kind: 'silent' }, (error) => expect(error.message).toContain('the server sent nothing for 300 ms'), {
      remote: { idleTimeoutMs: 300 },
    });
    await servedBad({ kind: 'drip', everyMs: 10 }, (error) => expect(error.message).toContain('no complete answer within 600 ms'), {
      remote: { timeoutMs: 600, idleTimeoutMs: 5_000 },
    });
  });

  it('refuses to start on a bundle that fails verification: no engine, nothing to decide with', async () => {
    server.set('/forged.tar.gz', { kind: 'bundle', bytes: (await boundArchive(999, STRANGER.privateKey)).bytes });
    const error = await rejectionOf(watchPolicies(server.url('/forged.tar.gz'), { publicKey: SIGNER.publicKey }));
    expect(error.code).toBe('INVALID_BUNDLE');
    server.set('/silent.tar.gz', { kind: 'silent' });
    const silent = await rejectionOf(watchPolicies(server.url('/silent.tar.gz'), { remote: { idleTimeoutMs: 100 } }));
    expect(silent.code).toBe('IO_ERROR');
  });

  it('refuses jitter outside 0..1 and unknown remote options', async () => {
    for (const jitter of [-0.1, 1.5, Number.NaN]) {
      expect((await rejectionOf(watchPolicies(server.url(PATH), { jitter }))).details.option).toBe('jitter');
    }
    const unknown = await rejectionOf(watchPolicies(server.url(PATH), { remote: { retries: 3 } as never }));
    expect(unknown.details.option).toBe('remote.retries');
  });
});
