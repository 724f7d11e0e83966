import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { EngineSource } from './engine-source.js';
import type { GuardServerOptions } from './guard-options.js';
import { checkEngineSource, checkGuardOptions } from './guard-options.js';
import { requestGuard } from './guard-request.js';
import { interceptRequests } from './intercept-handlers.js';
import { isListMethod } from './list-filter.js';
import { UNJUDGED_METHODS } from './method-table.js';
import { AllowedSubscriptions, filterResourceUpdates } from './resource-subscriptions.js';

/** What `guardServer` returns. */
export interface GuardHandle {
  /** Removes the guard: handlers run unjudged again, and later registrations are no longer wrapped. Idempotent. */
  unguard(): void;
}

/**
 * Puts a tierguard engine in front of an MCP server: every `tools/call`,
 * `resources/read`, `resources/subscribe` (as the read of its URI),
 * `prompts/get`, `completion/complete` (as the get or read its ref leads to) and
 * `initialize` request becomes an action
 * (`tool`: the tool name, resource URI in canonical form, prompt name, or `initialize`;
 * `kind`: the method; `arguments`; `context`: `auth`, what the transport verified
 * (the token's facts without the token, and the socket's `remoteAddress`), which
 * nothing else can write; `authInfo` (the same token facts), `sessionId`,
 * `requestId`, HTTP `headers` as the client sent them (without credentials), and
 * whatever the `context` option adds) and is evaluated before its handler runs.
 *
 * - `allow`: the handler runs on the rewritten action's arguments; its result
 *   goes through `evaluateResponse` and the sanitised result is returned (checked
 *   against the SDK's result schema when rewritten).
 * - `deny`: the handler does not run. A `tools/call` gets a tool error result
 *   whose text names each violated policy, field and message and says the model
 *   may retry with a compliant call, with the decision summary under
 *   `_meta["tierguard/decision"]`; other methods (and `denyAs: 'error'`) get a
 *   JSON-RPC error with code `TIERGUARD_DENIED` (-31001) and the summary as `data`.
 * - `escalate`: `onEscalate` decides; without it the request is refused, naming
 *   the policies that ask for approval.
 *
 * `engine` is an engine or a provider asked on every request, so an engine
 * swapped by `watchPolicies` (`() => watcher.engine`) applies to the next
 * request. A provider that throws refuses every request (`onUnavailable: 'allow'`
 * lets them through instead). Monitor mode is the engine's: nothing is refused and
 * the engine's `onDecision` records `would_deny`. Every evaluation carries the
 * labels `method`, `requestId` and `sessionId` (when there is one).
 *
 * A refused completion gets an empty completion. `notifications/resources/updated`
 * reaches the client only for a URI covered by a subscription the guard allowed
 * whose read is allowed when the update is sent. Any other method is refused
 * (JSON-RPC error, `UNGUARDED_METHOD`) unless it is a list, `ping`,
 * `logging/setLevel`, a `tasks/*` method, `resources/unsubscribe` or named in
 * `unjudgedMethods`.
 *
 * Install it before or after registering tools, resources and prompts, before
 * or after connecting. It relies on the SDK's internal handler Map and throws a
 * TierguardError (`INVALID_OPTIONS`) when that is not as expected, when the
 * server is already guarded, or when an option is malformed.
 */
export function guardServer(server: McpServer | Server, engine: EngineSource, options: GuardServerOptions = {}): GuardHandle {
  checkGuardOptions(options);
  checkEngineSource(engine);
  const unjudged = new Set([...UNJUDGED_METHODS, ...(options.unjudgedMethods ?? [])]);
  const filtersLists = options.filterLists === true;
  const passes = (method: string): boolean =>
    unjudged.has(method) || (isListMethod(method) && !filtersLists && !(method === 'tools/list' && options.filterToolList === true));
  const subscriptions = new AllowedSubscriptions();
  const uninterceptRequests = interceptRequests(server, (method) => !passes(method), requestGuard(engine, options, subscriptions));
  let unfilterUpdates: () => void;
  try {
    unfilterUpdates = filterResourceUpdates(server, engine, subscriptions);
  } catch (error) {
    uninterceptRequests();
    throw error;
  }
  const unguard = (): void => {
    uninterceptRequests();
    unfilterUpdates();
  };
  return Object.freeze({ unguard });
}
