// Longer than most: one request's path through the guard (canonical form,
// judgement, escalation, handler, response policies, refusal), whose order is
// what makes it fail closed, kept in one file so it is read in order.
import { describeThrown } from '../describe-thrown.js';
import type { Engine, EvaluateOptions } from '../engine.js';
import { decidesSynchronously } from '../engine.js';
import { isTierguardError } from '../errors.js';
import { MAX_RESOURCE_SUBSCRIPTIONS } from '../limits.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { Action, Decision } from '../types.js';
import type { GuardDecisionSummary, GuardDenyReason, RefusalSite } from './decision-summary.js';
import { summariseDecision, summariseFailure } from './decision-summary.js';
import { GuardDeniedError, refuse } from './deny-response.js';
import type { EngineSource } from './engine-source.js';
import { engineNow } from './engine-source.js';
import type { GuardRequest, GuardServerOptions } from './guard-options.js';
import type { Interceptor } from './intercept-handlers.js';
import type { ListMethod } from './list-filter.js';
import { isListMethod, withoutForbiddenEntries } from './list-filter.js';
import { isGuardedMethod } from './method-table.js';
import { actionFromRequest, canonicalResourceRequest, forwardedRequest, isResourceMethod, paramsOf } from './request-action.js';
import type { AllowedSubscriptions } from './resource-subscriptions.js';
import { responsePoliciesSelect } from './response-policies.js';
import type { HandlerExtra } from './request-context.js';
import { canonicalResourceUri } from './resource-uri.js';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { callerContext } from './request-context.js';
import { resultProblem } from './result-schema.js';

/** Thrown inside the guard when a request is to be refused; caught at its top and turned into the refusal. */
class Refusal extends Error {
  constructor(readonly summary: GuardDecisionSummary) {
    super(summary.reason);
    this.name = 'Refusal';
  }
}

/**
 * The interceptor that judges each guarded request: resolve the engine (per
 * request, so a reloaded engine applies to the next one), build the action,
 * evaluate it, refuse or ask `onEscalate`, run the handler on the rewritten
 * request, then pass the result through the response policies and return the
 * sanitised result. Every evaluation is labelled with the method, the request id
 * and the session id. Nothing it does throws except the refusals meant as
 * JSON-RPC errors and what the real handler throws.
 */
