import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { TierguardError } from '../errors.js';
import { rejectUnknownOptions, requireOptionsObject } from '../check-options.js';
import type { Action, Decision } from '../types.js';
import type { EngineSource } from './engine-source.js';
import { isListMethod } from './list-filter.js';
import { isGuardedMethod } from './method-table.js';
import type { HandlerExtra } from './request-context.js';

/** The request a hook is asked about: its method, the raw JSON-RPC request and the SDK's handler extra. */
export interface GuardRequest {
  /** `tools/call`, `resources/read`, `resources/subscribe`, `prompts/get`, `completion/complete`, `initialize`, or a list method (`tools/list`, ...) when lists are filtered. */
  readonly method: string;
  /** The request as received, before the SDK parsed it. */
  readonly request: JSONRPCRequest;
  /**
   * What the SDK passes to handlers: `authInfo` (with the token, for your own
   * lookups; it never reaches the action), `sessionId`, `requestId`,
   * `requestInfo` (HTTP headers, as the client wrote them: not proof of anything), `signal`, ...
   */
  readonly extra: HandlerExtra;
}

/** Options of `guardServer`. Unknown keys are rejected. */
export interface GuardServerOptions {
  /**
   * How a refused `tools/call` is answered: `result` (default) as a tool error
   * result the model can read and act on; `error` as a JSON-RPC error with code
   * `TIERGUARD_DENIED`. Other methods, and task-augmented calls, always get the error.
   */
  readonly denyAs?: 'result' | 'error';
  /**
   * Asked when the verdict is `escalate`, with the action as proposed, the decision
   * and the request. Exactly `true` lets the request proceed (with the decision's
   * rewritten action); anything else, or a throw, refuses it. Without this hook
   * every escalation is refused, saying which policies ask for approval.
   */
  readonly onEscalate?: (action: Action, decision: Decision, request: GuardRequest) => boolean | Promise<boolean>;
  /**
   * Extra context for the policies, merged over the built-in `context` keys
   * (`authInfo`, `sessionId`, `requestId`, `headers`), e.g. the user's roles from
   * your own auth. It cannot set `auth`: `context.auth` is always what the
   * transport verified, so a hook that copies what the client sent cannot forge
   * it. If it throws or returns something that is not an object, the request is refused.
   */
  readonly context?: (request: GuardRequest) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Hide, in `tools/list`, the tools the caller can never be allowed to call
   * (default `false`). Each listed tool is probed as
   * `{ tool, kind: 'tools/call', arguments: {}, context }` with the list request's
   * context, and hidden only when an enforced `deny` policy refuses the probe at a
   * field outside `arguments` and none of that policy's paths (`when`, `require`,
   * `assert`, `rewrite`, `shape`) can reach `arguments`: a role rule on
   * `context.user.roles`, or a tool-level deny with no assertion. Bounds on
   * arguments, escalations, monitored policies and evaluation errors never hide a
   * tool; nor does a JSONPath that may descend anywhere, a closed shape or a
   * `shapesFile`. It assumes the caller's context is the same when it calls as when
   * it lists; a call to a hidden tool is still judged and refused. Probes are
   * audited with the label `method: 'tools/list'`. Without it (or `filterLists`)
   * `tools/list` lists every tool to every caller.
   */
  readonly filterToolList?: boolean;
  /**
   * Hide what the caller can never be allowed to use in every list (default
   * `false`): `tools/list` as `filterToolList` does, `prompts/list` by the same
   * rule (probed as `prompts/get` with `arguments: {}`), `resources/list` (each
   * resource probed as the read of its canonical URI, hidden when an enforced
   * `deny` policy refuses that read, or when its URI does not parse), and
   * `resources/templates/list` (a template hidden only when an enforced `deny`
   * policy that reads neither `tool` nor `arguments` refuses the read of its text
   * as a URI, e.g. `tools: ['secret://vault/**']` for `secret://vault/{name}`).
   * `nextCursor` is kept, so pagination goes on as the server pages. Probes are
   * audited with the list method as the `method` label. Without it, every list
   * (but `tools/list` under `filterToolList`) is passed on unfiltered.
   */
  readonly filterLists?: boolean;
  /**
   * Methods of your own (handlers you set for custom request schemas, or ones
   * your fallback handler serves) to pass on unjudged. Without this, every
   * method the guard neither judges, filters nor knows to be harmless (`ping`,
   * `logging/setLevel`, the `tasks/*` methods, `resources/unsubscribe`) is refused,
   * as the guard cannot tell what it reveals or does. The methods the guard judges
   * and the list methods cannot be named here.
   */
  readonly unjudgedMethods?: readonly string[];
  /** When the engine provider throws: `deny` (default, fail closed) refuses every guarded request; `allow` lets them through unguarded. */
  readonly onUnavailable?: 'deny' | 'allow';
}

