import { checkAction } from './action/check-action.js';
import type { CompiledPolicy } from './auto/compile-policy.js';
import { ToolIndex } from './auto/tool-index.js';
import { allowDecision, decide } from './effects/decide.js';
import { toEvaluationError } from './evaluation-error.js';
import { TierguardError } from './errors.js';
import type { Limits } from './limits.js';
import { resolveLimits } from './limits.js';
import type { CompiledFormalTier } from './formal/compile-formal.js';
import { compilePolicies } from './policy/compile-policies.js';
import { policySetVersion } from './policy/policy-version.js';
import type { Action, Decision, EvaluationError, OnError, PolicyDefinition, Violation } from './types.js';

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
}

/** A compiled policy set. Immutable: build a new engine to change policies. */
export interface Engine {
  /** Content hash of the policy set (`sha256:...`); every decision carries it. */
  readonly version: string;
  /** The ids of the compiled policies, in order. */
  readonly policyIds: readonly string[];
  /** The limits in force. */
  readonly limits: Limits;
  /** Evaluates every tier that applies: the auto tier, then the formal tier when a formal policy matches the tool. */
  evaluate(action: Action): Promise<Decision>;
  /** Evaluates the auto tier only, synchronously, for hot paths. */
  evaluateAuto(action: Action): Decision;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['policies', 'onError', 'limits', 'shortCircuit', 'sources']);
const ON_ERROR: ReadonlySet<string> = new Set(['deny', 'allow', 'throw']);

/**
 * Validates and compiles policies once: paths become getters, regexes RE2
 * objects, globs RE2 matchers, and policies are indexed by tool. Throws a
 * TierguardError (`INVALID_POLICY`, `INVALID_OPTIONS`) naming every problem.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  checkOptions(options);
  const limits = resolveLimits(options.limits);
  const policies = compilePolicies(options.policies, limits);
  // The formal tier (n3, rdf-validate-shacl) loads only for a policy set that
  // uses it: a user of the auto tier alone never pays for RDF.
  const needsFormal = policies.some(({ definition }) => definition.shape !== undefined || definition.shapesFile !== undefined);
  const formal = needsFormal
    ? await (await import('./formal/compile-formal.js')).compileFormalTier(policies, options.sources, limits)
    : undefined;
  return buildEngine(options, limits, policies, formal);
}

function buildEngine(
  options: EngineOptions,
  limits: Limits,
  policies: readonly CompiledPolicy[],
  formal: CompiledFormalTier | undefined,
): Engine {
  const onError = options.onError ?? 'deny';
  // With `throw`, `failed` throws before a verdict is needed; the fallback only satisfies the type.
  const verdictOnError = onError === 'throw' ? 'deny' : onError;
  // The hash covers the compiled copies: what was validated is what is versioned.
  const version = policySetVersion(
    policies.map((policy) => policy.definition),
    formal?.files,
  );
  const positionOf = new Map(policies.map((policy) => [policy.id, policy.index]));
  const index = new ToolIndex(policies);
  const formalTier = formal?.tier;
  const shortCircuit = options.shortCircuit ?? true;
  const allow = allowDecision(version);

  const failed = (thrown: unknown, policy?: CompiledPolicy): EvaluationError => {
    const { error, problem } = toEvaluationError(thrown, policy?.id);
    if (onError === 'throw') throw problem;
    return error;
  };

  // The auto tier's findings, or the decision for an action that cannot be evaluated at all.
  const runAuto = (action: Action): AutoFindings | Decision => {
    let tool: string;
    try {
      tool = checkAction(action, limits);
    } catch (error) {
      return decide([], [failed(error)], verdictOnError, version);
    }
    let violations: Violation[] | undefined;
    let errors: EvaluationError[] | undefined;
    for (const policy of index.lookup(tool)) {
      try {
        if (policy.satisfied(action)) continue;
        const explained = policy.explain(action, tool);
        // A getter may answer differently on the second read that explains a
        // failure; the policy still failed, so it still counts, never an allow.
        (violations ??= []).push(...(explained.length > 0 ? explained : [unexplained(policy, tool)]));
      } catch (error) {
        (errors ??= []).push(failed(error, policy));
      }
    }
    return { tool, violations, errors };
  };

  const evaluateAuto = (action: Action): Decision => {
    const found = runAuto(action);
    if ('verdict' in found) return found;
    if (found.violations === undefined && found.errors === undefined) return allow;
    return decide(found.violations ?? [], found.errors ?? [], verdictOnError, version);
  };

  const evaluate = async (action: Action): Promise<Decision> => {
    const found = runAuto(action);
    if ('verdict' in found) return found;
    const violations = found.violations ?? [];
    const errors = found.errors ?? [];
    const autoDenied = violations.some((violation) => violation.effect === 'deny');
    if (formalTier !== undefined && formalTier.covers(found.tool) && !(shortCircuit && autoDenied)) {
      const formalFound = await formalTier.evaluate(action, found.tool);
      for (const { error, problem } of formalFound.errors) {
        if (onError === 'throw') throw problem;
        errors.push(error);
      }
      if (formalFound.violations.length > 0) {
        violations.push(...formalFound.violations);
        // Policy order across both tiers (a stable sort keeps each policy's own order).
        violations.sort((left, right) => (positionOf.get(left.policyId) ?? 0) - (positionOf.get(right.policyId) ?? 0));
      }
    }
    if (violations.length === 0 && errors.length === 0) return allow;
    return decide(violations, errors, verdictOnError, version);
  };

  return Object.freeze({
    version,
    policyIds: Object.freeze(policies.map((policy) => policy.id)),
    limits,
    evaluateAuto,
    evaluate,
  });
}

function unexplained(policy: CompiledPolicy, tool: string): Violation {
  return {
    policyId: policy.id,
    tier: 'auto',
    constraint: 'assert',
    path: [],
    message: `${policy.id}: ${tool} did not satisfy the policy, and the action read differently when the failure was explained`,
    effect: policy.effect,
    severity: policy.effect === 'warn' ? 'warning' : 'violation',
  };
}

/** What the auto tier found for an action it could evaluate. */
interface AutoFindings {
  readonly tool: string;
  readonly violations: Violation[] | undefined;
  readonly errors: EvaluationError[] | undefined;
}

function checkOptions(options: EngineOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TierguardError('INVALID_OPTIONS', 'createEngine needs an options object with "policies"');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new TierguardError('INVALID_OPTIONS', `unknown option "${key}" (known: ${[...OPTION_KEYS].join(', ')})`, {
        option: key,
      });
    }
  }
  if (options.sources !== undefined && (!Array.isArray(options.sources) || options.sources.length !== (options.policies as unknown[] | undefined)?.length)) {
    throw new TierguardError('INVALID_OPTIONS', 'sources must list one file per policy, as loadPolicies returns', { option: 'sources' });
  }
  if (options.shortCircuit !== undefined && typeof options.shortCircuit !== 'boolean') {
    throw new TierguardError('INVALID_OPTIONS', 'shortCircuit must be a boolean', { option: 'shortCircuit' });
  }
  if (options.onError !== undefined && !ON_ERROR.has(options.onError)) {
    throw new TierguardError('INVALID_OPTIONS', `onError must be one of ${[...ON_ERROR].join(', ')}`, {
      option: 'onError',
      actual: options.onError,
    });
  }
}
