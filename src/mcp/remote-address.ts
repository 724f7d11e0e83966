import { AsyncLocalStorage } from 'node:async_hooks';

// Carried beside the request rather than in it: the SDK hands handlers only what
// the client sent (headers, body) and the auth a middleware set, and the socket's
// address must come from the socket, where no client can write it.
const remoteAddresses = new AsyncLocalStorage<string>();

/**
 * Runs `handle` (typically a Streamable HTTP transport's `handleRequest`) so that
 * guarded requests it dispatches report `address` as `context.auth.remoteAddress`.
 * Pass the socket's address (`request.socket.remoteAddress`), never a header such
 * as `x-forwarded-for`, which the client writes. `undefined` reports no address.
 */
export function withRemoteAddress<T>(address: string | undefined, handle: () => T): T {
  return address === undefined ? remoteAddresses.exit(handle) : remoteAddresses.run(address, handle);
}

/** The remote address {@link withRemoteAddress} set for the request being handled, if any. */
export function currentRemoteAddress(): string | undefined {
  return remoteAddresses.getStore();
}