export function requestGuard(source: EngineSource, options: GuardServerOptions, subscriptions: AllowedSubscriptions): Interceptor {
  const { onEscalate, context: contextHook } = options;
  const denyAsError = options.denyAs === 'error';
  const failOpen = options.onUnavailable === 'allow';

  const judge = async (
    method: string,
    received: JSONRPCRequest,
    extra: HandlerExtra,
    next: (request: JSONRPCRequest) => Promise<unknown>,
  ): Promise<unknown> => {
    // Judged and handed on in the form the server resolves, so no spelling of a URI slips past a policy on another.
    const request = isResourceMethod(method) ? canonicalResourceRequest(received) : received;
    if (request === undefined) {
      const unparsed: RefusalSite = { method, tool: toolOf(method, paramsOf(received)), phase: 'request' };
      const failure = { code: 'INVALID_ACTION', message: 'the resource URI is not a string that parses as an absolute URL' };
      return refuse(summariseFailure(unparsed, 'evaluation-failed', failure, null), false);
    }
    if (method === 'resources/unsubscribe') {
      // Dropping a subscription reveals nothing; it only has to name the URI the subscription was kept under.
      subscriptions.remove(paramsOf(request)['uri'] as string);
      return next(request);
    }
    if (!isGuardedMethod(method) && !isListMethod(method)) {
      // A method the guard has no action for could read or do anything: it is refused, not waved through.
      warn(
        `a ${JSON.stringify(method)} request is refused: the guard does not judge that method (name it in unjudgedMethods if it reveals and does nothing a policy guards)`,
      );
      const site: RefusalSite = { method, tool: null, phase: 'request' };
      const failure = {
        code: 'UNGUARDED_METHOD',
        message: `tierguard does not judge ${JSON.stringify(method)} requests, so it refuses them`,
      };
      return refuse(summariseFailure(site, 'evaluation-failed', failure, null), false);
    }
    const info: GuardRequest = { method, request, extra };
    const params = paramsOf(request);
    const site: RefusalSite = { method, tool: toolOf(method, params), phase: 'request' };
    // A refused tools/call is a tool error result the model can read, unless the
    // caller asked for a task (its client expects a CreateTaskResult) or for errors.
    const asResult = method === 'tools/call' && !denyAsError && params['task'] === undefined;

    let engine: Engine;
    try {
      // Awaited only when the provider answers with a promise: most give the engine itself.
      const resolved = engineNow(source);
      engine = resolved instanceof Promise ? await resolved : resolved;
    } catch (error) {
      warn(
        `the engine provider failed, so ${method} requests are ${failOpen ? 'let through unguarded' : 'refused'}: ${describeThrown(error)}`,
      );
      if (failOpen) return next(request);
      // An unfiltered list: with no policies nothing can be said to be forbidden, and every use is refused anyway.
      if (isListMethod(method)) return next(request);
      return refuse(
        summariseFailure(site, 'unavailable', { code: 'UNAVAILABLE', message: 'the policies are unavailable' }, null),
        asResult,
      );
    }
    const labels = labelsOf(method, extra);

    if (isListMethod(method)) return listed(method, await next(request), engine, info, labels, contextHook);

    try {
      // Without a hook, without an async engine and with an allow, nothing here waits: each await is a turn of the event loop's microtasks.
      const context = contextHook === undefined ? callerContext(extra) : await contextFor(info, contextHook);
      const guarded = method;
      const action = actionFromRequest(guarded, params, context);
      const decision = decidesSynchronously(engine)
        ? decidedNow(engine, action, labels, site)
        : await evaluated(() => engine.evaluate(action, labels), site, engine);
      if (decision.verdict !== 'allow') await admit(action, decision, info, site, onEscalate);

      // A task's result comes later, through tasks/result, where no response policy can reach it:
      // a call whose result a response policy must see is refused rather than run as a task.
      if (guarded === 'tools/call' && params['task'] !== undefined && responsePoliciesSelect(engine, decision.action.tool)) {
        throw new Refusal(
          summariseFailure(
            site,
            'evaluation-failed',
            {
              code: 'UNJUDGED_RESULT',
              message: 'response policies apply to this tool and cannot judge the result of a task; call it without a task',
            },
            engine.version,
          ),
        );
      }
      const forwarded = forwardedRequest(guarded, request, params, action, decision.action);
      if (forwarded === undefined) {
        throw new Refusal(
          summariseFailure(
            site,
            'evaluation-failed',
            {
              code: 'INVALID_REWRITE',
              message: `the policies' rewrites left ${method} without an "arguments.uri" that parses as an absolute URL`,
            },
            engine.version,
          ),
        );
      }
      const subscribing = guarded === 'resources/subscribe' ? (paramsOf(forwarded)['uri'] as string) : undefined;
      // Every kept subscription holds memory until unsubscribed: its place is taken before the handler runs, so
      // concurrent requests cannot all pass the bound; past it, a new one is refused, not kept.
      const place = subscribing === undefined ? undefined : subscriptions.reserve(subscribing, context, MAX_RESOURCE_SUBSCRIPTIONS);
      if (place === 'full') {
        throw new Refusal(
          summariseFailure(
            site,
            'evaluation-failed',
            {
              code: 'LIMIT_EXCEEDED',
              message: `this connection already holds ${MAX_RESOURCE_SUBSCRIPTIONS} resource subscriptions; unsubscribe from one first`,
            },
            engine.version,
          ),
        );
      }
      let result: unknown;
      try {
        result = await next(forwarded);
      } catch (error) {
        if (place === 'added' && subscribing !== undefined) subscriptions.remove(subscribing);
        throw error;
      }
      if (guarded === 'initialize') subscriptions.clear();
      if (subscribing !== undefined) subscriptions.add(subscribing, context);
      // initialize's result describes the server, not a tool's output; a task's result is a CreateTaskResult;
      // a subscription's is empty; a completion's only suggests (its ref was judged).
      if (guarded !== 'tools/call' && guarded !== 'resources/read' && guarded !== 'prompts/get') return result;
      // Only a tools/call becomes a task (its result is a CreateTaskResult); the SDK
      // accepts a `task` on a read or a prompt and answers it in full, so those are judged.
      if (guarded === 'tools/call' && params['task'] !== undefined) return result;
      // Most bundles judge requests only: their results pass as they are, without a
      // response decision (and its audit event) that could say nothing.
      if (!judgesResponses(engine)) return result;
      return await sanitised(result, decision.action, engine, labels, info, onEscalate);
    } catch (error) {
      if (error instanceof Refusal) return refuse(error.summary, asResult);
      throw error;
    }
  };

  const judgeCompletion = async (...args: Parameters<Interceptor>): Promise<unknown> => {
    // A refused completion suggests nothing, as a server with nothing to suggest answers, and the audit records why.
    try {
      return await judge(...args);
    } catch (error) {
      if (error instanceof GuardDeniedError) return EMPTY_COMPLETION;
      throw error;
    }
  };
  // Not an async wrapper: returning judge's promise from one would add turns to every request.
  return (method, received, extra, next) =>
    method === 'completion/complete' ? judgeCompletion(method, received, extra, next) : judge(method, received, extra, next);
}

