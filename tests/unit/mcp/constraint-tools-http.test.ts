import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Engine } from '../../../src/index.js';
import { registerConstraintTools } from '../../../src/mcp/constraint-tools.js';
import { serveHttp } from '../../../src/mcp/serve-http.js';
import type { HttpEndpoint, ServeHttpOptions } from '../../../src/mcp/serve-http.js';

/**
 * serveHttp in-process, for what the CLI cannot be asked from outside: the
 * session bound, what a shutdown closes, and refusals logged. Real sockets, real
 * SDK clients.
 */

let engine: Engine;
const endpoints: HttpEndpoint[] = [];
const clients: Client[] = [];

function createServer(): McpServer {
  const server = new McpServer({ name: 'tierguard-test', version: '0.0.0' });
  registerConstraintTools(server, engine);
  return server;
}

async function serve(options: Partial<ServeHttpOptions> = {}): Promise<HttpEndpoint> {
  const endpoint = await serveHttp({ createServer, port: 0, ...options });
  endpoints.push(endpoint);
  return endpoint;
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'agent', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  clients.push(client);
  return client;
}

beforeAll(async () => {
  engine = await createEngine({
    policies: [{ id: 'pay.limit', tools: ['pay.*'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } }],
  });
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  for (const endpoint of endpoints.splice(0)) await endpoint.close();
});

describe('serveHttp', () => {
  it('listens on 127.0.0.1 by default and reports the actual port in its URL', async () => {
    const endpoint = await serve();
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9][0-9]*\/mcp$/);
    const client = await connect(endpoint.url);
    const result = await client.callTool({ name: 'validate', arguments: { action: { tool: 'pay.send', arguments: { amount: 500 } } } });
    expect(result.structuredContent).toMatchObject({ verdict: 'deny' });
  });

  it('closes the least recently used session when one more than maxSessions opens', async () => {
    const lines: string[] = [];
    const endpoint = await serve({ maxSessions: 2, log: (line) => lines.push(line) });
    const first = await connect(endpoint.url);
    const second = await connect(endpoint.url);
    // Using the first session makes the second the least recently used.
    await first.listTools();
    const third = await connect(endpoint.url);
    await expect(second.listTools()).rejects.toThrow(/404|Session not found/);
    await expect(first.listTools()).resolves.toBeDefined();
    await expect(third.listTools()).resolves.toBeDefined();
    expect(lines).toEqual([
      expect.stringMatching(/^closing session [0-9a-f-]{36}: more than 2 sessions are open and it was used least recently$/),
    ]);
  });

  it('shuts down with sessions and their event streams still open', async () => {
    const endpoint = await serve();
    const client = await connect(endpoint.url);
    await client.listTools();
    // The client holds a GET event stream open; close must not wait for the client to leave.
    await endpoint.close();
    await expect(client.listTools()).rejects.toThrow();
    await expect(endpoint.close()).resolves.toBeUndefined();
  });

  it('rejects when the port cannot be bound', async () => {
    const endpoint = await serve();
    const port = Number(new URL(endpoint.url).port);
    await expect(serveHttp({ createServer, port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('serveHttp: request bodies are parsed strictly', () => {
  /** POSTs `body` as is on a session the SDK client opened, so the client cannot tidy the JSON. */
  async function postRaw(body: string): Promise<{ status: number; text: string }> {
    const endpoint = await serve();
    const transport = new StreamableHTTPClientTransport(new URL(endpoint.url));
    const client = new Client({ name: 'agent', version: '0.0.0' });
    await client.connect(transport);
    clients.push(client);
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': transport.sessionId ?? '',
        'mcp-protocol-version': transport.protocolVersion ?? '2025-06-18',
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  it('refuses a validate call whose action repeats "tool", naming the key and where, instead of judging the last one', async () => {
    const action = '{"tool":"pay.send","arguments":{"amount":500},"tool":"weather.today"}';
    const { status, text } = await postRaw(
      `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"validate","arguments":{"action":${action}}}}`,
    );
    expect(status).toBe(400);
    expect(JSON.parse(text)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32700,
        message: expect.stringMatching(
          /^Parse error: the request body: not valid JSON: line 1, column \d+: duplicate key "tool" at \/params\/arguments\/action\/tool \(first at line 1, column \d+\)$/,
        ) as string,
      },
    });
  });

  it('still answers a well-formed validate call sent the same way', async () => {
    const { status, text } = await postRaw(
      '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"validate","arguments":{"action":{"tool":"pay.send","arguments":{"amount":500}}}}}',
    );
    expect(status).toBe(200);
    expect(text).toContain('"structuredContent":{"available":true,"verdict":"deny"');
  });
});
