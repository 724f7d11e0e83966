import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent, PolicyDefinition } from '../../../../src/index.js';
import { createGateway } from '../../../../src/mcp/gateway/create-gateway.js';
import { serveGatewayHttp } from '../../../../src/mcp/gateway/serve-gateway-http.js';
import type { GatewayHttpEndpoint, GatewayHttpOptions } from '../../../../src/mcp/gateway/serve-gateway-http.js';
import { rejectionOf } from '../guard-support.js';
import { ASKING_TARGET, ECHO_TARGET, connectClient } from './gateway-support.js';

/**
 * serveGatewayHttp: a real HTTP endpoint, a real downstream process per
 * session, real SDK clients. Who the caller is comes from the token check or
 * the proxy's header only; each session has its own downstream connection.
 */

const ALICE_ONLY: PolicyDefinition = {
  id: 'echo.alice-only',
  tools: ['echo'],
  assert: { field: 'context.auth.clientId', op: 'eq', value: 'alice' },
  message: 'only alice may echo',
};
const TOKENS: Readonly<Record<string, string>> = { 'token-alice': 'alice', 'token-bob': 'bob' };
const NOTHING_DENIED: PolicyDefinition = { id: 'nothing.denied', tools: ['never-called'], assert: { field: 'tool', op: 'eq', value: 'x' } };

const endpoints: GatewayHttpEndpoint[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  await Promise.allSettled(endpoints.splice(0).map((endpoint) => endpoint.close()));
});

async function served(options: Partial<GatewayHttpOptions> = {}): Promise<{ endpoint: GatewayHttpEndpoint; events: AuditEvent[] }> {
  const events: AuditEvent[] = [];
  const endpoint = await serveGatewayHttp({
    policies: [ALICE_ONLY],
    downstream: ECHO_TARGET,
    port: 0,
    onDecision: (event) => events.push(event),
    ...options,
  });
  endpoints.push(endpoint);
  return { endpoint, events };
}

async function client(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const connected = new Client({ name: 'http-test', version: '1.0.0' });
  await connected.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  clients.push(connected);
  return connected;
}

const verifyToken = (token: string) =>
  Promise.resolve(TOKENS[token] === undefined ? undefined : { token, clientId: TOKENS[token], scopes: ['echo'] });

describe('serveGatewayHttp: identity', () => {
  it('gives policies the clientId verifyToken vouches for, and refuses a request without a valid token with 401', async () => {
    const { endpoint, events } = await served({ verifyToken });
    const alice = await client(endpoint.url, { authorization: 'Bearer token-alice' });
    expect((await alice.callTool({ name: 'echo', arguments: { text: 'hi' } })).isError).toBeFalsy();
    const bob = await client(endpoint.url, { authorization: 'Bearer token-bob' });
    expect((await bob.callTool({ name: 'echo', arguments: { text: 'hi' } })).isError).toBe(true);
    const auths = events.filter((event) => event.tool === 'echo').map((event) => event.verdict);
    expect(auths).toEqual(['allow', 'deny']);
    for (const authorization of [undefined, 'Bearer token-mallory', 'Basic YWxpY2U6eA==']) {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(authorization === undefined ? {} : { authorization }),
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '0' } },
        }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('keeps a session to the caller who opened it', async () => {
    const { endpoint } = await served({ verifyToken });
    const transport = new StreamableHTTPClientTransport(new URL(endpoint.url), {
      requestInit: { headers: { authorization: 'Bearer token-alice' } },
    });
    const alice = new Client({ name: 'http-test', version: '1.0.0' });
    await alice.connect(transport);
    clients.push(alice);
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: 'Bearer token-bob',
        'mcp-session-id': transport.sessionId ?? '',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'echo', arguments: { text: 'as alice' } } }),
    });
    expect(response.status).toBe(403);
  });

  it('takes the caller from the trusted header only when configured; without it a header proves nothing', async () => {
    const trusting = await served({ trustedIdentityHeader: 'x-authenticated-user' });
    const viaProxy = await client(trusting.endpoint.url, { 'x-authenticated-user': 'alice' });
    expect((await viaProxy.callTool({ name: 'echo', arguments: { text: 'hi' } })).isError).toBeFalsy();
    const plain = await served();
    const claiming = await client(plain.endpoint.url, { 'x-authenticated-user': 'alice' });
    expect((await claiming.callTool({ name: 'echo', arguments: { text: 'hi' } })).isError).toBe(true);
  });

  it('refuses verifyToken and trustedIdentityHeader together', async () => {
    const error = await rejectionOf(served({ verifyToken, trustedIdentityHeader: 'x-user' }));
    expect(error.message).toContain('give verifyToken or trustedIdentityHeader, not both');
  });
});

