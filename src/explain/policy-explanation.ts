import { isDeepStrictEqual } from 'node:util';
import { copyEvaluationError } from '../decision-projection.js';
import type { EvaluationError, Rewrite, Violation } from '../types.js';
import type { PolicyShare } from './decision-by-policy.js';
import type { ExplainedPolicy } from './explained-policy.js';
import type {
  BindingExplanation,
  CheckFinding,
  FormalExplanation,
  PolicyExplanation,
  PolicyStatus,
  RewriteExplanation,
} from './explanation.js';
import type { ChecksTraced } from './trace-checks.js';
import { findingOf } from './trace-checks.js';
import type { ToolMatch } from './tool-match.js';
import type { ValueDisplay } from './value-display.js';

/** What the rewrite stage did for one policy. */
export interface RewriteTraced {
  readonly explanation: RewriteExplanation;
  /** True when its `when` held there and its rewrites ran. */
  readonly applied: boolean;
  readonly violations: readonly Violation[];
  /** As the decision lists them (before the audit's rendering). */
  readonly rewrites: readonly Rewrite[];
  readonly error?: EvaluationError;
}

/** Everything known about one policy judged by `evaluate`, for its explanation. */
export interface JudgedFacts {
  readonly policy: ExplainedPolicy;
  readonly tool: string;
  /** True when its `tools` select the action's tool. */
  readonly selected: boolean;
  readonly rewrite: RewriteTraced | undefined;
  readonly checks: ChecksTraced;
  /** The error its checks threw, as the engine reports it. */
  readonly checksError: EvaluationError | undefined;
  /** True when `shortCircuit` kept the formal tier from running: the auto tier denied. */
  readonly formalSkipped: boolean;
  /** What the decision lists for the policy. */
  readonly share: PolicyShare;
  readonly display: ValueDisplay;
  readonly toolMatch: ToolMatch;
}

const DISAGREES =
  "the evaluation read the action differently (a getter or Proxy that answers differently on each read): the status and findings are the evaluation's";

/** A policy `evaluate` never judges, or one nobody judged because the action was refused. */
export function unjudgedExplanation(policy: ExplainedPolicy, reason: string, share: PolicyShare, display: ValueDisplay): PolicyExplanation {
  const { findings, errors } = shown(share, display);
  return {
    policyId: policy.definition.id,
    status: 'not-evaluated',
    reason,
    ...head(policy),
    ...bindings(policy),
    findings,
    errors,
    // evaluate has nothing to say about such a policy; if it does, the reading here was not its reading.
    ...(findings.length > 0 || errors.length > 0 ? { note: DISAGREES } : {}),
  };
}

/** A policy `evaluate` judges: its tools, rewrites, checks, formal tier and bindings, then what the decision says of it. */
export function judgedExplanation(facts: JudgedFacts): PolicyExplanation {
  const { policy, checks, rewrite, share, display } = facts;
  const { findings, errors } = shown(share, display);
  const formalErrors = errors.length - traceErrors(facts).length;
  const status = statusOf(facts, findings, errors);
  return {
    policyId: policy.definition.id,
    status,
    reason: reasonOf(facts, status),
    ...head(policy),
    tools: facts.toolMatch.explain(policy.definition.tools, facts.tool, facts.selected),
    ...(rewrite === undefined ? {} : { rewrite: rewrite.explanation }),
    ...(checks.when === undefined ? {} : { when: checks.when }),
    ...(checks.require === undefined ? {} : { require: checks.require }),
    ...(checks.assert === undefined ? {} : { assert: checks.assert }),
    ...(checks.appliesCheck === undefined ? {} : { applies: checks.appliesCheck }),
    ...(policy.parts.formal.length === 0 ? {} : { formal: formalOf(facts, share.decided, formalErrors) }),
    ...bindings(policy),
    findings,
    errors,
    ...(agrees(facts) ? {} : { note: DISAGREES }),
  };
}

function head(policy: ExplainedPolicy): Pick<PolicyExplanation, 'effect' | 'mode' | 'severity' | 'phase'> {
  const { definition } = policy;
  return {
    effect: policy.effect,
    mode: policy.mode,
    ...(definition.severity === undefined ? {} : { severity: definition.severity }),
    phase: policy.phase,
  };
}

function bindings(policy: ExplainedPolicy): { enforcement?: BindingExplanation[] } {
  const enforcement = policy.definition.enforcement;
  if (enforcement === undefined || enforcement.length === 0) return {};
  return { enforcement: enforcement.map(({ engine, policy: file }) => ({ engine, policy: file, result: 'skipped' })) };
}

