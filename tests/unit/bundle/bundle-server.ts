import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the test server answers one path. */
export type Behaviour =
  /** 200 with the bytes and an ETag (their digest), 304 to a matching If-None-Match; `etag: false` sends none. */
  | { readonly kind: 'bundle'; readonly bytes: Uint8Array; readonly etag?: false }
  /** That status, with a short body. */
  | { readonly kind: 'status'; readonly status: number }
  /** Announces the whole length, sends half, then drops the connection. */
  | { readonly kind: 'truncated'; readonly bytes: Uint8Array }
  /** Accepts the request and never answers. */
  | { readonly kind: 'silent' }
  /** Sends headers, then one byte every `everyMs`, forever (slow-loris). */
  | { readonly kind: 'drip'; readonly everyMs: number }
  /** A redirect to `location`. */
  | { readonly kind: 'redirect'; readonly location: string };

/** One request the server saw. */
export interface SeenRequest {
  readonly path: string;
  /** The `x-instance` header a watcher under test sends (its `remote.headers`), to count requests per instance. */
  readonly instance: string | undefined;
  readonly ifNoneMatch: string | undefined;
  /** What was answered: 200, 304, another status, or 0 for no answer (silent, drip, truncated). */
  readonly status: number;
}

/** A loopback HTTP server that serves bundles as each test sets them, counting what it is asked. */
export interface BundleServer {
  /** `http://127.0.0.1:<port><path>`. */
  url(path: string): string;
  /** How `path` is answered from now on. */
  set(path: string, behaviour: Behaviour): void;
  /** Every request so far, in order. */
  readonly requests: readonly SeenRequest[];
  /** How many requests an instance (its `x-instance` header) has made so far. */
  countFor(instance: string): number;
  /** Stops listening and drops every open connection (a silent or dripping one included). */
  close(): Promise<void>;
}

/** Starts a {@link BundleServer} on a free loopback port. */
export async function startBundleServer(): Promise<BundleServer> {
  const behaviours = new Map<string, Behaviour>();
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const answer = (request: IncomingMessage, response: ServerResponse): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const behaviour = behaviours.get(path) ?? { kind: 'status', status: 404 };
    const ifNoneMatch = request.headers['if-none-match'];
    const instance = request.headers['x-instance'];
    const seen = (status: number): void =>
      void requests.push({ path, instance: typeof instance === 'string' ? instance : undefined, ifNoneMatch, status });
    switch (behaviour.kind) {
      case 'bundle': {
        const etag = behaviour.etag === false ? undefined : `"${createHash('sha256').update(behaviour.bytes).digest('hex').slice(0, 16)}"`;
        if (etag !== undefined && ifNoneMatch === etag) {
          seen(304);
          response.writeHead(304, { etag }).end();
          return;
        }
        seen(200);
        response.writeHead(200, {
          'content-type': 'application/gzip',
          'content-length': behaviour.bytes.length,
          ...(etag === undefined ? {} : { etag }),
        });
        response.end(behaviour.bytes);
        return;
      }
      case 'status':
        seen(behaviour.status);
        response.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end('no bundle here\n');
        return;
      case 'truncated':
        seen(0);
        response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': behaviour.bytes.length });
        response.write(behaviour.bytes.subarray(0, Math.floor(behaviour.bytes.length / 2)), () => response.socket?.destroy());
        return;
      case 'silent':
        seen(0);
        return;
      case 'drip': {
        seen(0);
        response.writeHead(200, { 'content-type': 'application/gzip' });
        const timer = setInterval(() => response.write(Buffer.from([0x1f])), behaviour.everyMs);
        timers.add(timer);
        response.on('close', () => {
          clearInterval(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'redirect':
        seen(302);
        response.writeHead(302, { location: behaviour.location }).end();
        return;
    }
  };
  const server: Server = createServer(answer);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, behaviour) => void behaviours.set(path, behaviour),
    requests,
    countFor: (instance) => requests.filter((request) => request.instance === instance).length,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
