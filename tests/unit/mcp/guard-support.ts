import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { GuardDecisionSummary } from '../../../src/mcp/decision-summary.js';

/** How a test client reaches the server: what the transport reports with each message. */
export interface ConnectOptions {
  /** Sent with every client message, as an HTTP transport would after validating a bearer token. */
  readonly authInfo?: AuthInfo;
  /** HTTP request headers the server's handlers see in `extra.requestInfo`, as the Streamable HTTP transport gives them. */
  readonly headers?: Readonly<Record<string, string | string[]>>;
  /** The client's name in `initialize`. */
  readonly clientName?: string;
}

const open: Client[] = [];

/**
 * A real Client connected to `server` over InMemoryTransport. The server
 * connects first, so its side of the transport can be made to report headers
 * from the very first message (initialize) on.
 */
export async function connect(server: McpServer | Server, options: ConnectOptions = {}): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const { authInfo, headers } = options;
  if (authInfo !== undefined) {
    // InMemoryTransport forwards `authInfo` from send's options as the server handler's extra.authInfo.
    const send = clientTransport.send.bind(clientTransport);
    clientTransport.send = (message, sendOptions) => send(message, { ...sendOptions, authInfo });
  }
  await server.connect(serverTransport);
  if (headers !== undefined) {
    const receive = serverTransport.onmessage;
    if (receive === undefined) throw new Error('the server did not listen on its transport');
    serverTransport.onmessage = (message, extra) => {
      const withHeaders: MessageExtraInfo = { ...extra, requestInfo: { headers: { ...headers } } };
      receive(message, withHeaders);
    };
  }
  const client = new Client({ name: options.clientName ?? 'test-client', version: '1.0.0' });
  await client.connect(clientTransport);
  open.push(client);
  return client;
}

/** Closes every client {@link connect} opened; for `afterEach`. */
export async function closeClients(): Promise<void> {
  await Promise.all(open.splice(0).map((client) => client.close()));
}

/** The text of a tool result's first content item. */
export function textOf(result: unknown): string {
  const first = (result as CallToolResult).content[0];
  if (first?.type !== 'text') throw new Error(`expected a text result, got ${JSON.stringify(result)}`);
  return first.text;
}

/** The decision summary a refused call carries in `_meta`. */
export function summaryOf(result: unknown): GuardDecisionSummary {
  const meta = (result as CallToolResult)._meta;
  const summary = meta?.['tierguard/decision'];
  if (summary === undefined) throw new Error(`expected a tierguard decision in _meta, got ${JSON.stringify(result)}`);
  return summary as GuardDecisionSummary;
}

/** What a rejected promise rejected with (an McpError from the client, for JSON-RPC errors). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: unknown; data?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: unknown; data?: unknown };
  }
  throw new Error('expected the promise to reject');
}

/** One call a test tool received: which tool, with which arguments. */
export interface Received {
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
}

/**
 * An McpServer with real tools that record what they receive in `calls`:
 * `echo`, `temp.convert`, `database.backup`, `pay`, `search` (optional `limit`),
 * `monitor.status` (prints an ANSI-coloured ALERT) and `secrets.dump`.
 */
export function opsServer(calls: Received[]): McpServer {
  const server = new McpServer({ name: 'ops', version: '1.0.0' });
  registerOpsTools(server, calls);
  return server;
}

/** Registers the tools of {@link opsServer} on `server`. */
export function registerOpsTools(server: McpServer, calls: Received[]): void {
  const reply = (tool: string, args: Readonly<Record<string, unknown>>, text: string) => {
    calls.push({ tool, args });
    return { content: [{ type: 'text' as const, text }] };
  };
  server.registerTool('echo', { inputSchema: { text: z.string() } }, (args) => reply('echo', args, `echo: ${args.text}`));
  server.registerTool('temp.convert', { inputSchema: { temp: z.number(), unit: z.string() } }, (args) =>
    reply('temp.convert', args, `converted ${args.temp} ${args.unit}`),
  );
  server.registerTool('database.backup', { inputSchema: { database: z.string() } }, (args) =>
    reply('database.backup', args, `backed up ${args.database}`),
  );
  server.registerTool('pay', { inputSchema: { amount: z.number() } }, (args) => reply('pay', args, `paid ${args.amount}`));
  server.registerTool('search', { inputSchema: { query: z.string(), limit: z.number().optional() } }, (args) =>
    reply('search', args, `searched ${args.query} (limit ${String(args.limit)})`),
  );
  server.registerTool('monitor.status', {}, () => reply('monitor.status', {}, '\u001b[31mALERT\u001b[0m'));
  server.registerTool('secrets.dump', {}, () => reply('secrets.dump', {}, 'the key is SECRET-123'));
}