/** What the decision lists for the policy, findings redacted as in audit. */
function shown(share: PolicyShare, display: ValueDisplay): { findings: Violation[]; errors: EvaluationError[] } {
  return { findings: share.decided.map((violation) => display.violation(violation)), errors: share.errors.map(copyEvaluationError) };
}

function traceErrors(facts: JudgedFacts): EvaluationError[] {
  return [facts.rewrite?.error, facts.checksError].filter((error): error is EvaluationError => error !== undefined);
}

/** True when the policy applied: its tools select the action and its `when` held for its rewrites or its checks. */
function applied(facts: JudgedFacts): boolean {
  return facts.selected && (facts.checks.applies || facts.rewrite?.applied === true);
}

/** The formal tier may have judged the policy: its tools select the action, its `when` was read, and nothing skipped the tier. */
function formalRan(facts: JudgedFacts): boolean {
  return facts.policy.parts.formal.length > 0 && facts.selected && facts.checks.applies && !facts.formalSkipped;
}

function statusOf(facts: JudgedFacts, findings: readonly Violation[], errors: readonly EvaluationError[]): PolicyStatus {
  if (errors.length > 0) return 'error';
  if (findings.length > 0) return 'violated';
  if (!applied(facts)) return 'not-applicable';
  // A shape the formal tier never checked did not pass: it was not judged.
  if (facts.policy.parts.formal.length > 0 && facts.checks.applies && facts.formalSkipped) return 'not-evaluated';
  return 'passed';
}

function reasonOf(facts: JudgedFacts, status: PolicyStatus): string {
  const { share } = facts;
  switch (status) {
    case 'error':
      return 'it could not be evaluated: the verdict follows onError';
    case 'violated':
      if (share.denies) return 'it denies';
      if (share.lists.has('violations')) return 'a human must approve';
      if (share.lists.has('wouldDeny')) return 'it would deny, but it is monitored';
      if (share.lists.has('wouldEscalate')) return 'it would ask for approval, but it is monitored';
      return 'a warning, which never blocks';
    case 'not-applicable':
      return facts.selected ? 'its when does not hold' : 'its tools do not select the tool';
    case 'not-evaluated':
      return 'its shapes were not checked: the auto tier had already denied (shortCircuit)';
    default:
      if ((facts.rewrite?.rewrites.length ?? 0) === 0) return 'it applies, and nothing failed';
      return facts.policy.mode === 'monitor' ? 'it proposes rewrites, which a monitored policy never applies' : 'it rewrote the action';
  }
}

function formalOf(facts: JudgedFacts, decided: readonly Violation[], formalErrors: number): FormalExplanation {
  const { definition, parts } = facts.policy;
  const head = {
    sources: [...parts.formal],
    ...(definition.shapesFile === undefined ? {} : { shapesFile: definition.shapesFile }),
  };
  if (!facts.selected || !facts.checks.applies) return { ...head, result: 'skipped', reason: 'the policy does not apply' };
  if (facts.formalSkipped) return { ...head, result: 'skipped', reason: 'the auto tier had already denied (shortCircuit)' };
  // The formal tier reads the same `when` before validating: it threw there too.
  if (facts.checksError !== undefined) return { ...head, result: 'error' };
  const findings: CheckFinding[] = decided
    .filter((violation) => violation.tier === 'formal')
    .map((violation) => findingOf(violation, facts.display));
  if (findings.length > 0) return { ...head, result: 'fail', findings };
  return { ...head, result: formalErrors > 0 ? 'error' : 'pass' };
}

/**
 * True when what was traced here is what the evaluation found: the same auto
 * tier violations (every field), the same rewrites, and the same errors, the
 * formal tier's coming after the auto tier's and only where it ran.
 */
function agrees(facts: JudgedFacts): boolean {
  const { decided, errors, rewrites } = facts.share;
  const traced = [...(facts.rewrite?.violations ?? []), ...facts.checks.violations];
  const auto = decided.filter((violation) => violation.tier === 'auto');
  if (traced.length !== auto.length || traced.some((violation, index) => !sameViolation(violation, auto[index]))) return false;
  if (!isDeepStrictEqual(facts.rewrite?.rewrites ?? [], rewrites)) return false;
  if (decided.some((violation) => violation.tier === 'formal') && !formalRan(facts)) return false;
  const expected = traceErrors(facts);
  if (errors.length < expected.length || expected.some((error, index) => !isDeepStrictEqual(error, errors[index]))) return false;
  return errors.length === expected.length || formalRan(facts);
}

const VIOLATION_FIELDS = ['policyId', 'tier', 'constraint', 'path', 'message', 'expected', 'actual', 'effect', 'severity'] as const;

function sameViolation(left: Violation, right: Violation | undefined): boolean {
  return right !== undefined && VIOLATION_FIELDS.every((field) => isDeepStrictEqual(left[field], right[field]));
}