/** The keys of {@link GuardServerOptions}, so an adapter that takes them among its own can tell them apart. */
export const GUARD_OPTION_KEYS: ReadonlySet<string> = new Set([
  'denyAs',
  'onEscalate',
  'context',
  'filterToolList',
  'filterLists',
  'unjudgedMethods',
  'onUnavailable',
]);

/** Rejects options `guardServer` would otherwise misread, naming the option. */
export function checkGuardOptions(options: GuardServerOptions): void {
  requireOptionsObject(options, 'guardServer');
  rejectUnknownOptions(options, GUARD_OPTION_KEYS);
  const { denyAs, onEscalate, context, filterToolList, filterLists, unjudgedMethods, onUnavailable } = options;
  checkUnjudgedMethods(unjudgedMethods);
  if (denyAs !== undefined && denyAs !== 'result' && denyAs !== 'error') {
    throw new TierguardError('INVALID_OPTIONS', 'denyAs must be "result" or "error"', { option: 'denyAs', actual: denyAs });
  }
  if (onUnavailable !== undefined && onUnavailable !== 'deny' && onUnavailable !== 'allow') {
    throw new TierguardError('INVALID_OPTIONS', 'onUnavailable must be "deny" or "allow"', {
      option: 'onUnavailable',
      actual: onUnavailable,
    });
  }
  for (const [name, hook] of [
    ['onEscalate', onEscalate],
    ['context', context],
  ] as const) {
    if (hook !== undefined && typeof hook !== 'function') {
      throw new TierguardError('INVALID_OPTIONS', `${name} must be a function`, { option: name });
    }
  }
  for (const [name, flag] of [
    ['filterToolList', filterToolList],
    ['filterLists', filterLists],
  ] as const) {
    if (flag !== undefined && typeof flag !== 'boolean') {
      throw new TierguardError('INVALID_OPTIONS', `${name} must be a boolean`, { option: name, actual: flag });
    }
  }
}

// Naming a judged or list method here would switch its guard off, so it is refused.
function checkUnjudgedMethods(methods: unknown): void {
  if (methods === undefined) return;
  if (!Array.isArray(methods) || !methods.every((method) => typeof method === 'string')) {
    throw new TierguardError('INVALID_OPTIONS', 'unjudgedMethods must be an array of method names', { option: 'unjudgedMethods' });
  }
  const guarded = methods.find((method) => isGuardedMethod(method) || isListMethod(method) || method === 'resources/unsubscribe');
  if (guarded !== undefined) {
    throw new TierguardError('INVALID_OPTIONS', `unjudgedMethods cannot name "${guarded}", which the guard judges`, {
      option: 'unjudgedMethods',
      actual: guarded,
    });
  }
}

/** Rejects what is neither an engine nor a function that provides one. */
export function checkEngineSource(source: EngineSource): void {
  if (typeof source === 'function') return;
  if (typeof source !== 'object' || source === null || typeof (source as Partial<{ evaluate: unknown }>).evaluate !== 'function') {
    throw new TierguardError(
      'INVALID_OPTIONS',
      'guardServer needs a tierguard engine or a function that returns one (e.g. () => watcher.engine)',
      {
        option: 'engine',
      },
    );
  }
}
