import type { CompiledPolicy } from '../policy/compile-policy.js';
import type { GlobLimits } from '../glob/compile-glob.js';
import { ToolIndex } from '../glob/tool-index.js';
import type { Action, EvaluationError, Rewrite, Violation } from '../types.js';

/** What one pass of the auto tier found for an action it could evaluate. */
export interface AutoFindings {
  /** The action's tool, read once. */
  readonly tool: string;
  /** The action after the applied rewrites: the caller's object when nothing was rewritten. */
  readonly action: Action;
  /** Violations, in policy order; `undefined` when there are none (the hot path allocates nothing). */
  readonly violations: Violation[] | undefined;
  /** Policies that threw; `undefined` when there are none. */
  readonly errors: EvaluationError[] | undefined;
  /** Rewrites applied or proposed, in the order they ran; `undefined` when there are none. */
  readonly rewrites: Rewrite[] | undefined;
}

/** How the pass reports a policy that threw (and, under `onError: 'throw'`, rethrows). */
export type FailurePolicy = (thrown: unknown, policy: CompiledPolicy) => EvaluationError;

/** A rewriting policy, placed by rewrite order rather than policy order. */
interface RankedRewriter {
  readonly tools: readonly string[] | undefined;
  /** Rank in rewrite order: higher priority first, then policy order. */
  readonly index: number;
  readonly policy: CompiledPolicy;
  readonly rewrite: NonNullable<CompiledPolicy['rewrite']>;
}

/**
 * The auto tier for one phase (requests or responses): first every applicable
 * rewrite, in priority order, each seeing the action as rewritten so far; then
 * every policy's checks against the rewritten action, so an assertion sees the
 * value a rewrite left. A monitored policy's rewrites are listed as proposed and
 * not applied: in monitor mode nothing the caller runs may differ from what the
 * agent asked for.
 */
export class AutoPass {
  private readonly checks: ToolIndex<CompiledPolicy>;
  private readonly rewriters: ToolIndex<RankedRewriter>;
  /** True when some policy of this phase rewrites; the hot path skips the rewrite lookup otherwise. */
  private readonly rewrites: boolean;
  private readonly positions: ReadonlyMap<string, number>;

  /** Indexes the policies of one phase; `isMonitored` says whose rewrites are only proposed; tool globs compile under `limits`. */
  constructor(
    policies: readonly CompiledPolicy[],
    private readonly isMonitored: (policyId: string) => boolean,
    limits: GlobLimits,
  ) {
    this.checks = new ToolIndex(policies, limits);
    const ranked = policies
      .filter((policy) => policy.rewrite !== undefined)
      .sort((left, right) => right.priority - left.priority || left.index - right.index);
    this.rewriters = new ToolIndex(
      ranked.map((policy, rank) => ({ tools: policy.tools, index: rank, policy, rewrite: policy.rewrite as RankedRewriter['rewrite'] })),
      limits,
    );
    this.rewrites = ranked.length > 0;
    this.positions = new Map(policies.map((policy) => [policy.id, policy.index]));
  }

  /** Runs the pass over an action already checked against the limits. */
  run(original: Action, tool: string, failed: FailurePolicy): AutoFindings {
    let action = original;
    let violations: Violation[] | undefined;
    let errors: EvaluationError[] | undefined;
    let rewrites: Rewrite[] | undefined;
    if (this.rewrites) {
      for (const { policy, rewrite } of this.rewriters.lookup(tool)) {
        try {
          if (!policy.applies(action)) continue;
          const result = rewrite(action, tool);
          if (result.violations.length > 0) (violations ??= []).push(...result.violations);
          if (result.rewrites.length === 0) continue;
          if (this.isMonitored(policy.id)) {
            (rewrites ??= []).push(...result.rewrites.map((applied) => ({ ...applied, applied: false })));
          } else {
            (rewrites ??= []).push(...result.rewrites);
            action = result.action;
          }
        } catch (error) {
          (errors ??= []).push(failed(error, policy));
        }
      }
    }
    const rewriteFailed = violations !== undefined;
    for (const policy of this.checks.lookup(tool)) {
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
    // Rewrite failures were found in rewrite order; a stable sort puts every
    // violation back in policy order, each policy's own order kept.
    if (rewriteFailed) {
      const position = (violation: Violation): number => this.positions.get(violation.policyId) ?? 0;
      violations?.sort((left, right) => position(left) - position(right));
    }
    return { tool, action, violations, errors, rewrites };
  }
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
