import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { describeThrown } from '../describe-thrown.js';
import { isTierguardError } from '../errors.js';
import { parseStrictJson } from '../strict-json.js';
import { readBody } from './read-body.js';
import type { HttpIdentityOptions } from './http-identity.js';
import { callerKey, checkHttpIdentityOptions, identify } from './http-identity.js';
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

/**
 * What serves one session: an McpServer, a low-level Server, or anything that
 * connects to a transport and closes (a gateway, whose close also ends its
 * downstream connection).
 */
export interface SessionServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

/** Answers a request to a path other than the MCP endpoint (e.g. `/healthz`). */
export type ExtraRoute = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** Options of {@link serveHttp}. */
export interface ServeHttpOptions extends HttpIdentityOptions {
  /**
   * Builds the server of one session: every session gets its own server and
   * transport. May be async (a gateway connects its downstream server first);
   * when it fails, the initialize request gets a 503 naming why.
   */
  readonly createServer: () => SessionServer | Promise<SessionServer>;
  /**
   * Handlers for other paths (`/healthz`, `/metrics`), by exact path, served to
   * any GET whose Host header is allowed, without the token or identity check
   * the MCP endpoint has.
   */
  readonly extraRoutes?: Readonly<Record<string, ExtraRoute>>;
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
  readonly server: SessionServer;
  /** Who opened it (see `callerKey`); only they may use it. */
  readonly caller: string | undefined;
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
  checkHttpIdentityOptions(options);
  const extraRoutes = new Map(Object.entries(options.extraRoutes ?? {}));
  const host = options.host ?? HTTP_DEFAULTS.host;
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_DEFAULTS.maxBodyBytes;
  const maxSessions = options.maxSessions ?? HTTP_DEFAULTS.maxSessions;
  const log = options.log ?? (() => undefined);
  const allowedHosts = new Set([...LOOPBACK_NAMES, hostName(host)]);
  // In least-recently-used order: a request moves its session to the end.
  const sessions = new Map<string, Session>();

  const openSession = async (caller: string | undefined): Promise<StreamableHTTPServerTransport> => {
    const server = await options.createServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        evictBeyond(maxSessions - 1);
        sessions.set(id, { transport, server, caller });
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
  const sessionOrRefuse = (id: string | string[], response: ServerResponse, caller: string | undefined): Session | undefined => {
    const session = typeof id === 'string' ? sessions.get(id) : undefined;
    if (session === undefined) {
      refuse(response, 404, 'Session not found: it ended or never existed; open a new one with an initialize request');
      return undefined;
    }
    if (session.caller !== caller) {
      refuse(response, 403, 'Forbidden: this session was opened by another caller');
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
      refuse(
        response,
        403,
        `Forbidden: the Host header ${JSON.stringify(hostHeader ?? '')} is not this server (allowed: ${[...allowedHosts].join(', ')})`,
      );
      return;
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const extra = extraRoutes.get(path);
    if (extra !== undefined && path !== MCP_PATH) {
      if (request.method === 'GET') await extra(request, response);
      else refuse(response, 405, `Method not allowed: ${request.method ?? ''} (use GET)`, { allow: 'GET' });
      return;
    }
    if (path !== MCP_PATH) {
      refuse(response, 404, `Not found: the MCP endpoint is ${MCP_PATH}`);
      return;
    }
    const identity = await identify(request, options, log);
    if ('status' in identity) {
      refuse(response, identity.status, identity.message, identity.headers);
      return;
    }
    // Where the SDK's transport reads a verified caller (as a bearer-auth middleware leaves it); nothing on the wire can set it.
    if (identity.authInfo !== undefined) (request as IncomingMessage & { auth?: AuthInfo }).auth = identity.authInfo;
    const caller = callerKey(identity.authInfo);
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
        let transport: StreamableHTTPServerTransport;
        try {
          transport = await openSession(caller);
        } catch (error) {
          log(`a session could not be opened: ${describeThrown(error)}`);
          refuse(response, 503, `Service unavailable: the session could not be opened: ${describeThrown(error)}`);
          return;
        }
        await transport.handleRequest(request, response, message);
        // An initialize that was refused opened no session: its server (a gateway's downstream process) is not kept.
        if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) await transport.close();
        return;
      }
      const session = sessionOrRefuse(sessionId, response, caller);
      if (session !== undefined) await session.transport.handleRequest(request, response, message);
      return;
    }
    if (request.method === 'GET' || request.method === 'DELETE') {
      if (sessionId === undefined) {
        refuse(response, 400, 'Bad request: no mcp-session-id header');
        return;
      }
      const session = sessionOrRefuse(sessionId, response, caller);
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

/** Answers with a JSON-RPC error body, as the SDK's transport does for the requests it refuses. */
function refuse(
  response: ServerResponse,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
  code = -32000,
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
