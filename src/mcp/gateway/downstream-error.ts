import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * The JSON-RPC error code a gateway answers with when its downstream server
 * cannot answer: it exited, crashed, is restarting, or never connected. Beside
 * `TIERGUARD_DENIED` (-31001), in the range JSON-RPC leaves to applications.
 */
export const DOWNSTREAM_UNAVAILABLE = -31002;

/** An error to send to the client with its own code, message and data, as the SDK's Protocol answers a thrown error. */
export class ForwardedError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'ForwardedError';
  }
}

/** The refusal of a request the downstream server cannot answer, naming it and why. */
export function downstreamUnavailable(message: string, data: Readonly<Record<string, unknown>>): ForwardedError {
  return new ForwardedError(DOWNSTREAM_UNAVAILABLE, message, data);
}

/**
 * A downstream JSON-RPC error as the client should see it: the downstream's own
 * code, message and data. The SDK's client prefixes the message it received
 * with "MCP error <code>: ", which is taken off again so the message arrives as
 * the downstream wrote it.
 */
export function asForwarded(error: McpError): ForwardedError {
  const prefix = `MCP error ${error.code}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new ForwardedError(error.code, message, error.data);
}

/** True for the SDK's error for a connection that closed under a pending request. */
export function isConnectionClosed(error: unknown): boolean {
  return error instanceof McpError && error.code === Number(ErrorCode.ConnectionClosed);
}

/** True for the SDK's error for a request that was not answered in time. */
export function isTimeout(error: unknown): boolean {
  return error instanceof McpError && error.code === Number(ErrorCode.RequestTimeout);
}