/** What a refused `completion/complete` gets: no suggestions, the answer of a server that has none. */
const EMPTY_COMPLETION = Object.freeze({ completion: Object.freeze({ values: Object.freeze([]), hasMore: false }) });

/**
 * A list result without the entries the caller can never use. When the caller's
 * context cannot be had, the list stays whole: nothing can then be said to be
 * forbidden for good, and every use is refused on its own anyway.
 */
async function listed(
  method: ListMethod,
  result: unknown,
  engine: Engine,
  info: GuardRequest,
  labels: EvaluateOptions,
  hook: GuardServerOptions['context'],
): Promise<unknown> {
  let context: Record<string, unknown>;
  try {
    context = await contextFor(info, hook);
  } catch (error) {
    if (error instanceof Refusal) return result;
    throw error;
  }
  return withoutForbiddenEntries(method, result, engine, context, labels);
}

/** The tool the action will name, for messages: read the same way `actionFromRequest` reads it. */
function toolOf(method: string, params: Readonly<Record<string, unknown>>): unknown {
  if (method === 'initialize') return 'initialize';
  if (method === 'completion/complete') {
    const ref: unknown = params['ref'];
    if (typeof ref !== 'object' || ref === null) return undefined;
    const { name, uri } = ref as { name?: unknown; uri?: unknown };
    return (ref as { type?: unknown }).type === 'ref/resource' ? canonicalResourceUri(uri) : name;
  }
  return isResourceMethod(method) ? params['uri'] : params['name'];
}

function labelsOf(method: string, extra: HandlerExtra): EvaluateOptions {
  const labels: Record<string, string | number> = { method, requestId: extra.requestId };
  if (typeof extra.sessionId === 'string') labels['sessionId'] = extra.sessionId;
  return { labels };
}

/** The built-in context with the hook's keys merged over it, except `auth`, which stays the transport's. */
async function contextFor(info: GuardRequest, hook: GuardServerOptions['context']): Promise<Record<string, unknown>> {
  const context = callerContext(info.extra);
  if (hook === undefined) return context;
  let extra: unknown;
  try {
    extra = await hook(info);
  } catch (error) {
    warn(`the context hook threw, so the ${info.method} request is refused: ${describeThrown(error)}`);
    extra = undefined;
  }
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new Refusal(
      summariseFailure(
        { method: info.method, tool: toolOf(info.method, paramsOf(info.request)), phase: 'request' },
        'evaluation-failed',
        { code: 'CONTEXT_FAILED', message: "the guard's context hook did not provide a context object" },
        null,
      ),
    );
  }
  // `auth` is the transport's word alone: whatever the hook copied from the request cannot stand in for it.
  return { ...context, ...(extra as Record<string, unknown>), auth: context['auth'] };
}

/**
 * A decision, or a refusal when evaluation throws (`onError: 'throw'`, an audit
 * sink that fails): a decision that cannot be had never lets a request through.
 */