describe('serveGatewayHttp: sessions and health', () => {
  it('opens a downstream connection per session and reports them on /healthz', async () => {
    const { endpoint } = await served({ trustedIdentityHeader: 'x-authenticated-user' });
    const first = await client(endpoint.url, { 'x-authenticated-user': 'alice' });
    const second = await client(endpoint.url, { 'x-authenticated-user': 'alice' });
    await first.callTool({ name: 'add_tool', arguments: { name: 'only-in-first' } });
    expect((await first.listTools()).tools.map((tool) => tool.name)).toContain('only-in-first');
    expect((await second.listTools()).tools.map((tool) => tool.name)).not.toContain('only-in-first');
    const health = await fetch(new URL('/healthz', endpoint.url));
    expect(health.status).toBe(200);
    const report = (await health.json()) as { status: string; policyVersion: string; downstreams: { state: string }[] };
    expect(report.status).toBe('ok');
    expect(report.policyVersion).toMatch(/^sha256:/);
    expect(report.downstreams.map((downstream) => downstream.state)).toEqual(['connected', 'connected']);
    await (first.transport as StreamableHTTPClientTransport).terminateSession();
    let open = endpoint.gateways().length;
    for (let tries = 0; open !== 1 && tries < 500; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      open = endpoint.gateways().length;
    }
    expect(open).toBe(1);
    expect((await endpoint.health()).downstreams).toHaveLength(1);
  });

  it('ends a session whose initialize the policies refuse, with its downstream connection, at once', async () => {
    const aliceOnly: PolicyDefinition = {
      id: 'init.alice-only',
      tools: ['initialize'],
      assert: { field: 'context.auth.clientId', op: 'eq', value: 'alice' },
    };
    const { endpoint } = await served({ policies: [aliceOnly], trustedIdentityHeader: 'x-authenticated-user' });
    const alice = await client(endpoint.url, { 'x-authenticated-user': 'alice' });
    // Refused callers cannot hold downstream processes, nor push alice's session out by opening more than maxSessions.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const refused = new Client({ name: 'http-test', version: '1.0.0' });
      const error = await rejectionOf(
        refused.connect(
          new StreamableHTTPClientTransport(new URL(endpoint.url), { requestInit: { headers: { 'x-authenticated-user': 'mallory' } } }),
        ),
      );
      expect(error.message).toContain('init.alice-only');
    }
    let open = endpoint.gateways().length;
    for (let tries = 0; open !== 1 && tries < 500; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      open = endpoint.gateways().length;
    }
    expect(open).toBe(1);
    expect((await alice.callTool({ name: 'echo', arguments: { text: 'still here' } })).isError).toBeFalsy();
  });

  it('fronts a downstream server reached over Streamable HTTP', async () => {
    const { endpoint } = await served({ trustedIdentityHeader: 'x-authenticated-user' });
    const gateway = await createGateway({ policies: [], downstream: { url: endpoint.url, headers: { 'x-authenticated-user': 'alice' } } });
    try {
      const viaHttp = await connectClient(gateway);
      expect(viaHttp.getServerVersion()).toMatchObject({ name: 'echo-fixture' });
      expect((await viaHttp.listTools()).tools.map((tool) => tool.name)).toContain('echo');
      // The inner gateway judges the caller the outer one says it is, through the header it is configured with.
      expect((await viaHttp.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([{ type: 'text', text: 'hi' }]);
    } finally {
      await gateway.close();
    }
  });

  it('refuses to start when the downstream server cannot be started', async () => {
    const error = await rejectionOf(served({ downstream: { command: 'tierguard-no-such-server-binary' } }));
    expect(error.message).toContain('cannot start the downstream server');
  });
});

describe('serveGatewayHttp: requests the server sends its client', () => {
  it("declares each session's own client capabilities to its own downstream server and relays its roots/list", async () => {
    const { endpoint } = await served({ policies: [NOTHING_DENIED], downstream: ASKING_TARGET });
    const withRoots = new Client({ name: 'http-roots', version: '1.0.0' }, { capabilities: { roots: {} } });
    withRoots.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///over-http' }] }));
    await withRoots.connect(new StreamableHTTPClientTransport(new URL(endpoint.url)));
    clients.push(withRoots);
    const bare = await client(endpoint.url);
    expect(textOf(await withRoots.callTool({ name: 'capabilities', arguments: {} }))).toEqual({ roots: {} });
    expect(textOf(await bare.callTool({ name: 'capabilities', arguments: {} }))).toEqual({});
    expect(textOf(await withRoots.callTool({ name: 'list_roots', arguments: {} }))).toEqual({
      result: { roots: [{ uri: 'file:///over-http' }] },
    });
  });
});

/** The JSON a tool of the asking fixture answers with. */
function textOf(result: unknown): unknown {
  const [first] = (result as CallToolResult).content;
  return first?.type === 'text' ? (JSON.parse(first.text) as unknown) : undefined;
}
