import { checkAction } from '../check-action.js';
import { copyRewrite } from '../effects/audit-event.js';
import { redactionFor } from '../effects/redact-violations.js';
import { toEvaluationError } from '../evaluation-error.js';
import type { Limits } from '../limits.js';
import type { Action, Decision, EvaluationError, Mode, PolicyDefinition, Rewrite } from '../types.js';
import { decisionByPolicy } from './decision-by-policy.js';
import type { ExplainedPolicy } from './explained-policy.js';
import { explainedPolicies } from './explained-policy.js';
import type { CheckFinding, Explanation, PolicyExplanation } from './explanation.js';
import type { RewriteTraced } from './policy-explanation.js';
import { judgedExplanation, unjudgedExplanation } from './policy-explanation.js';
import type { ChecksTraced } from './trace-checks.js';
import type { TraceNode } from './trace-predicate.js';
import { findingOf } from './trace-checks.js';
import { ToolMatch } from './tool-match.js';
import { ValueDisplay } from './value-display.js';

/** What the engine fixes once that explaining an action depends on. */
export interface ExplainerSettings {
  /** The compiled (validated, frozen) definitions, in policy order. */
  readonly definitions: readonly PolicyDefinition[];
  /** The engine's limits, which the operators and tool globs are compiled under. */
  readonly limits: Limits;
  /** True when the policy's findings never block (its own mode, or the engine's). */
  readonly isMonitored: (policyId: string) => boolean;
  /** The engine's mode. */
  readonly mode: Mode;
  /** Whether the formal tier is skipped once the auto tier denied. */
  readonly shortCircuit: boolean;
}

const REFUSED = 'the action was refused before any policy saw it';

/**
 * Explains what `evaluate` decided about an action: it reads the action again,
 * policy by policy, with reference readings of the policies' definitions (the
 * path readers, operators and wording the compiled tiers use), in the order the
 * engine reads it: the rewrites in rewrite order, each on the action as the
 * ones before it left it; then every policy's checks on the rewritten action;
 * then the formal tier's findings, as the decision holds them. The decision
 * itself is the one `evaluate` gave, and every status is read from it: where
 * the second reading differs from the first, the policy says so in a note.
 */
export class ActionExplainer {
  private readonly policies: readonly ExplainedPolicy[];
  /** The policies `evaluate` judges, each with its checks. */
  private readonly judged: readonly ExplainedPolicy[];
  /** The judged policies that rewrite, in rewrite order. */
  private readonly rewriters: readonly ExplainedPolicy[];
  private readonly tools: ToolMatch;

  constructor(private readonly settings: ExplainerSettings) {
    this.policies = explainedPolicies(settings.definitions, settings.isMonitored, settings.limits);
    this.judged = this.policies.filter((policy) => policy.notJudged === undefined);
    this.rewriters = this.judged
      .filter((policy) => policy.rewrite !== undefined)
      .sort((left, right) => left.rewriteRank - right.rewriteRank);
    this.tools = new ToolMatch(
      this.judged.map((policy) => ({ tools: policy.definition.tools, index: policy.index })),
      settings.limits,
    );
  }

