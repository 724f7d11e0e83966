import type { Decided } from './action-pipeline.js';
import { ActionPipeline } from './action-pipeline.js';
import { DecisionAudit } from './decision-audit.js';
import type { CompiledPolicy } from './policy/compile-policy.js';
import { allowDecision } from './effects/decide.js';
import type { VerdictRules } from './effects/decide.js';
import { AutoPass } from './auto/auto-pass.js';
import { TierguardError } from './errors.js';
import { rejectUnknownOptions } from './check-options.js';
import type { Limits } from './limits.js';
import { resolveLimits } from './limits.js';
import type { CompiledFormalTier } from './formal/compile-formal.js';
import { compilePolicies } from './policy/compile-policies.js';
import { withDefinitionSources } from './policy/definition-sources.js';
import { policySetVersion } from './policy/policy-version.js';
import type { Action, AuditEvent, Decision, Mode, OnError, PolicyDefinition, ValidationDecision } from './types.js';
import type { Artifact, EngineAdapter } from './engines/types.js';
import { compileEnforcement } from './enforcement/compile-enforcement.js';
import type { CompiledEnforcement } from './enforcement/compile-enforcement.js';
import { DEFAULT_ENGINE_NAMES } from './enforcement/default-adapters.js';
import { createValidator } from './enforcement/validator.js';
import type { ValidateOptions } from './enforcement/validator.js';
import { ActionExplainer } from './explain/explain-action.js';
import type { Explanation } from './explain/explanation.js';

/** Options of {@link createEngine}. Unknown keys are rejected. */
export interface EngineOptions {
  /** The policy definitions, as parsed from JSON; validated and compiled once. */
  readonly policies: readonly PolicyDefinition[];
  /** When a policy cannot be evaluated: `deny` (default, fail closed), `allow` (fail open), or `throw`. */
  readonly onError?: OnError;
  /** Overrides for {@link DEFAULT_LIMITS}. */
  readonly limits?: Partial<Limits>;
  /** Skip the formal tier when the auto tier already denied (default `true`). */
  readonly shortCircuit?: boolean;
  /** The file each policy came from (as `loadPolicies` returns), to resolve `shapesFile` paths. */
  readonly sources?: readonly string[];
  /** `enforce` (default) honours each policy's own `mode`; `monitor` monitors every policy: nothing blocks. */
  readonly mode?: Mode;
  /**
   * Receives one audit event per decision, synchronously, before the decision is
   * returned. If it throws, the evaluation throws `AUDIT_FAILED`: a decision that
   * cannot be audited is not handed out.
   */
  readonly onDecision?: (event: AuditEvent) => void;
  /**
   * Enforcement-engine adapters, each used for the bindings that name it
   * (`enforcement[].engine`); names must be unique. An engine not given here
   * gets its default adapter (`opa`, `conftest`, `checkov`, `semgrep`), loaded
   * on first use; a binding naming any other engine is `INVALID_POLICY`.
   */
  readonly adapters?: readonly EngineAdapter[];
}

/** Per-call options of the evaluate methods. */
export interface EvaluateOptions {
  /** Copied into the audit event's `labels` (e.g. the MCP method and request id). */
  readonly labels?: Readonly<Record<string, string | number | boolean | null>>;
}

