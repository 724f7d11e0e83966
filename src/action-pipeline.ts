import { checkAction } from './check-action.js';
import type { CompiledPolicy } from './policy/compile-policy.js';
import { allowDecision, decide } from './effects/decide.js';
import { mergeInPolicyOrder } from './effects/policy-order.js';
import type { VerdictRules } from './effects/decide.js';
import { toEvaluationError } from './evaluation-error.js';
import { TierguardError } from './errors.js';
import type { AutoPass } from './auto/auto-pass.js';
import type { Limits } from './limits.js';
import type { FormalTier } from './formal/formal-tier.js';
import type { Action, Decision, EvaluationError, OnError, Rewrite, Violation } from './types.js';

/** A decision with what the audit event needs besides it: what every evaluation of an action ends with. */
export interface Decided {
  readonly decision: Decision;
  /** The action's tool; `null` when the action was refused before it could be read. */
  readonly tool: string | null;
  /** Milliseconds spent in the formal tier; 0 when it did not run. */
  readonly formalMs: number;
}

/** What the engine fixes once for every evaluation of an action. */
export interface PipelineParts {
  readonly limits: Limits;
  readonly rules: VerdictRules;
  readonly onError: OnError;
  /** The formal tier, when some policy has a formal part. */
  readonly formalTier: FormalTier | undefined;
  /** Skip the formal tier when the auto tier already denied. */
  readonly shortCircuit: boolean;
  /** Each policy's position in the set, to keep violations of both tiers in policy order. */
  readonly positionOf: ReadonlyMap<string, number>;
}

/**
 * What the stages found so far for one action: the one shape every stage takes
 * and hands on. `tool` is `null` for an action refused before it could be read
 * (its problem is in `errors`), so later stages leave it alone. The lists are
 * `undefined` when empty, so an allowed action allocates none.
 */
interface Found {
  readonly tool: string | null;
  /** The action after the applied rewrites. */
  readonly action: Action;
  readonly violations: Violation[] | undefined;
  readonly errors: EvaluationError[] | undefined;
  readonly rewrites: Rewrite[] | undefined;
}

/**
 * The evaluation of one action: the action check, the auto pass (rewrites, then
 * the checks over the rewritten action), the formal tier when a formal policy
 * covers the tool, then the verdict. Every way through ends in a {@link Decided};
 * an action nobody can judge is decided like one a policy could not evaluate
 * (by `onError`), never an exception that skips `onError` and audit.
 */
export class ActionPipeline {
  constructor(private readonly parts: PipelineParts) {}

  /** How a policy's (or the action's) failure is reported: as an error, or thrown under `onError: 'throw'`. */
  private readonly failed = (thrown: unknown, policy?: CompiledPolicy): EvaluationError => {
    const { error, problem } = toEvaluationError(thrown, policy?.id);
    if (this.parts.onError === 'throw') throw problem;
    return error;
  };

  /**
   * Rewrites and the auto tier only, synchronously. A formal policy that
   * applies is not evaluated, and is reported as such (an error, so the
   * verdict follows `onError`), never taken to pass.
   */
  auto(action: Action, pass: AutoPass): Decided {
    return this.concluded(this.withoutFormal(this.autoStage(action, pass)), 0);
  }

  /** As {@link ActionPipeline.auto}, the decision alone: what `evaluateAuto` returns when nobody audits, without a wrapper to allocate. */
  autoDecision(action: Action, pass: AutoPass): Decision {
    return this.decisionOf(this.withoutFormal(this.autoStage(action, pass)));
  }

  /** Rewrites, the auto tier, then the formal tier; `timed` measures the formal tier (for the audit event). */
  async full(action: Action, pass: AutoPass, timed: boolean): Promise<Decided> {
    const found = this.autoStage(action, pass);
    const formalTier = this.parts.formalTier;
    if (found.tool === null || formalTier === undefined) return this.concluded(found, 0);
    return this.formalStage(found, found.tool, formalTier, timed);
  }

  /** The decision for an action that cannot be evaluated at all, for the reason `thrown`. */
  refused(thrown: unknown, action: Action): Decided {
    return this.concluded(refusal(action, this.failed(thrown)), 0);
  }

