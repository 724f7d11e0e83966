import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * Closes a session whose `initialize` was refused, once the refusal is sent.
 * Over HTTP every session holds a downstream connection of its own (a process,
 * for a command): a caller the policies turn away at `initialize` must not keep
 * one until eviction, nor push a legitimate session out of `maxSessions` by
 * opening refused ones. A session's first answer is the one to its
 * `initialize` (the transport opens a session for nothing else), so the first
 * error response sent on it is that refusal.
 */
export function endSessionWhenInitializeRefused(transport: Transport, close: () => Promise<void>): void {
  const send = transport.send.bind(transport);
  let answered = false;
  transport.send = async (message: JSONRPCMessage, options) => {
    const first = !answered && 'id' in message && ('result' in message || 'error' in message);
    if (first) answered = true;
    await send(message, options);
    if (first && 'error' in message) setImmediate(() => void close());
  };
}
