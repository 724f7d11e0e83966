import { checkAction } from './action/check-action.js';
import type { CompiledPolicy } from './auto/compile-policy.js';
import { ToolIndex } from './auto/tool-index.js';
import { allowDecision, decide } from './effects/decide.js';
import { TierguardError } from './errors.js';
import type { Limits } from './limits.js';
import { resolveLimits } from './limits.js';
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
}

/** A compiled policy set. Immutable: build a new engine to change policies. */
export interface Engine {
  /** Content hash of the policy set (`sha256:...`); every decision carries it. */
  readonly version: string;
  /** The ids of the compiled policies, in order. */
  readonly policyIds: readonly string[];
  /** The limits in force. */
  readonly limits: Limits;
  /** Evaluates every tier that applies to the action. */
  evaluate(action: Action): Promise<Decision>;
  /** Evaluates the auto tier only, synchronously, for hot paths. */
  evaluateAuto(action: Action): Decision;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['policies', 'onError', 'limits']);
const ON_ERROR: ReadonlySet<string> = new Set(['deny', 'allow', 'throw']);

/**
 * Validates and compiles policies once: paths become getters, regexes RE2
 * objects, globs RE2 matchers, and policies are indexed by tool. Throws a
 * TierguardError (`INVALID_POLICY`, `INVALID_OPTIONS`) naming every problem.
 */
// Async although compilation is synchronous today: the formal tier loads shapes
// from files, and a signature that changes later breaks every caller.
export async function createEngine(options: EngineOptions): Promise<Engine> {
  return buildEngine(options);
}

function buildEngine(options: EngineOptions): Engine {
  checkOptions(options);
  const limits = resolveLimits(options.limits);
  const onError = options.onError ?? 'deny';
  // With `throw`, `failed` throws before a verdict is needed; the fallback only satisfies the type.
  const verdictOnError = onError === 'throw' ? 'deny' : onError;
  const policies = compilePolicies(options.policies, limits);
  const version = policySetVersion(options.policies);
  const index = new ToolIndex(policies);
  const allow = allowDecision(version);

  const failed = (error: unknown, policy?: CompiledPolicy): EvaluationError => {
    const problem =
      error instanceof TierguardError && (error.code === 'LIMIT_EXCEEDED' || error.code === 'INVALID_ACTION')
        ? error
        : new TierguardError('EVALUATION_FAILED', `evaluation threw: ${describeThrown(error)}`, {}, { cause: error });
    if (onError === 'throw') throw problem;
    const code = problem.code as EvaluationError['code'];
    const where = policy === undefined ? '' : `policy "${policy.id}": `;
    return policy === undefined
      ? { code, message: problem.message }
      : { code, message: `${where}${problem.message}`, policyId: policy.id };
  };

  const evaluateAuto = (action: Action): Decision => {
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
        (violations ??= []).push(...policy.explain(action, tool));
      } catch (error) {
        (errors ??= []).push(failed(error, policy));
      }
    }
    if (violations === undefined && errors === undefined) return allow;
    return decide(violations ?? [], errors ?? [], verdictOnError, version);
  };

  return Object.freeze({
    version,
    policyIds: Object.freeze(policies.map((policy) => policy.id)),
    limits,
    evaluateAuto,
    evaluate: async (action: Action) => evaluateAuto(action),
  });
}

// What was thrown, in words, without trusting it: a hostile getter can throw a
// null-prototype object, or an Error whose `message` getter throws in turn.
function describeThrown(thrown: unknown): string {
  try {
    if (thrown instanceof Error && typeof thrown.message === 'string') return thrown.message;
    return String(thrown);
  } catch {
    return 'a value that cannot be described';
  }
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
  if (options.onError !== undefined && !ON_ERROR.has(options.onError)) {
    throw new TierguardError('INVALID_OPTIONS', `onError must be one of ${[...ON_ERROR].join(', ')}`, {
      option: 'onError',
      actual: options.onError,
    });
  }
}
