import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/**
 * `transport` with every message it delivers carrying `authInfo`, as an HTTP
 * transport carries what a bearer-token check verified: `context.auth` then
 * says who launched the gateway (its configuration), whatever the client writes
 * into its requests. For stdio and in-process connections, where the transport
 * itself knows nothing about the caller. Handlers already set on `transport`
 * (`onclose`, `onerror`) keep running.
 */
export function withIdentity(transport: Transport, authInfo: AuthInfo): Transport {
  const wrapper: Transport = {
    start: () => transport.start(),
    send: (message, options) => transport.send(message, options),
    close: () => transport.close(),
    get sessionId() {
      return transport.sessionId;
    },
    setProtocolVersion: (version) => transport.setProtocolVersion?.(version),
  };
  const ownClose = transport.onclose;
  const ownError = transport.onerror;
  transport.onmessage = (message, extra) => wrapper.onmessage?.(message, { ...extra, authInfo });
  transport.onclose = () => {
    ownClose?.();
    wrapper.onclose?.();
  };
  transport.onerror = (error) => {
    ownError?.(error);
    wrapper.onerror?.(error);
  };
  return wrapper;
}