/** A compiled policy set. Immutable: build a new engine to change policies. */
export interface Engine {
  /** Content hash of the policy set (`sha256:...`); every decision carries it. */
  readonly version: string;
  /** The ids of the compiled policies, in order. */
  readonly policyIds: readonly string[];
  /** The compiled definitions (frozen copies), in order, for listing and describing the policy set. */
  readonly definitions: readonly PolicyDefinition[];
  /** The limits in force. */
  readonly limits: Limits;
  /** The engine's mode; in `monitor` no decision blocks. */
  readonly mode: Mode;
  /**
   * Evaluates the request policies: rewrites, then the auto tier, then the formal
   * tier when a formal policy matches the tool. `decision.action` is the rewritten action.
   */
  evaluate(action: Action, options?: EvaluateOptions): Promise<Decision>;
  /** Rewrites and the auto tier only, synchronously, for hot paths. */
  evaluateAuto(action: Action, options?: EvaluateOptions): Decision;
  /**
   * Evaluates the response policies (`"on": "response"`) over a tool's result,
   * after the tool ran: the action is judged as `{ ...action, result }`, and
   * `decision.action.result` is the result after response rewrites (for example
   * sanitised output). With no response policies the result passes unchanged.
   */
  evaluateResponse(action: Action, result: unknown, options?: EvaluateOptions): Promise<Decision>;
  /**
   * Explains what `evaluate` decides about an action: for every policy, whether
   * its tools and `when` select the action, each check with the value it read,
   * its operator and operand and the outcome, the rewrites, the formal tier's
   * findings, and the bindings `evaluate` never runs; then the decision, exactly
   * as `evaluate` gives it. Values from the action are bounded and redacted as in
   * an audit event. Emits no audit event: it is for people, not for running actions.
   */
  explain(action: Action): Promise<Explanation>;
  /**
   * Validates an artifact (a file, or content in memory) with the enforcement
   * engines the policies bind: every binding of the selected policies runs (by
   * default the policies whose `artifacts` patterns select the artifact, or that
   * have none; `options.policies` names them instead), and the verdicts combine
   * (error > fail > pass) into a decision. When no policy selects the artifact,
   * the result is `pass` with no engine run. An engine that
   * cannot answer is an error of its policy, so the verdict follows `onError`
   * (deny by default). Never runs the auto or formal tier.
   *
   * @throws {TierguardError} `INVALID_OPTIONS` for an unknown policy id, or a selected policy without enforcement.
   */
  validate(artifact: Artifact, options?: ValidateOptions): Promise<ValidationDecision>;
}

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'policies',
  'onError',
  'limits',
  'shortCircuit',
  'sources',
  'mode',
  'onDecision',
  'adapters',
]);
const MODES: ReadonlySet<string> = new Set(['enforce', 'monitor']);
const ON_ERROR: ReadonlySet<string> = new Set(['deny', 'allow', 'throw']);

/**
 * Validates and compiles policies once: paths become getters, regexes RE2
 * objects, globs RE2 matchers, and policies are indexed by tool. Throws a
 * TierguardError (`INVALID_POLICY`, `INVALID_OPTIONS`) naming every problem.
 * An `INVALID_POLICY` names the file of each invalid policy (in its message and
 * `details.files`) when the definitions came from `loadPolicies`, which
 * remembers each one's file, or when `sources` is given.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  checkOptions(options);
  try {
    return await compileEngine(options);
  } catch (error) {
    throw withDefinitionSources(error, options.policies, options.sources);
  }
}

/** {@link createEngine} once its options are checked. */
async function compileEngine(options: EngineOptions): Promise<Engine> {
  const adapters = adaptersByName(options.adapters);
  const limits = resolveLimits(options.limits);
  const policies = compilePolicies(options.policies, limits);
  // The formal tier (n3, rdf-validate-shacl) loads only for a policy set that
  // uses it: a user of the auto tier alone never pays for RDF.
  const needsFormal = policies.some(({ parts }) => parts.formal.length > 0);
  const formal = needsFormal
    ? await (await import('./formal/compile-formal.js')).compileFormalTier(policies, options.sources, limits)
    : undefined;
  const engines = new Set([...DEFAULT_ENGINE_NAMES, ...adapters.keys()]);
  const enforcement = await compileEnforcement(policies, options.sources, engines, limits);
  return buildEngine(options, limits, policies, formal, enforcement, adapters);
}

/**
 * The wiring: the options and the compiled parts become the verdict rules, one
 * auto pass per phase, the action pipeline, the audit wrapper (only when someone
 * listens) and the validator, and the engine's methods put them together.
 */
