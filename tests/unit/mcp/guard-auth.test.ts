import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, PolicyDefinition } from '../../../src/index.js';
import type { GuardServerOptions } from '../../../src/mcp/guard-options.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import { currentRemoteAddress, withRemoteAddress } from '../../../src/mcp/remote-address.js';
import { serveHttp } from '../../../src/mcp/serve-http.js';
import type { HttpEndpoint } from '../../../src/mcp/serve-http.js';
import type { ConnectOptions, Received } from './guard-support.js';
import { closeClients, connect, opsServer, textOf } from './guard-support.js';

/**
 * context.auth holds only what the transport verified (the bearer token's facts
 * and the socket's address): a client cannot write it through headers, `_meta`,
 * arguments or a context hook that copies what the client sent.
 */

let calls: Received[];

beforeEach(() => {
  calls = [];
});
afterEach(closeClients);

const ADMINS_ONLY: PolicyDefinition = {
  id: 'secrets.admins',
  tools: ['secrets.dump'],
  assert: { field: 'context.auth.extra.roles', op: 'in', value: ['admin'] },
  message: 'only admins may dump secrets',
};

const ADMIN_TOKEN: AuthInfo = { token: 'token-value', clientId: 'ops-console', scopes: ['tools'], extra: { roles: ['admin'] } };

const FORGED_HEADERS = { 'x-user-roles': 'admin', 'x-context-auth': '{"extra":{"roles":["admin"]}}', 'x-forwarded-for': '10.0.0.1' };

// A careless hook, as one might write it: it copies what the client said about itself into the context.
const carelessHook: GuardServerOptions['context'] = ({ request, extra }) => {
  const meta = request.params?._meta as { context?: Record<string, unknown> } | undefined;
  return { ...meta?.context, auth: { extra: { roles: [extra.requestInfo?.headers['x-user-roles']] } } };
};

async function dump(options: GuardServerOptions, connectOptions: ConnectOptions) {
  const server = opsServer(calls);
  guardServer(server, await createEngine({ policies: [ADMINS_ONLY] }), options);
  const client = await connect(server, connectOptions);
  return client.callTool({
    name: 'secrets.dump',
    arguments: { context: { auth: { extra: { roles: ['admin'] } } } },
    _meta: { context: { auth: { extra: { roles: ['admin'] } } } },
  });
}

describe('guardServer: context.auth', () => {
  it('is not forged by headers, _meta, arguments or a hook that copies them', async () => {
    const result = await dump({ context: carelessHook }, { headers: FORGED_HEADERS });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('- policy "secrets.admins", field context.auth.extra.roles: only admins may dump secrets');
    expect(calls).toEqual([]);
  });

  it('holds what the transport verified, so a verified admin passes', async () => {
    const result = await dump({ context: carelessHook }, { authInfo: ADMIN_TOKEN });
    expect(textOf(result)).toBe('the key is SECRET-123');
    expect(calls).toHaveLength(1);
  });

  it('keeps the headers verbatim, as the client asserted them, beside an auth they cannot touch', async () => {
    const actions: Action[] = [];
    const server = opsServer(calls);
    guardServer(server, await createEngine({ policies: [{ id: 'review', tools: ['echo'], effect: 'escalate' }] }), {
      onEscalate: (action) => actions.push(action) > 0,
    });
    const client = await connect(server, { headers: FORGED_HEADERS, authInfo: { ...ADMIN_TOKEN, extra: { roles: ['viewer'] } } });
    await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(actions[0]?.context).toMatchObject({
      headers: FORGED_HEADERS,
      auth: { clientId: 'ops-console', scopes: ['tools'], extra: { roles: ['viewer'] } },
    });
    // In memory there is no socket, so no address; and never the token.
    expect(actions[0]?.context?.['auth']).not.toHaveProperty('remoteAddress');
    expect(JSON.stringify(actions)).not.toContain('token-value');
  });

  it('is an empty object when the transport verified nothing', async () => {
    const actions: Action[] = [];
    const server = opsServer(calls);
    guardServer(server, await createEngine({ policies: [{ id: 'review', tools: ['echo'], effect: 'escalate' }] }), {
      onEscalate: (action) => actions.push(action) > 0,
      context: () => ({ auth: { remoteAddress: '10.0.0.1' } }),
    });
    const client = await connect(server);
    await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(actions[0]?.context?.['auth']).toEqual({});
  });
});

describe('withRemoteAddress', () => {
  it('reports the address to what runs inside it, and nothing outside or under undefined', async () => {
    expect(currentRemoteAddress()).toBeUndefined();
    const inside = await withRemoteAddress('192.0.2.7', async () => {
      await Promise.resolve();
      return [currentRemoteAddress(), withRemoteAddress(undefined, () => currentRemoteAddress())];
    });
    expect(inside).toEqual(['192.0.2.7', undefined]);
    expect(currentRemoteAddress()).toBeUndefined();
  });
});

describe('guardServer over serveHttp: context.auth.remoteAddress', () => {
  const endpoints: HttpEndpoint[] = [];
  const clients: Client[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close().catch(() => undefined);
    for (const endpoint of endpoints.splice(0)) await endpoint.close();
  });

  // Every call also escalates to a hook that records the action it is asked about and approves it.
  async function callOverHttp(policies: readonly PolicyDefinition[]) {
    const actions: Action[] = [];
    const engine = await createEngine({ policies: [...policies, { id: 'look', tools: ['echo'], effect: 'escalate' }] });
    const endpoint = await serveHttp({
      port: 0,
      createServer: () => {
        const server = opsServer(calls);
        guardServer(server, engine, { onEscalate: (action) => actions.push(action) > 0 });
        return server;
      },
    });
    endpoints.push(endpoint);
    const client = new Client({ name: 'agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint.url), { requestInit: { headers: FORGED_HEADERS } }));
    clients.push(client);
    return { result: await client.callTool({ name: 'echo', arguments: { text: 'hi' } }), actions };
  }

  it("is the socket's address, which a policy can rely on; the headers stay beside it, verbatim", async () => {
    const loopbackOnly: PolicyDefinition = {
      id: 'loopback.only',
      tools: ['echo'],
      assert: { field: 'context.auth.remoteAddress', op: 'in', value: ['127.0.0.1', '::ffff:127.0.0.1'] },
    };
    const { result, actions } = await callOverHttp([loopbackOnly]);
    expect(textOf(result)).toBe('echo: hi');
    expect(actions[0]?.context).toMatchObject({
      auth: { remoteAddress: expect.stringMatching(/127\.0\.0\.1$/) as string },
      headers: FORGED_HEADERS,
    });
  });

  it('is not what x-forwarded-for claims', async () => {
    const officeOnly: PolicyDefinition = {
      id: 'office.only',
      tools: ['echo'],
      assert: { field: 'context.auth.remoteAddress', op: 'eq', value: '10.0.0.1' },
    };
    const { result } = await callOverHttp([officeOnly]);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('policy "office.only", field context.auth.remoteAddress');
    expect(calls).toEqual([]);
  });
});
