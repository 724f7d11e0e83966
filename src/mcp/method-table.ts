import type { GuardedMethod } from './request-action.js';

/**
 * The methods whose requests are judged before their handlers run. `initialize`
 * is in the Server's handlers from its constructor on, so a client's first
 * request is judged too (a policy on tool "initialize" can refuse clients).
 */
export const GUARDED_METHODS: ReadonlySet<string> = new Set<GuardedMethod>([
  'tools/call',
  'resources/read',
  'resources/subscribe',
  'prompts/get',
  'completion/complete',
  'initialize',
]);

/**
 * The methods passed on unjudged, because they neither reveal nor act on anything
 * a policy guards: `ping`; `logging/setLevel` (how much the server logs to this
 * client); and the task methods, which only reach tasks a judged `tools/call`
 * created (one whose result a response policy must see is never made a task). Every other method with a handler is refused unless it is judged, a
 * list method, `resources/unsubscribe` (canonicalised, not judged) or named in
 * the `unjudgedMethods` option.
 */
export const UNJUDGED_METHODS: ReadonlySet<string> = new Set([
  'ping',
  'logging/setLevel',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
]);

/** True for a method whose requests become actions. */
export function isGuardedMethod(method: string): method is GuardedMethod {
  return GUARDED_METHODS.has(method);
}
