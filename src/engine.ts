import { checkAction } from './check-action.js';
import type { CompiledPolicy } from './policy/compile-policy.js';
import { buildAuditEvent } from './effects/audit-event.js';
import { allowDecision, decide } from './effects/decide.js';
import type { VerdictRules } from './effects/decide.js';
import { mergeInPolicyOrder } from './effects/policy-order.js';
import { describeThrown } from './describe-thrown.js';
import { toEvaluationError } from './evaluation-error.js';
import { AutoPass } from './auto/auto-pass.js';
import type { AutoFindings } from './auto/auto-pass.js';
import { TierguardError } from './errors.js';
import { rejectUnknownOptions } from './check-options.js';
import type { Limits } from './limits.js';
import { resolveLimits } from './limits.js';
import type { CompiledFormalTier } from './formal/compile-formal.js';
import { compilePolicies } from './policy/compile-policies.js';
import { policySetVersion } from './policy/policy-version.js';
import type { Action, AuditEvent, Decision, EvaluationError, Mode, OnError, Phase, PolicyDefinition, ValidationDecision, Violation } from './types.js';
import type { Artifact, EngineAdapter } from './engines/types.js';
import { compileEnforcement } from './enforcement/compile-enforcement.js';
import type { CompiledEnforcement } from './enforcement/compile-enforcement.js';
import { DEFAULT_ENGINE_NAMES } from './enforcement/default-adapters.js';
import { createValidator } from './enforcement/validator.js';
import type { ValidateOptions } from './enforcement/validator.js';

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

const OPTION_KEYS: ReadonlySet<string> = new Set(['policies', 'onError', 'limits', 'shortCircuit', 'sources', 'mode', 'onDecision', 'adapters']);
const MODES: ReadonlySet<string> = new Set(['enforce', 'monitor']);
const ON_ERROR: ReadonlySet<string> = new Set(['deny', 'allow', 'throw']);

/**
 * Validates and compiles policies once: paths become getters, regexes RE2
 * objects, globs RE2 matchers, and policies are indexed by tool. Throws a
 * TierguardError (`INVALID_POLICY`, `INVALID_OPTIONS`) naming every problem.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  checkOptions(options);
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

/** A decision with what the audit event needs besides it. */
interface Decided {
  readonly decision: Decision;
  /** The action's tool; `null` when the action was refused before it could be read. */
  readonly tool: string | null;
  /** Milliseconds spent in the formal tier; 0 when it did not run. */
  readonly formalMs: number;
}

