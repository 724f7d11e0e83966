import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Result, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, ListRootsResultSchema, McpError, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { checkAction } from '../../check-action.js';
import { describeThrown } from '../../describe-thrown.js';
import { isTierguardError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import type { AskClient } from './client-requests.js';
import { ForwardedError, asForwarded, isConnectionClosed, isTimeout } from './downstream-error.js';
import { progressTokenOf } from './progress-token.js';

/** How {@link upstreamAsker} bounds what it relays. */
export interface AskOptions {
  /** How long the gateway's client may take to answer, in milliseconds (each progress notification restarts the wait). */
  readonly timeoutMs: number;
  /** The depth and value bounds of the engine judging the gateway's traffic, read per request (a reload may change them). */
  readonly limits: () => Promise<Limits>;
}

/**
 * Relays a request the downstream server sends its client to the gateway's
 * client through the upstream Server's own `request()`, and its answer back.
 * Nothing here is judged by policies (they judge what the client asks of the
 * server), but both ways are bounded as results are: params and answer nested
 * deeper than `limits.maxDepth` or holding more than `limits.maxNodes` values
 * are refused with a JSON-RPC error, not relayed. The server's cancellation
 * (`notifications/cancelled`, seen as `extra.signal`) cancels the request to the
 * client; a client that does not answer within `timeoutMs` is sent a
 * cancellation and the server gets a `RequestTimeout` error; the client's
 * JSON-RPC errors reach the server with their code, message and data; an answer
 * that is no MCP result (or, for `roots/list`, no list of roots) is an error.
 * Progress the client reports reaches the server under the server's own token.
 * A task-augmented request is refused: `tasks/*` are not relayed. Before a
 * client is connected, a `ping` is answered by the gateway itself.
 */
export function upstreamAsker(upstream: () => Server | undefined, options: AskOptions): AskClient {
  return async (method, params, extra) => {
    const server = upstream();
    if (server?.transport === undefined) {
      if (method === 'ping') return {};
      throw new ForwardedError(ErrorCode.InternalError, `no client is connected to the gateway to answer ${method}`, { method });
    }
    if (params?.['task'] !== undefined) {
      throw new ForwardedError(
        ErrorCode.InvalidParams,
        `the gateway does not relay task-augmented ${method} requests (tasks/* are not forwarded)`,
        {
          method,
        },
      );
    }
    const limits = await options.limits();
    bounded(params, `the ${method} request`, ErrorCode.InvalidParams, limits, method);
    const requestOptions: RequestOptions = { signal: extra.signal, timeout: options.timeoutMs, resetTimeoutOnProgress: true };
    const token = progressTokenOf(params);
    if (token !== undefined) {
      requestOptions.onprogress = (progress) =>
        void extra
          .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken: token } })
          .catch(() => undefined);
    }
    const request = (params === undefined ? { method } : { method, params }) as ServerRequest;
    let result: Result;
    try {
      result = await server.request(request, ResultSchema, requestOptions);
    } catch (error) {
      throw mapped(method, error, options.timeoutMs);
    }
    bounded(result, `the client's answer to ${method}`, ErrorCode.InternalError, limits, method);
    if (method === 'roots/list') {
      const roots = ListRootsResultSchema.safeParse(result);
      if (!roots.success) {
        throw new ForwardedError(
          ErrorCode.InternalError,
          `the client's answer to roots/list is not a list of roots: ${roots.error.message}`,
          {
            method,
          },
        );
      }
    }
    return result;
  };
}

/** Refuses `value` past the engine's depth and value bounds, with `code` (the sender's error: params, or the answer). */
function bounded(value: unknown, what: string, code: number, limits: Limits, method: string): void {
  if (typeof value !== 'object' || value === null) return;
  try {
    checkAction({ tool: method, arguments: value }, limits);
  } catch (error) {
    if (!isTierguardError(error, 'LIMIT_EXCEEDED')) throw error;
    const beyond =
      error.details.limit === 'maxDepth'
        ? `it is nested deeper than limits.maxDepth (${limits.maxDepth})`
        : `it holds more than limits.maxNodes (${limits.maxNodes}) values`;
    throw new ForwardedError(code, `${what} is not relayed: ${beyond}`, { method, limit: error.details.limit });
  }
}

function mapped(method: string, error: unknown, timeoutMs: number): Error {
  if (isTimeout(error)) {
    return new ForwardedError(ErrorCode.RequestTimeout, `the gateway's client did not answer ${method} within ${timeoutMs} ms`, {
      method,
      timeoutMs,
    });
  }
  if (isConnectionClosed(error)) {
    return new ForwardedError(ErrorCode.ConnectionClosed, `the gateway's client left before it answered ${method}`, { method });
  }
  if (error instanceof McpError) return asForwarded(error);
  return new ForwardedError(
    ErrorCode.InternalError,
    `the gateway's client answered ${method} with no MCP result: ${describeThrown(error)}`,
    {
      method,
    },
  );
}
