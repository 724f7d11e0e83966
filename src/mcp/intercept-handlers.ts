import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { TierguardError } from '../errors.js';
import type { HandlerExtra } from './request-context.js';

/** A request handler as the SDK stores it: the raw JSON-RPC request in, the result out. */
export type RawHandler = (request: JSONRPCRequest, extra: HandlerExtra) => Promise<unknown>;

/**
 * Runs instead of a handler of an intercepted method; `next` runs the real
 * handler (the SDK's parsing wrapper around yours) on the request it is given.
 */
export type Interceptor = (
  method: string,
  request: JSONRPCRequest,
  extra: HandlerExtra,
  next: (request: JSONRPCRequest) => Promise<unknown>,
) => Promise<unknown>;

/**
 * The parts of the SDK's `Protocol` this relies on. `_requestHandlers` and
 * `_onrequest` are private in its typings: every request is dispatched through
 * `_onrequest`, which looks its handler up in the `_requestHandlers` Map (and falls
 * back to `fallbackRequestHandler`). Checked at install time, never assumed.
 */
interface ProtocolInternals {
  _requestHandlers?: unknown;
  _onrequest?: unknown;
  fallbackRequestHandler?: RawHandler | undefined;
}

// On the Map, so a second guard on the same server is refused even from another copy of tierguard.
const INSTALLED = Symbol.for('tierguard.guardServer');

const SDK_VERSION_HINT = 'tierguard/mcp is built for @modelcontextprotocol/sdk ^1.32';

/**
 * Puts `intercept` in front of every handler of the methods `intercepts` is true for on an McpServer or a
 * low-level Server: the handlers present now (`initialize`, installed by the
 * Server constructor, and tool handlers registered already), every handler set
 * later (McpServer installs its tool, resource and prompt handlers on the first
 * registration; a Server's handlers may be replaced), and the server's
 * `fallbackRequestHandler`. Each handler is wrapped once. Throws a TierguardError
 * (`INVALID_OPTIONS`) when the server is not one, when the SDK's internals are not
 * as expected (rather than silently not guarding), or when the server is already
 * guarded. Returns a function that removes the interception.
 */
export function interceptRequests(server: McpServer | Server, intercepts: (method: string) => boolean, intercept: Interceptor): () => void {
  const internals = protocolOf(server) as unknown as ProtocolInternals;
  const handlers = internals._requestHandlers;
  if (!(handlers instanceof Map) || typeof handlers.get('initialize') !== 'function' || typeof internals._onrequest !== 'function') {
    throw new TierguardError(
      'INVALID_OPTIONS',
      `guardServer cannot guard this server: its request handlers are not kept where the MCP SDK kept them (a Map in _requestHandlers holding "initialize"); ${SDK_VERSION_HINT}`,
      { option: 'server' },
    );
  }
  if (Object.hasOwn(handlers, INSTALLED)) {
    throw new TierguardError(
      'INVALID_OPTIONS',
      'this server is already guarded by tierguard; call unguard() on the first guard before guarding it again',
      {
        option: 'server',
      },
    );
  }
  const map = handlers as Map<string, RawHandler>;

  const originals = new WeakMap<RawHandler, RawHandler>();
  const wrap = (method: string, handler: RawHandler): RawHandler => {
    if (!intercepts(method) || typeof handler !== 'function' || originals.has(handler)) return handler;
    const wrapper: RawHandler = (request, extra) => intercept(method, request, extra, (forwarded) => handler(forwarded, extra));
    originals.set(wrapper, handler);
    return wrapper;
  };

  // Installed first: it can fail (a non-configurable property), and nothing else is changed yet.
  const restoreFallback = guardFallback(internals, intercepts, intercept);

  const ownSet = Object.getOwnPropertyDescriptor(map, 'set');
  // Bound now: the Map's own `set` is about to be shadowed by the guarded one.
  const nativeSet = map.set.bind(map);
  const guardedSet = (method: string, handler: RawHandler): Map<string, RawHandler> => nativeSet(method, wrap(method, handler));
  Object.defineProperty(map, 'set', { value: guardedSet, configurable: true, writable: true, enumerable: false });
  Object.defineProperty(map, INSTALLED, { value: true, configurable: true, enumerable: false });
  for (const [method, handler] of [...map]) nativeSet(method, wrap(method, handler));

  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    if (ownSet === undefined) Reflect.deleteProperty(map, 'set');
    else Object.defineProperty(map, 'set', ownSet);
    Reflect.deleteProperty(map, INSTALLED);
    for (const [method, handler] of [...map]) {
      const original = originals.get(handler);
      if (original !== undefined) nativeSet(method, original);
    }
    restoreFallback();
  };
}

/** The Protocol that dispatches requests (and sends notifications): an McpServer's `server`, or the Server itself. */
export function protocolOf(server: McpServer | Server): Server {
  const candidate: unknown = server;
  if (typeof candidate === 'object' && candidate !== null) {
    const inner: unknown = (candidate as { server?: unknown }).server;
    if (hasSetRequestHandler(inner)) return inner as Server;
    if (hasSetRequestHandler(candidate)) return candidate as Server;
  }
  throw new TierguardError('INVALID_OPTIONS', 'guardServer needs an McpServer or a Server from @modelcontextprotocol/sdk', {
    option: 'server',
  });
}

function hasSetRequestHandler(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { setRequestHandler?: unknown }).setRequestHandler === 'function';
}

/**
 * Guards the `fallbackRequestHandler`, which receives raw requests for methods
 * with no handler of their own: an accessor keeps whatever is assigned and hands
 * the SDK a guarded version. Returns a function that puts the plain property back.
 */
function guardFallback(internals: ProtocolInternals, intercepts: (method: string) => boolean, intercept: Interceptor): () => void {
  let current = internals.fallbackRequestHandler;
  const guarded: RawHandler = (request, extra) => {
    const handler = current;
    if (handler === undefined) return Promise.reject(new Error('Method not found'));
    return intercepts(request.method)
      ? intercept(request.method, request, extra, (forwarded) => handler(forwarded, extra))
      : handler(request, extra);
  };
  try {
    Object.defineProperty(internals, 'fallbackRequestHandler', {
      configurable: true,
      enumerable: true,
      get: () => (current === undefined ? undefined : guarded),
      set: (handler: RawHandler | undefined) => {
        current = handler;
      },
    });
  } catch (error) {
    throw new TierguardError(
      'INVALID_OPTIONS',
      `guardServer cannot guard this server's fallbackRequestHandler (it cannot be redefined); ${SDK_VERSION_HINT}`,
      { option: 'server' },
      { cause: error },
    );
  }
  return () => {
    Object.defineProperty(internals, 'fallbackRequestHandler', { value: current, configurable: true, enumerable: true, writable: true });
  };
}
