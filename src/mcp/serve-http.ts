import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { describeThrown } from '../describe-thrown.js';
import { isTierguardError } from '../errors.js';
import { parseStrictJson } from '../strict-json.js';
import { withRemoteAddress } from './remote-address.js';

/** The path the MCP endpoint is served on. */
export const MCP_PATH = '/mcp';

/** Default bounds of {@link serveHttp}. */
export const HTTP_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8765,
  /** A request body larger than this is answered 413 before it is parsed. */
  maxBodyBytes: 1024 * 1024,
  /** Open sessions; opening one more closes the one used least recently. */
  maxSessions: 256,
});

/** Options of {@link serveHttp}. */
export interface ServeHttpOptions {
  /** Builds the MCP server of one session: every session gets its own server and transport. */
  readonly createServer: () => McpServer;
  /** The address to bind; default `127.0.0.1`. Binding beyond loopback exposes the tools to the network. */
  readonly host?: string;
  /** The port; default 8765; `0` picks a free one (read it from `url`). */
  readonly port?: number;
  /** Largest request body in bytes; default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Most open sessions; default 256. */
  readonly maxSessions?: number;
  /** Receives one line per event worth logging (a failed request, an evicted session). */
  readonly log?: (line: string) => void;
}

/** A listening MCP endpoint. */
export interface HttpEndpoint {
  /** The endpoint's URL with the actual port, e.g. `http://127.0.0.1:8765/mcp`. */
  readonly url: string;
  /** Stops accepting connections, closes every session and open stream, and resolves once the server is closed. Idempotent. */
  readonly close: () => Promise<void>;
}

interface Session {
  readonly transport: StreamableHTTPServerTransport;
  readonly server: McpServer;
}

/**
 * No nesting bound at the transport: the body is already bounded by
 * `maxBodyBytes` and scanned without recursion, and what it carries is checked
 * against `limits.maxDepth` by the engine that judges it.
 */
const TRANSPORT_DEPTH = Number.POSITIVE_INFINITY;

const LOOPBACK_NAMES: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];
// A Host header is `name[:port]` or `[ipv6][:port]`; anything else (userinfo, paths) is refused outright.
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::[0-9]{1,5})?$/i;

/**
 * Serves MCP over Streamable HTTP at `MCP_PATH`, statefully: an `initialize`
 * request without a session opens one (a new server and transport), and later
 * requests are routed by their `mcp-session-id` header; GET opens the session's
 * event stream and DELETE ends it. Requests whose Host header names anything but
 * a loopback name or the bound host are refused with 403, so a web page cannot
 * reach the endpoint through DNS rebinding. Bodies over `maxBodyBytes` get 413.
 * Each request is handled under {@link withRemoteAddress} with its socket's address.
 */