function buildEngine(
  options: EngineOptions,
  limits: Limits,
  policies: readonly CompiledPolicy[],
  formal: CompiledFormalTier | undefined,
  enforcement: CompiledEnforcement,
  adapters: ReadonlyMap<string, EngineAdapter>,
): Engine {
  const onError = options.onError ?? 'deny';
  // With `throw`, a failure throws before a verdict is needed; the fallback only satisfies the type.
  const verdictOnError = onError === 'throw' ? 'deny' : onError;
  // The hash covers the compiled copies: what was validated is what is versioned.
  const version = policySetVersion(
    policies.map((policy) => policy.definition),
    { ...formal?.files, ...enforcement.files },
  );
  const mode = options.mode ?? 'enforce';
  const monitored = new Set(policies.filter((policy) => policy.definition.mode === 'monitor').map((policy) => policy.id));
  const isMonitored = mode === 'monitor' ? () => true : (policyId: string | undefined) => policyId !== undefined && monitored.has(policyId);
  const rules: VerdictRules = { onError: verdictOnError, policyVersion: version, isMonitored };
  // A policy that only binds engines judges artifacts, never actions, and an
  // advisory one judges nothing: both are left out of the action tiers.
  const judgingActions = policies.filter((policy) => !policy.parts.engineOnly && !policy.parts.advisory);
  const requests = new AutoPass(
    judgingActions.filter((policy) => (policy.phase ?? 'request') === 'request'),
    isMonitored,
    limits,
  );
  const responses = new AutoPass(
    judgingActions.filter((policy) => policy.phase === 'response'),
    isMonitored,
    limits,
  );
  const hasResponsePolicies = judgingActions.some((policy) => policy.phase === 'response');
  const pipeline = new ActionPipeline({
    limits,
    rules,
    onError,
    formalTier: formal?.tier,
    shortCircuit: options.shortCircuit ?? true,
    positionOf: new Map(policies.map((policy) => [policy.id, policy.index])),
  });
  // Timings are taken and events built only when someone listens, so the hot path pays nothing for them.
  const audit = options.onDecision === undefined ? undefined : new DecisionAudit(options.onDecision);

  const validate = createValidator({
    enforcement,
    policyIds: new Set(policies.map((policy) => policy.id)),
    adapters,
    rules,
    onError,
    ...(audit === undefined ? {} : { audit: audit.artifact.bind(audit) }),
  });

  const evaluateAuto = (action: Action, evaluateOptions?: EvaluateOptions): Decision => {
    if (audit === undefined) return pipeline.autoDecision(action, requests);
    const started = performance.now();
    return audit.action(pipeline.auto(action, requests), 'request', started, evaluateOptions?.labels);
  };

  const evaluate = async (action: Action, evaluateOptions?: EvaluateOptions): Promise<Decision> => {
    if (audit === undefined) return (await pipeline.full(action, requests, false)).decision;
    const started = performance.now();
    return audit.action(await pipeline.full(action, requests, true), 'request', started, evaluateOptions?.labels);
  };

  const evaluateResponse = async (action: Action, result: unknown, evaluateOptions?: EvaluateOptions): Promise<Decision> => {
    const started = audit === undefined ? 0 : performance.now();
    let withResult: Action;
    try {
      withResult = withResultOf(action, result);
    } catch (error) {
      const refused = pipeline.refused(error, action);
      return audit === undefined ? refused.decision : audit.action(refused, 'response', started, evaluateOptions?.labels);
    }
    const decided: Decided = hasResponsePolicies
      ? pipeline.auto(withResult, responses)
      : { decision: allowDecision(withResult, version), tool: null, formalMs: 0 };
    return audit === undefined ? decided.decision : audit.action(decided, 'response', started, evaluateOptions?.labels);
  };

  // Built on the first explanation: an engine that never explains compiles nothing for it.
  let explainer: ActionExplainer | undefined;
  const explain = async (action: Action): Promise<Explanation> => {
    // What evaluate decides, without the audit event evaluate would emit.
    const { decision } = await pipeline.full(action, requests, false);
    explainer ??= new ActionExplainer({
      definitions: policies.map((policy) => policy.definition),
      limits,
      isMonitored,
      mode,
      shortCircuit: options.shortCircuit ?? true,
    });
    return explainer.explain(action, decision);
  };

  const engine: Engine = Object.freeze({
    version,
    policyIds: Object.freeze(policies.map((policy) => policy.id)),
    definitions: Object.freeze(policies.map((policy) => policy.definition)),
    limits,
    mode,
    evaluateAuto,
    evaluate,
    evaluateResponse,
    explain,
    validate,
  });
  if (formal === undefined) autoOnly.add(engine);
  return engine;
}

