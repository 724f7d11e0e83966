import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Engine, PolicyDefinition } from '../../../src/index.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import type { Received } from './guard-support.js';
import { closeClients, connect, opsServer, summaryOf, textOf } from './guard-support.js';

/**
 * guardServer with an engine provider: asked on every request, so a swapped
 * engine applies to the next request; failing closed when it fails.
 */

let calls: Received[];

beforeEach(() => {
  calls = [];
});
afterEach(async () => {
  await closeClients();
  vi.restoreAllMocks();
});

const bound = (min: number): PolicyDefinition => ({
  id: 'temp.bounds',
  tools: ['temp.convert'],
  assert: { field: 'arguments.temp', op: 'gte', value: min },
});
const cold = { name: 'temp.convert', arguments: { temp: -100, unit: 'C' } };

describe('guardServer: engine providers', () => {
  it('asks the provider on every request, so the next request gets the new engine', async () => {
    const strict = await createEngine({ policies: [bound(0)] });
    const lenient = await createEngine({ policies: [bound(-273.15)] });
    let serving: Engine = strict;
    const provider = vi.fn(() => serving);
    const server = opsServer(calls);
    guardServer(server, provider);
    const client = await connect(server);

    const first = await client.callTool(cold);
    expect(summaryOf(first)).toMatchObject({ reason: 'denied', policyVersion: strict.version });
    serving = lenient;
    expect(textOf(await client.callTool(cold))).toBe('converted -100 C');
    // initialize, then one request each.
    expect(provider).toHaveBeenCalledTimes(3);
  });

  it('takes an async provider', async () => {
    const engine = await createEngine({ policies: [bound(0)] });
    const server = opsServer(calls);
    guardServer(server, async () => engine);
    const client = await connect(server);
    expect((await client.callTool(cold)).isError).toBe(true);
  });

  it('refuses every request while the provider fails, and reports why to the operator only', async () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const engine = await createEngine({ policies: [] });
    let broken = false;
    const server = opsServer(calls);
    guardServer(server, () => {
      if (broken) throw new Error('bundle at /etc/policies is corrupt');
      return engine;
    });
    const client = await connect(server);
    broken = true;

    const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(calls).toEqual([]);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'tierguard\'s policies are unavailable, so this call to tool "echo" was refused and not run. Try again later.',
    );
    expect(summaryOf(result)).toEqual({
      reason: 'unavailable',
      phase: 'request',
      method: 'tools/call',
      tool: 'echo',
      verdict: 'deny',
      outcome: 'deny',
      violations: [],
      escalatedBy: [],
      errors: [{ code: 'UNAVAILABLE', message: 'the policies are unavailable' }],
      policyVersion: null,
    });
    expect(String(emitted.mock.calls[0]?.[0])).toContain('bundle at /etc/policies is corrupt');

    broken = false;
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'back' } }))).toBe('echo: back');
  });

  it('refuses when the provider returns something that is not an engine', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const engine = await createEngine({ policies: [] });
    let answer: unknown = engine;
    const server = opsServer(calls);
    guardServer(server, () => answer as Engine);
    const client = await connect(server);
    answer = { policies: [] };
    expect(summaryOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toMatchObject({ reason: 'unavailable' });
    expect(calls).toEqual([]);
  });

  it('lets requests through unguarded while the provider fails when onUnavailable is "allow"', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const server = opsServer(calls);
    guardServer(
      server,
      () => {
        throw new Error('no policies');
      },
      { onUnavailable: 'allow' },
    );
    const client = await connect(server);
    expect(textOf(await client.callTool(cold))).toBe('converted -100 C');
  });

  it('lists every tool while the provider fails, since nothing can be said to be forbidden for good', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const engine = await createEngine({ policies: [{ id: 'secrets.never', tools: ['secrets.*'] }] });
    let broken = false;
    const server = opsServer(calls);
    guardServer(
      server,
      () => {
        if (broken) throw new Error('reloading');
        return engine;
      },
      { filterToolList: true },
    );
    const client = await connect(server);
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('secrets.dump');
    broken = true;
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('secrets.dump');
  });
});
