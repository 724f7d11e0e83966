import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { EmptyResultSchema, McpError, RequestSchema, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createEngine, isTierguardError } from '../../../src/index.js';
import type { Engine } from '../../../src/index.js';
import { TIERGUARD_DENIED } from '../../../src/mcp/deny-response.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import { closeClients, connect, rejectionOf } from './guard-support.js';

/**
 * A method the guard neither judges nor knows to be harmless is refused, unless
 * the server's author names it in unjudgedMethods.
 */

let ran: string[];

beforeEach(() => {
  ran = [];
});
afterEach(async () => {
  await closeClients();
  vi.restoreAllMocks();
});

const noPolicies = (): Promise<Engine> => createEngine({ policies: [] });

const DumpRequestSchema = RequestSchema.extend({ method: z.literal('vault/dump') });

/** A low-level Server with a handler for a method of its own, `vault/dump`, and a fallback for any other. */
function customServer(): Server {
  const server = new Server({ name: 'vault', version: '1.0.0' }, { capabilities: { logging: {} } });
  server.setRequestHandler(DumpRequestSchema, () => {
    ran.push('vault/dump');
    return { secrets: ['SECRET-123'] };
  });
  server.fallbackRequestHandler = (request) => {
    ran.push(request.method);
    return Promise.resolve({ secrets: ['SECRET-456'] });
  };
  return server;
}

describe('guardServer: methods it does not judge', () => {
  it.each([['vault/dump'], ['vault/anything-else']])(
    'refuses %j, served by a handler of its own or the fallback, and runs nothing',
    async (method) => {
      const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      const server = customServer();
      guardServer(server, await noPolicies());
      const client = await connect(server);
      const error = await rejectionOf(client.request({ method, params: {} }, ResultSchema));
      expect(error).toBeInstanceOf(McpError);
      expect(error.code).toBe(TIERGUARD_DENIED);
      expect(error.data).toMatchObject({ reason: 'evaluation-failed', method, tool: null, errors: [{ code: 'UNGUARDED_METHOD' }] });
      expect(ran).toEqual([]);
      expect(String(emitted.mock.calls[0]?.[0])).toContain(`a ${JSON.stringify(method)} request is refused`);
    },
  );

  it('refuses a handler set after the guard was installed', async () => {
    const server = new Server({ name: 'vault', version: '1.0.0' }, { capabilities: {} });
    guardServer(server, await noPolicies());
    server.setRequestHandler(DumpRequestSchema, () => ({ secrets: ['SECRET-123'] }));
    const client = await connect(server);
    expect((await rejectionOf(client.request({ method: 'vault/dump', params: {} }, ResultSchema))).code).toBe(TIERGUARD_DENIED);
  });

  it('passes the methods named in unjudgedMethods', async () => {
    const server = customServer();
    guardServer(server, await noPolicies(), { unjudgedMethods: ['vault/dump'] });
    const client = await connect(server);
    expect(await client.request({ method: 'vault/dump', params: {} }, ResultSchema)).toEqual({ secrets: ['SECRET-123'] });
    expect((await rejectionOf(client.request({ method: 'vault/other', params: {} }, ResultSchema))).code).toBe(TIERGUARD_DENIED);
    expect(ran).toEqual(['vault/dump']);
  });

  it('passes ping and logging/setLevel, which reveal and touch nothing a policy guards', async () => {
    const server = customServer();
    guardServer(server, await noPolicies());
    const client = await connect(server);
    await expect(client.ping()).resolves.toEqual({});
    await expect(client.setLoggingLevel('error')).resolves.toEqual({});
    await expect(client.request({ method: 'ping' }, EmptyResultSchema)).resolves.toEqual({});
  });

  it('passes the lists unfiltered when no filter is asked for', async () => {
    const server = new McpServer({ name: 'ops', version: '1.0.0' });
    server.registerTool('echo', {}, () => ({ content: [] }));
    guardServer(server, await createEngine({ policies: [{ id: 'tools.no-echo', tools: ['echo'] }] }));
    const client = await connect(server);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
  });

  it.each([
    ['tools/call'],
    ['resources/read'],
    ['resources/subscribe'],
    ['completion/complete'],
    ['prompts/list'],
    ['resources/unsubscribe'],
  ])('refuses unjudgedMethods naming %j, which the guard judges', async (method) => {
    let thrown: unknown;
    try {
      guardServer(new McpServer({ name: 'ops', version: '1.0.0' }), await noPolicies(), { unjudgedMethods: [method] });
    } catch (error) {
      thrown = error;
    }
    expect(isTierguardError(thrown, 'INVALID_OPTIONS')).toBe(true);
    expect((thrown as Error).message).toContain(method);
  });

  it('refuses unjudgedMethods that is not an array of names', async () => {
    const engine = await noPolicies();
    for (const value of ['vault/dump', [1], null]) {
      expect(() =>
        guardServer(new McpServer({ name: 'ops', version: '1.0.0' }), engine, { unjudgedMethods: value as unknown as string[] }),
      ).toThrow(/unjudgedMethods must be an array/);
    }
  });
});