function buildEngine(
  options: EngineOptions,
  limits: Limits,
  policies: readonly CompiledPolicy[],
  formal: CompiledFormalTier | undefined,
  enforcement: CompiledEnforcement,
  adapters: ReadonlyMap<string, EngineAdapter>,
): Engine {
  const onError = options.onError ?? 'deny';
  // With `throw`, `failed` throws before a verdict is needed; the fallback only satisfies the type.
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
  // A policy that only binds engines judges artifacts, never actions: it is left out of the action tiers.
  const judgingActions = policies.filter((policy) => !policy.parts.engineOnly);
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
  const positionOf = new Map(policies.map((policy) => [policy.id, policy.index]));
  const formalTier = formal?.tier;
  const shortCircuit = options.shortCircuit ?? true;
  const onDecision = options.onDecision;

  const failed = (thrown: unknown, policy?: CompiledPolicy): EvaluationError => {
    const { error, problem } = toEvaluationError(thrown, policy?.id);
    if (onError === 'throw') throw problem;
    return error;
  };

  // The auto pass's findings, or the decision for an action that cannot be evaluated at all.
  // Finding the policies for a tool can fail too: a tool name longer than a tool
  // glob may read within limits.maxRegexWork. That is an action nobody can judge,
  // decided like an unusable one, never an exception that skips onError and audit.
  const runAuto = (action: Action, pass: AutoPass): AutoFindings | Decision => {
    let tool: string;
    try {
      tool = checkAction(action, limits);
    } catch (error) {
      return decide({ violations: [], errors: [failed(error)], rewrites: [], action }, rules);
    }
    try {
      return pass.run(action, tool, failed);
    } catch (error) {
      // Under onError 'throw', what `failed` threw for a policy goes out as it is.
      if (onError === 'throw') throw error;
      return decide({ violations: [], errors: [failed(error)], rewrites: [], action }, rules);
    }
  };

  const conclude = (found: AutoFindings, violations: readonly Violation[], errors: readonly EvaluationError[]): Decision =>
    violations.length === 0 && errors.length === 0 && found.rewrites === undefined
      ? allowDecision(found.action, version)
      : decide({ violations, errors, rewrites: found.rewrites ?? [], action: found.action }, rules);

  const autoDecision = (action: Action, pass: AutoPass): Decision => {
    const found = runAuto(action, pass);
    return 'verdict' in found ? found : conclude(found, found.violations ?? [], found.errors ?? []);
  };

  // As autoDecision, with the tool kept for the audit event.
  const decideAuto = (action: Action, pass: AutoPass): Decided => {
    const found = runAuto(action, pass);
    if ('verdict' in found) return { decision: found, tool: null, formalMs: 0 };
    return { decision: conclude(found, found.violations ?? [], found.errors ?? []), tool: found.tool, formalMs: 0 };
  };

  const decideAll = async (action: Action, timed: boolean): Promise<Decided> => {
    const found = runAuto(action, requests);
    if ('verdict' in found) return { decision: found, tool: null, formalMs: 0 };
    const violations = found.violations ?? [];
    const errors = found.errors ?? [];
    let formalMs = 0;
    const autoDenied = violations.some((violation) => violation.effect === 'deny' && !isMonitored(violation.policyId));
    let covered = false;
    try {
      covered = formalTier?.covers(found.tool) ?? false;
    } catch (error) {
      // As in runAuto: formal policies that may apply and cannot be found are an error, not a pass.
      errors.push(failed(error));
    }
    if (formalTier !== undefined && covered && !(shortCircuit && autoDenied)) {
      const started = timed ? performance.now() : 0;
      // The formal tier judges the action as rewritten, like the auto tier's checks.
      const formalFound = await formalTier.evaluate(found.action, found.tool);
      if (timed) formalMs = performance.now() - started;
      for (const { error, problem } of formalFound.errors) {
        if (onError === 'throw') throw problem;
        errors.push(error);
      }
      // Policy order across both tiers, each policy's own order kept.
      mergeInPolicyOrder(violations, formalFound.violations, positionOf);
    }
    return { decision: conclude(found, violations, errors), tool: found.tool, formalMs };
  };

  const emit = (event: AuditEvent): void => {
    try {
      onDecision?.(event);
    } catch (error) {
      throw new TierguardError('AUDIT_FAILED', `onDecision threw, so the decision is withheld: ${describeThrown(error)}`, {}, { cause: error });
    }
  };

  // Audit: timings are taken only when someone listens, so the hot path pays nothing for them.
  const audited = (decided: Decided, phase: Phase, started: number, evaluateOptions: EvaluateOptions | undefined): Decision => {
    if (onDecision === undefined) return decided.decision;
    const total = performance.now() - started;
    emit(
      buildAuditEvent(decided.decision, {
        phase,
        tool: decided.tool,
        ...kindOf(decided.decision.action),
        durationMs: { auto: Math.max(0, total - decided.formalMs), formal: decided.formalMs, total },
        time: new Date(),
        ...(evaluateOptions?.labels === undefined ? {} : { labels: evaluateOptions.labels }),
      }),
    );
    return decided.decision;
  };

  // Engine time is all of an artifact's decision: neither action tier runs.
  const validate = createValidator({
    enforcement,
    policyIds: new Set(policies.map((policy) => policy.id)),
    adapters,
    rules,
    onError,
    ...(onDecision === undefined
      ? {}
      : {
          audit: (decision: Decision, tool: string, total: number, labels: EvaluateOptions['labels']) =>
            emit(
              buildAuditEvent(decision, {
                phase: 'request',
                tool,
                kind: 'artifact',
                durationMs: { auto: 0, formal: 0, total },
                time: new Date(),
                ...(labels === undefined ? {} : { labels }),
              }),
            ),
        }),
  });

  const evaluateAuto = (action: Action, evaluateOptions?: EvaluateOptions): Decision => {
    if (onDecision === undefined) return autoDecision(action, requests);
    const started = performance.now();
    return audited(decideAuto(action, requests), 'request', started, evaluateOptions);
  };

  const evaluate = async (action: Action, evaluateOptions?: EvaluateOptions): Promise<Decision> => {
    if (onDecision === undefined) return (await decideAll(action, false)).decision;
    const started = performance.now();
    return audited(await decideAll(action, true), 'request', started, evaluateOptions);
  };

  const evaluateResponse = async (action: Action, result: unknown, evaluateOptions?: EvaluateOptions): Promise<Decision> => {
    const started = onDecision === undefined ? 0 : performance.now();
    let decided: Decided;
    let withResult: Action;
    try {
      withResult = withResultOf(action, result);
    } catch (error) {
      decided = { decision: decide({ violations: [], errors: [failed(error)], rewrites: [], action }, rules), tool: null, formalMs: 0 };
      return audited(decided, 'response', started, evaluateOptions);
    }
    decided = hasResponsePolicies ? decideAuto(withResult, responses) : { decision: allowDecision(withResult, version), tool: null, formalMs: 0 };
    return audited(decided, 'response', started, evaluateOptions);
  };

  return Object.freeze({
    version,
    policyIds: Object.freeze(policies.map((policy) => policy.id)),
    definitions: Object.freeze(policies.map((policy) => policy.definition)),
    limits,
    mode,
    evaluateAuto,
    evaluate,
    evaluateResponse,
    validate,
  });
}

/** The adapters given to createEngine, by name; a duplicate name or a malformed adapter is `INVALID_OPTIONS`. */
function adaptersByName(adapters: readonly EngineAdapter[] | undefined): ReadonlyMap<string, EngineAdapter> {
  const byName = new Map<string, EngineAdapter>();
  if (adapters === undefined) return byName;
  if (!Array.isArray(adapters)) throw new TierguardError('INVALID_OPTIONS', 'adapters must be an array of engine adapters', { option: 'adapters' });
  adapters.forEach((adapter: unknown, index) => {
    const candidate = typeof adapter === 'object' && adapter !== null ? (adapter as Partial<EngineAdapter>) : undefined;
    const name = candidate?.name;
    if (candidate === undefined || typeof name !== 'string' || name.length === 0 || typeof candidate.evaluate !== 'function' || typeof candidate.available !== 'function') {
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

/** The action's `kind`, for the audit event, when it is an own string property. */
function kindOf(action: Action): { kind?: string } {
  try {
    const kind = typeof action === 'object' && action !== null && Object.hasOwn(action, 'kind') ? action.kind : undefined;
    return typeof kind === 'string' ? { kind } : {};
  } catch {
    return {};
  }
}


function checkOptions(options: EngineOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TierguardError('INVALID_OPTIONS', 'createEngine needs an options object with "policies"');
  }
  rejectUnknownOptions(options, OPTION_KEYS);
  if (options.sources !== undefined && (!Array.isArray(options.sources) || options.sources.length !== (options.policies as unknown[] | undefined)?.length)) {
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
