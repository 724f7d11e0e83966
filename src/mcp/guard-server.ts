import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { EngineSource } from './engine-source.js';
import type { GuardServerOptions } from './guard-options.js';
import { checkEngineSource, checkGuardOptions } from './guard-options.js';
import { requestGuard } from './guard-request.js';
import { interceptRequests } from './intercept-handlers.js';
import { LIST_METHODS } from './list-filter.js';

/** What `guardServer` returns. */
export interface GuardHandle {
  /** Removes the guard: handlers run unjudged again, and later registrations are no longer wrapped. Idempotent. */
  unguard(): void;
}

// initialize is in the Server's handlers from its constructor on, so a client's
// first request is judged too (a policy on tool "initialize" can refuse clients).
const GUARDED_METHODS = ['tools/call', 'resources/read', 'prompts/get', 'initialize'] as const;

/**
 * Puts a tierguard engine in front of an MCP server: every `tools/call`,
 * `resources/read`, `prompts/get` and `initialize` request becomes an action
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
 * Install it before or after registering tools, resources and prompts, before
 * or after connecting. It relies on the SDK's internal handler Map and throws a
 * TierguardError (`INVALID_OPTIONS`) when that is not as expected, when the
 * server is already guarded, or when an option is malformed.
 */
export function guardServer(server: McpServer | Server, engine: EngineSource, options: GuardServerOptions = {}): GuardHandle {
  checkGuardOptions(options);
  checkEngineSource(engine);
  const methods = new Set<string>(GUARDED_METHODS);
  if (options.filterToolList === true) methods.add('tools/list');
  if (options.filterLists === true) for (const method of LIST_METHODS) methods.add(method);
  const unguard = interceptRequests(server, methods, requestGuard(engine, options));
  return Object.freeze({ unguard });
}
