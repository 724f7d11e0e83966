import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Action } from '../types.js';
import { canonicalResourceUri } from './resource-uri.js';

/** The MCP methods whose requests become actions and are judged before their handlers run. */
export type GuardedMethod = 'tools/call' | 'resources/read' | 'prompts/get' | 'initialize';

/** A request's `params` as an object to read from; `{}` when it has none (or none that is an object). */
export function paramsOf(request: JSONRPCRequest): Readonly<Record<string, unknown>> {
  const params: unknown = request.params;
  return typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
}

/**
 * The action a request proposes. `tool` is the tool name (`tools/call`) or the
 * prompt name (`prompts/get`) exactly as sent, the resource URI (`resources/read`;
 * pass the request through {@link canonicalReadRequest} first), or
 * `initialize`; `arguments` are the call's or prompt's arguments (`{}` when
 * absent), `{ uri }` for a read, and the initialize params (client info,
 * protocol version, capabilities) without `_meta`.
 */
export function actionFromRequest(method: GuardedMethod, params: Readonly<Record<string, unknown>>, context: Record<string, unknown>): Action {
  switch (method) {
    case 'tools/call':
    case 'prompts/get':
      // A name that is not a string stays as sent: the engine rejects the action
      // (INVALID_ACTION) and its onError decides, so a malformed request is never waved through.
      return { tool: params['name'] as string, kind: method, arguments: argumentsOf(params['arguments']), context };
    case 'resources/read':
      return { tool: params['uri'] as string, kind: method, arguments: { uri: params['uri'] }, context };
    case 'initialize': {
      const initialize: Record<string, unknown> = { ...params };
      delete initialize['_meta'];
      return { tool: 'initialize', kind: method, arguments: initialize, context };
    }
  }
}

/**
 * A `resources/read` request whose `uri` is in its canonical form (see
 * {@link canonicalResourceUri}), so the policies judge, and the handler is handed,
 * the very URI the server will resolve. `undefined` when the URI is not a string
 * or does not parse: such a read is refused, never passed on as sent.
 */
export function canonicalReadRequest(request: JSONRPCRequest): JSONRPCRequest | undefined {
  const params = paramsOf(request);
  const uri = canonicalResourceUri(params['uri']);
  if (uri === undefined) return undefined;
  return uri === params['uri'] ? request : { ...request, params: { ...params, uri } };
}

/**
 * The request to hand to the real handler once the decision allows it: the
 * request itself when the policies rewrote nothing, otherwise a copy carrying
 * the rewritten arguments (for `resources/read`, the rewritten `arguments.uri`;
 * in canonical form; for `initialize`, the rewritten params). `undefined` when a
 * rewrite left a read with no URI that parses, which the caller must refuse rather than guess.
 */
export function forwardedRequest(
  method: GuardedMethod,
  request: JSONRPCRequest,
  params: Readonly<Record<string, unknown>>,
  proposed: Action,
  decided: Action,
): JSONRPCRequest | undefined {
  const rewritten = decided.arguments;
  if (rewritten === proposed.arguments) return request;
  switch (method) {
    case 'tools/call':
    case 'prompts/get': {
      const next: Record<string, unknown> = { ...params, arguments: rewritten };
      if (rewritten === undefined) delete next['arguments'];
      return { ...request, params: next };
    }
    case 'resources/read': {
      const uri = canonicalResourceUri(rewritten?.['uri']);
      return uri === undefined ? undefined : { ...request, params: { ...params, uri } };
    }
    case 'initialize': {
      const meta = request.params?._meta;
      return { ...request, params: { ...rewritten, ...(meta === undefined ? {} : { _meta: meta }) } };
    }
  }
}

// Absent arguments are an empty object, as the SDK treats them; anything else is
// passed on as sent for the policies to see (the SDK rejects a non-object anyway).
function argumentsOf(value: unknown): Readonly<Record<string, unknown>> {
  return value === undefined ? {} : (value as Readonly<Record<string, unknown>>);
}