  /** The explanation of `decision`, which `evaluate` gave for `action`. */
  explain(action: Action, decision: Decision): Explanation {
    const display = new ValueDisplay(redactionFor(decision));
    const shareOf = decisionByPolicy(decision);
    const base = { mode: this.settings.mode, policyVersion: decision.policyVersion };
    let tool: string | null = null;
    let selected: ReadonlySet<number>;
    try {
      tool = checkAction(action, this.settings.limits);
      selected = this.tools.selecting(tool);
    } catch (thrown) {
      const refused = decision.errors.find((error) => error.policyId === undefined) ?? toEvaluationError(thrown).error;
      const policies = this.policies.map((policy) =>
        unjudgedExplanation(policy, policy.notJudged ?? REFUSED, shareOf(policy.definition.id), display),
      );
      return { tool, ...base, refused, policies, decision };
    }
    const rewrites = this.rewriteStage(action, tool, selected, display);
    const checks = new Map<number, { traced: ChecksTraced; error: EvaluationError | undefined }>();
    for (const policy of this.judged) {
      const traced = selected.has(policy.index) ? policy.checks.run(decision.action, tool, display) : policy.checks.skipped();
      checks.set(policy.index, { traced, error: traced.thrown && toEvaluationError(traced.thrown.value, policy.definition.id).error });
    }
    // As the pipeline decides it: the formal tier does not run once an enforced deny policy failed in the auto tier.
    const formalSkipped =
      this.settings.shortCircuit && decision.violations.some((violation) => violation.tier === 'auto' && violation.effect === 'deny');
    const policies = this.policies.map((policy): PolicyExplanation => {
      const checked = checks.get(policy.index);
      if (policy.notJudged !== undefined || checked === undefined) {
        return unjudgedExplanation(policy, policy.notJudged ?? REFUSED, shareOf(policy.definition.id), display);
      }
      return judgedExplanation({
        policy,
        tool,
        selected: selected.has(policy.index),
        rewrite: rewrites.get(policy.index),
        checks: checked.traced,
        checksError: checked.error,
        formalSkipped,
        share: shareOf(policy.definition.id),
        display,
        toolMatch: this.tools,
      });
    });
    return { tool, ...base, policies, decision };
  }

  /**
   * The rewrites, as the auto pass runs them: in rewrite order, each policy
   * whose tools select the action and whose `when` holds on the action as
   * rewritten so far. A monitored policy's rewrites are only proposed, so the
   * action moves on only with an enforced policy's.
   */
  private rewriteStage(action: Action, tool: string, selected: ReadonlySet<number>, display: ValueDisplay): Map<number, RewriteTraced> {
    const traced = new Map<number, RewriteTraced>();
    let current = action;
    for (const policy of this.rewriters) {
      const id = policy.definition.id;
      if (!selected.has(policy.index)) {
        const when = policy.checks.skipped().when;
        traced.set(policy.index, skippedRewrite(when));
        continue;
      }
      const when = policy.checks.whenOf(current, display);
      const whenShown = when.node === undefined ? {} : { when: when.node };
      if (when.thrown !== undefined) {
        traced.set(policy.index, failedRewrite(whenShown, toEvaluationError(when.thrown.value, id).error));
        continue;
      }
      if (!when.holds) {
        traced.set(policy.index, {
          explanation: { result: 'skipped', ...whenShown, rewrites: [] },
          applied: false,
          violations: [],
          rewrites: [],
        });
        continue;
      }
      let result;
      try {
        result = (policy.rewrite as NonNullable<ExplainedPolicy['rewrite']>)(current, tool);
      } catch (thrown) {
        traced.set(policy.index, failedRewrite(whenShown, toEvaluationError(thrown, id).error));
        continue;
      }
      const monitored = policy.mode === 'monitor';
      const rewrites: Rewrite[] = result.rewrites.map((rewrite) => (monitored ? { ...rewrite, applied: false } : rewrite));
      if (rewrites.length > 0 && !monitored) current = result.action;
      const findings: CheckFinding[] = result.violations.map((violation) => findingOf(violation, display));
      traced.set(policy.index, {
        explanation: {
          result: findings.length > 0 ? 'fail' : 'pass',
          ...whenShown,
          rewrites: rewrites.map(copyRewrite),
          ...(findings.length === 0 ? {} : { findings }),
        },
        applied: true,
        violations: result.violations,
        rewrites,
      });
    }
    return traced;
  }
}

function skippedRewrite(when: ChecksTraced['when']): RewriteTraced {
  return {
    explanation: { result: 'skipped', ...(when === undefined ? {} : { when }), rewrites: [] },
    applied: false,
    violations: [],
    rewrites: [],
  };
}

function failedRewrite(when: { readonly when?: TraceNode }, error: EvaluationError): RewriteTraced {
  return {
    explanation: { result: 'error', ...when, rewrites: [], error: error.message },
    applied: true,
    violations: [],
    rewrites: [],
    error,
  };
}