export async function serveHttp(options: ServeHttpOptions): Promise<HttpEndpoint> {
  const host = options.host ?? HTTP_DEFAULTS.host;
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_DEFAULTS.maxBodyBytes;
  const maxSessions = options.maxSessions ?? HTTP_DEFAULTS.maxSessions;
  const log = options.log ?? (() => undefined);
  const allowedHosts = new Set([...LOOPBACK_NAMES, hostName(host)]);
  // In least-recently-used order: a request moves its session to the end.
  const sessions = new Map<string, Session>();

  const openSession = async (): Promise<StreamableHTTPServerTransport> => {
    const server = options.createServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        evictBeyond(maxSessions - 1);
        sessions.set(id, { transport, server });
      },
    });
    // Set before connect, which chains the protocol's own handler after it.
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  };

  const evictBeyond = (size: number): void => {
    for (const [id, session] of sessions) {
      if (sessions.size <= size) break;
      sessions.delete(id);
      log(`closing session ${id}: more than ${maxSessions} sessions are open and it was used least recently`);
      void session.server.close();
    }
  };

  // The session a request names, moved to the most recently used end; or a 404,
  // which tells a client per the spec that it must initialize a new session.
  const sessionOrRefuse = (id: string | string[], response: ServerResponse): Session | undefined => {
    const session = typeof id === 'string' ? sessions.get(id) : undefined;
    if (session === undefined) {
      refuse(response, 404, 'Session not found: it ended or never existed; open a new one with an initialize request');
      return undefined;
    }
    sessions.delete(id as string);
    sessions.set(id as string, session);
    return session;
  };

  // Guarded handlers see the peer's address as context.auth.remoteAddress: the socket's, never a header's.
  const handle = (request: IncomingMessage, response: ServerResponse): Promise<void> =>
    withRemoteAddress(request.socket.remoteAddress, () => route(request, response));

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const hostHeader = request.headers.host;
    if (!isAllowedHost(hostHeader, allowedHosts)) {
      refuse(response, 403, `Forbidden: the Host header ${JSON.stringify(hostHeader ?? '')} is not this server (allowed: ${[...allowedHosts].join(', ')})`);
      return;
    }
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== MCP_PATH) {
      refuse(response, 404, `Not found: the MCP endpoint is ${MCP_PATH}`);
      return;
    }
    const sessionId = request.headers['mcp-session-id'];
    if (request.method === 'POST') {
      const body = await readBody(request, maxBodyBytes);
      if (body === undefined) {
        refuse(response, 413, `Payload too large: a request body may hold at most ${maxBodyBytes} bytes`);
        return;
      }
      let message: unknown;
      try {
        // Strict, so a repeated key (`"tool"` twice in a validate call) is refused, not read as its last value.
        message = parseStrictJson(body.toString('utf8'), 'the request body', { maxDepth: TRANSPORT_DEPTH });
      } catch (error) {
        const reason = isTierguardError(error) ? error.message : 'the request body is not JSON';
        refuse(response, 400, `Parse error: ${reason}`, {}, -32700);
        return;
      }
      if (sessionId === undefined) {
        if (!isInitializeRequest(message)) {
          refuse(response, 400, 'Bad request: no mcp-session-id header; open a session with an initialize request first');
          return;
        }
        await (await openSession()).handleRequest(request, response, message);
        return;
      }
      const session = sessionOrRefuse(sessionId, response);
      if (session !== undefined) await session.transport.handleRequest(request, response, message);
      return;
    }
    if (request.method === 'GET' || request.method === 'DELETE') {
      if (sessionId === undefined) {
        refuse(response, 400, 'Bad request: no mcp-session-id header');
        return;
      }
      const session = sessionOrRefuse(sessionId, response);
      if (session !== undefined) await session.transport.handleRequest(request, response);
      return;
    }
    refuse(response, 405, `Method not allowed: ${request.method ?? ''} (use POST, GET or DELETE)`, { allow: 'GET, POST, DELETE' });
  };

  const http = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`${request.method ?? ''} ${request.url ?? ''} failed: ${describeThrown(error)}`);
      if (!response.headersSent) refuse(response, 500, 'Internal error');
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? HTTP_DEFAULTS.port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      await Promise.allSettled([...sessions.values()].map((session) => session.server.close()));
      sessions.clear();
      // Event streams stay open until their client leaves; a shutdown does not wait for that.
      http.closeAllConnections();
      await stopped;
    })();
    return closing;
  };

  return Object.freeze({ url: `http://${hostName(host)}:${port}${MCP_PATH}`, close });
}

/** The host as it appears in a URL and a Host header: IPv6 addresses in brackets, lower case. */
function hostName(host: string): string {
  const lower = host.toLowerCase();
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}

function isAllowedHost(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (header === undefined) return false;
  const match = HOST_HEADER.exec(header);
  return match?.[1] !== undefined && allowed.has(match[1].toLowerCase());
}

/**
 * The body, or `undefined` once it exceeds `limit` bytes (declared or streamed).
 * Nothing more is kept: the rest flows on and is discarded by Node once the 413
 * is sent, rather than the socket being cut while the client is still sending
 * (which could reset the connection before the client reads the answer).
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      stop();
      resolve(undefined);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
  });
}

/** Answers with a JSON-RPC error body, as the SDK's transport does for the requests it refuses. */
function refuse(response: ServerResponse, status: number, message: string, headers: Readonly<Record<string, string>> = {}, code = -32000): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