  /**
   * The action check and the auto pass. Finding the policies for a tool can fail
   * too: a tool name longer than a tool glob may read within limits.maxRegexWork.
   */
  private autoStage(action: Action, pass: AutoPass): Found {
    let tool: string;
    try {
      tool = checkAction(action, this.parts.limits);
    } catch (error) {
      return refusal(action, this.failed(error));
    }
    try {
      return pass.run(action, tool, this.failed);
    } catch (error) {
      // Under onError 'throw', what `failed` threw for a policy goes out as it is.
      if (this.parts.onError === 'throw') throw error;
      return refusal(action, this.failed(error));
    }
  }

  // The auto tier alone cannot judge a shape: each formal policy that applies is
  // an error, unless the auto tier denied already and would skip the formal tier
  // in evaluate too (shortCircuit). A set without formal policies pays nothing.
  private withoutFormal(found: Found): Found {
    const formalTier = this.parts.formalTier;
    if (formalTier === undefined || found.tool === null) return found;
    if (this.parts.shortCircuit && this.autoDenied(found.violations ?? [])) return found;
    const unjudged = formalTier.applicable(found.action, found.tool);
    if (unjudged.length === 0) return found;
    const errors = [...(found.errors ?? [])];
    for (const policy of unjudged) {
      const message = `policy "${policy.id}": evaluateAuto does not run the formal tier, and this policy's checks include ${policy.parts.formal.join(' and ')}: use evaluate`;
      if (this.parts.onError === 'throw') throw new TierguardError('EVALUATION_FAILED', message, { policyId: policy.id });
      errors.push({ code: 'EVALUATION_FAILED', message, policyId: policy.id });
    }
    return { ...found, errors };
  }

  private autoDenied(violations: readonly Violation[]): boolean {
    return violations.some((violation) => violation.effect === 'deny' && !this.parts.rules.isMonitored(violation.policyId));
  }

  /**
   * The formal stage. Deciding that it does not run (no formal policy covers the
   * tool, or the auto tier already denied) takes no await, so an action the
   * formal tier does not cover pays no promise for it.
   */
  private formalStage(found: Found, tool: string, formalTier: FormalTier, timed: boolean): Decided | Promise<Decided> {
    let covered: boolean;
    try {
      covered = formalTier.covers(tool);
    } catch (error) {
      // As in the auto stage: formal policies that may apply and cannot be found are an error, not a pass.
      return this.concluded({ ...found, errors: [...(found.errors ?? []), this.failed(error)] }, 0);
    }
    if (!covered || (this.parts.shortCircuit && this.autoDenied(found.violations ?? NONE))) return this.concluded(found, 0);
    return this.formalRun({ ...found, violations: found.violations ?? [], errors: found.errors ?? [] }, tool, formalTier, timed);
  }

  private async formalRun(
    found: Found & { violations: Violation[]; errors: EvaluationError[] },
    tool: string,
    formalTier: FormalTier,
    timed: boolean,
  ): Promise<Decided> {
    const { violations, errors } = found;
    const started = timed ? performance.now() : 0;
    // The formal tier judges the action as rewritten, like the auto tier's checks.
    const formalFound = await formalTier.evaluate(found.action, tool);
    const formalMs = timed ? performance.now() - started : 0;
    for (const { error, problem } of formalFound.errors) {
      if (this.parts.onError === 'throw') throw problem;
      errors.push(error);
    }
    // Policy order across both tiers, each policy's own order kept.
    mergeInPolicyOrder(violations, formalFound.violations, this.parts.positionOf);
    return this.concluded(found, formalMs);
  }

  /** The verdict stage: nothing found and nothing rewritten is the shared allow decision, with nothing folded. */
  private concluded(found: Found, formalMs: number): Decided {
    return { decision: this.decisionOf(found), tool: found.tool, formalMs };
  }

  private decisionOf({ violations, errors, rewrites, action }: Found): Decision {
    return (violations === undefined || violations.length === 0) && (errors === undefined || errors.length === 0) && rewrites === undefined
      ? allowDecision(action, this.parts.rules.policyVersion)
      : decide({ violations: violations ?? [], errors: errors ?? [], rewrites: rewrites ?? [], action }, this.parts.rules);
  }
}

/** No violations, without a new empty array each time. */
const NONE: readonly Violation[] = Object.freeze([]);

/** What is found for an action refused before any policy saw it: its one error. */
function refusal(action: Action, error: EvaluationError): Found {
  return { tool: null, action, violations: undefined, errors: [error], rewrites: undefined };
}
