import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Action } from '../types.js';
import { canonicalResourceUri } from './resource-uri.js';

/** The MCP methods whose requests become actions and are judged before their handlers run. */
export type GuardedMethod = 'tools/call' | 'resources/read' | 'resources/subscribe' | 'prompts/get' | 'completion/complete' | 'initialize';

/** The methods whose `params.uri` names a resource and is put in canonical form before anything else. */
export type ResourceMethod = 'resources/read' | 'resources/subscribe' | 'resources/unsubscribe';

/** True for a method whose `params.uri` {@link canonicalResourceRequest} canonicalises. */
export function isResourceMethod(method: string): method is ResourceMethod {
  return method === 'resources/read' || method === 'resources/subscribe' || method === 'resources/unsubscribe';
}

/** A request's `params` as an object to read from; `{}` when it has none (or none that is an object). */
export function paramsOf(request: JSONRPCRequest): Readonly<Record<string, unknown>> {
  const params: unknown = request.params;
  return typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
}

/**
 * The action a request proposes. `tool` is the tool name (`tools/call`) or the
 * prompt name (`prompts/get`) exactly as sent, the resource URI (`resources/read`;
 * pass the request through {@link canonicalResourceRequest} first), or
 * `initialize`; `arguments` are the call's or prompt's arguments (`{}` when
 * absent), `{ uri }` for a read, and the initialize params (client info,
 * protocol version, capabilities) without `_meta`.
 *
 * A `resources/subscribe` is the very action the read of its URI is (kind
 * `resources/read`): a subscription delivers news of what a read would show, so
 * every policy that refuses the read refuses it, whatever the policy says about
 * `kind`. A `completion/complete` is the action its ref leads to (see
 * {@link completionAction}).
 */
export function actionFromRequest(
  method: GuardedMethod,
  params: Readonly<Record<string, unknown>>,
  context: Record<string, unknown>,
): Action {
  switch (method) {
    case 'tools/call':
    case 'prompts/get':
      // A name that is not a string stays as sent: the engine rejects the action
      // (INVALID_ACTION) and its onError decides, so a malformed request is never waved through.
      return { tool: params['name'] as string, kind: method, arguments: argumentsOf(params['arguments']), context };
    case 'resources/read':
    case 'resources/subscribe':
      return readOf(params['uri'], context);
    case 'completion/complete':
      return completionAction(params, context);
    case 'initialize': {
      const initialize: Record<string, unknown> = { ...params };
      delete initialize['_meta'];
      return { tool: 'initialize', kind: method, arguments: initialize, context };
    }
  }
}

/**
 * The action a completion stands for, so it suggests nothing its ref could not
 * be used for: for `ref/prompt`, the `prompts/get` of that prompt with the
 * arguments the completion knows (`context.arguments` and the argument being
 * completed, with its partial value); for `ref/resource`, the `resources/read` of
 * its URI template in canonical form (`{name}` escaped, as `resources/templates/list`
 * is filtered). A ref of another type, or a template that does not parse, gives an
 * action the engine rejects (`INVALID_ACTION`), so the completion is refused.
 */
export function completionAction(params: Readonly<Record<string, unknown>>, context: Record<string, unknown>): Action {
  const ref = objectOf(params['ref']);
  if (ref['type'] === 'ref/prompt') {
    const known = objectOf(objectOf(params['context'])['arguments']);
    const argument = objectOf(params['argument']);
    const completing = typeof argument['name'] === 'string' ? { [argument['name']]: argument['value'] } : {};
    return { tool: ref['name'] as string, kind: 'prompts/get', arguments: { ...known, ...completing }, context };
  }
  if (ref['type'] === 'ref/resource') return readOf(canonicalResourceUri(ref['uri']), context);
  return { tool: undefined as unknown as string, kind: 'completion/complete', arguments: {}, context };
}

/**
 * A request on a resource (`resources/read`, `resources/subscribe`,
 * `resources/unsubscribe`) whose `uri` is in its canonical form (see
 * {@link canonicalResourceUri}), so the policies judge, and the handler is handed,
 * the very URI the server will resolve. `undefined` when the URI is not a string
 * or does not parse: such a request is refused, never passed on as sent.
 */
export function canonicalResourceRequest(request: JSONRPCRequest): JSONRPCRequest | undefined {
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
    case 'completion/complete':
      // Completion only suggests; the server is asked about the ref as sent (McpServer matches templates by their exact text).
      return request;
    case 'resources/read':
    case 'resources/subscribe': {
      const uri = canonicalResourceUri(rewritten?.['uri']);
      return uri === undefined ? undefined : { ...request, params: { ...params, uri } };
    }
    case 'initialize': {
      const meta = request.params?._meta;
      return { ...request, params: { ...rewritten, ...(meta === undefined ? {} : { _meta: meta }) } };
    }
  }
}

// A URI that is not a string stays as sent: the engine rejects the action (INVALID_ACTION).
function readOf(uri: unknown, context: Record<string, unknown>): Action {
  return { tool: uri as string, kind: 'resources/read', arguments: { uri }, context };
}

function objectOf(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

// Absent arguments are an empty object, as the SDK treats them; anything else is
// passed on as sent for the policies to see (the SDK rejects a non-object anyway).
function argumentsOf(value: unknown): Readonly<Record<string, unknown>> {
  return value === undefined ? {} : (value as Readonly<Record<string, unknown>>);
}