async function evaluated(evaluate: () => Promise<Decision>, site: RefusalSite, engine: Engine): Promise<Decision> {
  try {
    return await evaluate();
  } catch (error) {
    throw evaluationRefusal(error, site, engine);
  }
}

/** The refusal of a request whose evaluation threw, reported to the operator in full. */
function evaluationRefusal(error: unknown, site: RefusalSite, engine: Engine): Refusal {
  const code = isTierguardError(error) ? error.code : 'EVALUATION_FAILED';
  warn(`evaluating a ${site.method} request threw, so it is refused: ${describeThrown(error)}`);
  return new Refusal(summariseFailure(site, 'evaluation-failed', { code, message: `evaluation failed (${code})` }, engine.version));
}

/**
 * As {@link evaluated}, for an engine that {@link decidesSynchronously}: its
 * `evaluateAuto` is the decision `evaluate` would give, without the promise; a
 * throw is the same refusal.
 */
function decidedNow(engine: Engine, action: Action, labels: EvaluateOptions, site: RefusalSite): Decision {
  try {
    return engine.evaluateAuto(action, labels);
  } catch (error) {
    throw evaluationRefusal(error, site, engine);
  }
}

/** Returns when the decision lets the request (or its result) through; throws a Refusal otherwise. */
async function admit(
  action: Action,
  decision: Decision,
  info: GuardRequest,
  site: RefusalSite,
  onEscalate: GuardServerOptions['onEscalate'],
): Promise<void> {
  if (decision.verdict === 'allow') return;
  let reason: GuardDenyReason = 'denied';
  if (decision.verdict === 'escalate') {
    if (onEscalate === undefined) reason = 'approval-required';
    else if (await approved(action, decision, info, onEscalate)) return;
    else reason = 'approval-refused';
  }
  throw new Refusal(summariseDecision(site, reason, decision));
}

async function approved(
  action: Action,
  decision: Decision,
  info: GuardRequest,
  onEscalate: NonNullable<GuardServerOptions['onEscalate']>,
): Promise<boolean> {
  try {
    return (await onEscalate(action, decision, info)) === true;
  } catch (error) {
    warn(`onEscalate threw, so the ${info.method} request is refused: ${describeThrown(error)}`);
    return false;
  }
}

/**
 * The handler's result after the response policies: refused when they deny (or
 * escalate without approval), rewritten when they rewrite, and refused when a
 * rewrite made it invalid for the protocol.
 */
async function sanitised(
  result: unknown,
  action: Action,
  engine: Engine,
  labels: EvaluateOptions,
  info: GuardRequest,
  onEscalate: GuardServerOptions['onEscalate'],
): Promise<unknown> {
  const site: RefusalSite = { method: info.method, tool: action.tool, phase: 'response' };
  const decision = await evaluated(() => engine.evaluateResponse(action, result, labels), site, engine);
  await admit(decision.action, decision, info, site, onEscalate);
  const final = decision.action['result'];
  if (final === result) return result;
  const problem = resultProblem(info.method, final);
  if (problem === undefined) return final;
  const rewriters = [
    ...new Set(decision.rewrites.filter((rewrite) => rewrite.applied).map((rewrite) => JSON.stringify(rewrite.policyId))),
  ].join(', ');
  const summary = summariseDecision(site, 'invalid-result', decision);
  throw new Refusal({
    ...summary,
    errors: [...summary.errors, { code: 'INVALID_RESULT', message: `after rewrites by ${rewriters}, ${problem}` }],
  });
}

const respondingEngines = new WeakMap<Engine, boolean>();

/** True when the engine has response policies; worked out once per engine (engines are immutable). */
function judgesResponses(engine: Engine): boolean {
  let judges = respondingEngines.get(engine);
  if (judges === undefined) {
    judges = engine.definitions.some((definition) => definition.on === 'response');
    respondingEngines.set(engine, judges);
  }
  return judges;
}

// Failures the client is told little about are reported to the operator in full, never dropped;
// escaped, as they echo tool names and thrown messages that may come from the client.
function warn(message: string): void {
  process.emitWarning(escapeTerminalText(`tierguard guardServer: ${message}`), 'TierguardWarning');
}