// Without a formal tier, `evaluate` is `evaluateAuto` behind a promise: the same decision and audit event.
const autoOnly = new WeakSet<Engine>();

/**
 * True for an engine made by {@link createEngine} with no formal tier, whose
 * `evaluateAuto` gives exactly what `evaluate` would (decision, audit event,
 * errors, thrown rather than rejected), so a hot path may skip the promise. False
 * for any other object, such as a copy or a wrapper of an engine.
 */
export function decidesSynchronously(engine: Engine): boolean {
  return autoOnly.has(engine);
}

/** The adapters given to createEngine, by name; a duplicate name or a malformed adapter is `INVALID_OPTIONS`. */
function adaptersByName(adapters: readonly EngineAdapter[] | undefined): ReadonlyMap<string, EngineAdapter> {
  const byName = new Map<string, EngineAdapter>();
  if (adapters === undefined) return byName;
  if (!Array.isArray(adapters))
    throw new TierguardError('INVALID_OPTIONS', 'adapters must be an array of engine adapters', { option: 'adapters' });
  adapters.forEach((adapter: unknown, index) => {
    const candidate = typeof adapter === 'object' && adapter !== null ? (adapter as Partial<EngineAdapter>) : undefined;
    const name = candidate?.name;
    if (
      candidate === undefined ||
      typeof name !== 'string' ||
      name.length === 0 ||
      typeof candidate.evaluate !== 'function' ||
      typeof candidate.available !== 'function'
    ) {
      throw new TierguardError('INVALID_OPTIONS', `adapters[${index}] is not an engine adapter (a name, available() and evaluate())`, {
        option: `adapters[${index}]`,
      });
    }
    if (byName.has(name)) {
      throw new TierguardError('INVALID_OPTIONS', `adapters[${index}] is a second adapter named "${name}": each engine takes one adapter`, {
        option: `adapters[${index}]`,
        actual: name,
      });
    }
    byName.set(name, candidate as EngineAdapter);
  });
  return byName;
}

/** The response as policies see it: the request action with the tool's result under `result`. */
function withResultOf(action: Action, result: unknown): Action {
  if (typeof action !== 'object' || action === null || Array.isArray(action)) {
    throw new TierguardError('INVALID_ACTION', 'evaluateResponse needs the action the result answers: a JSON object with a string "tool"');
  }
  // A copy, so the caller's action is not mutated; `result` is defined as an own
  // data property even if the action has a `result` setter somewhere up its chain.
  const copy: Record<string, unknown> = { ...action };
  Object.defineProperty(copy, 'result', { value: result, enumerable: true, writable: true, configurable: true });
  return copy as Action;
}

function checkOptions(options: EngineOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TierguardError('INVALID_OPTIONS', 'createEngine needs an options object with "policies"');
  }
  rejectUnknownOptions(options, OPTION_KEYS);
  if (
    options.sources !== undefined &&
    (!Array.isArray(options.sources) || options.sources.length !== (options.policies as unknown[] | undefined)?.length)
  ) {
    throw new TierguardError('INVALID_OPTIONS', 'sources must list one file per policy, as loadPolicies returns', { option: 'sources' });
  }
  if (options.shortCircuit !== undefined && typeof options.shortCircuit !== 'boolean') {
    throw new TierguardError('INVALID_OPTIONS', 'shortCircuit must be a boolean', { option: 'shortCircuit' });
  }
  if (options.onDecision !== undefined && typeof options.onDecision !== 'function') {
    throw new TierguardError('INVALID_OPTIONS', 'onDecision must be a function that receives each audit event', { option: 'onDecision' });
  }
  if (options.mode !== undefined && !MODES.has(options.mode)) {
    throw new TierguardError('INVALID_OPTIONS', `mode must be one of ${[...MODES].join(', ')}`, { option: 'mode', actual: options.mode });
  }
  if (options.onError !== undefined && !ON_ERROR.has(options.onError)) {
    throw new TierguardError('INVALID_OPTIONS', `onError must be one of ${[...ON_ERROR].join(', ')}`, {
      option: 'onError',
      actual: options.onError,
    });
  }
}
