import { formatDecision } from '../format/format-decision.js';
import type { Engine } from '../engine.js';
import { TierguardError } from '../errors.js';
import { projectDecision } from '../decision-projection.js';
import { formatPath } from '../format-path.js';
import { escapeJsonForTerminal } from '../terminal-text.js';
import type { ContentArtifact, EngineVerdict } from '../engines/types.js';
import { formatValidation } from '../format/format-validation.js';
import { artifactName } from '../enforcement/artifact-selector.js';
import type { ParsedScopeQuery } from '../guidance/scope-query.js';
import { constraintResults, formatConstraintResults } from './constraint-results.js';
import type { ConstraintResult } from './constraint-results.js';
import type {
  Action,
  Decision,
  Effect,
  EvaluationError,
  Outcome,
  PathSegment,
  Rewrite,
  RewriteOp,
  Severity,
  Tier,
  ValidationDecision,
  Verdict,
  Violation,
} from '../types.js';

/** A violation as `validate` reports it: the decision's violation with its path also written out. */
export interface ViolationReport {
  /** The policy that was violated. */
  readonly policyId: string;
  /** The offending field as written in a policy, e.g. `arguments.lines[1].sku`; `(action)` for the action itself. */
  readonly field: string;
  /** The same field as segments into the action. */
  readonly path: readonly PathSegment[];
  /** What is wrong, in words. */
  readonly message: string;
  /** `deny`, `escalate` or `warn`. */
  readonly effect: Effect;
  /** `violation`, or `warning` / `info` for findings that never block. */
  readonly severity: Severity;
  /** The tier that found it. */
  readonly tier: Tier;
  /** The failed constraint: an operator, `require`, `applies`, a rewrite op or a SHACL component. */
  readonly constraint: string;
  /** What the policy expected, when it says (the action's own value is in `message`). */
  readonly expected?: unknown;
}

/** A rewrite as `validate` reports it. */
export interface RewriteReport {
  /** The policy that asked for it. */
  readonly policyId: string;
  /** The operation. */
  readonly op: RewriteOp;
  /** The rewritten field, written out. */
  readonly field: string;
  /** The same field as segments. */
  readonly path: readonly PathSegment[];
  /** The constant the policy writes (cap, default, mask), when the op has one. */
  readonly value?: unknown;
  /** `false` when a monitored policy only proposed it. */
  readonly applied: boolean;
}

/** The decision `validate` returns for a candidate action. Nothing was run: it is what the guard would decide. */
export interface ValidationReport {
  /** `allow`, `deny` or `escalate`. */
  readonly verdict: Verdict;
  /** The verdict, or `would_deny` / `would_escalate` when only monitored policies objected. */
  readonly outcome: Outcome;
  /** Violations of enforced deny and escalate policies. */
  readonly violations: readonly ViolationReport[];
  /** Violations of warn policies: reported, never blocking. */
  readonly warnings: readonly ViolationReport[];
  /** Violations of monitored deny policies. */
  readonly wouldDeny: readonly ViolationReport[];
  /** Violations of monitored escalate policies. */
  readonly wouldEscalate: readonly ViolationReport[];
  /** The enforced policies that ask a human to approve. */
  readonly escalatedBy: readonly string[];
  /** The rewrites that would be applied (and those monitored policies only propose). */
  readonly rewrites: readonly RewriteReport[];
  /** What could not be evaluated: an invalid action (no `policyId`) or a policy that failed. */
  readonly errors: readonly EvaluationError[];
  /** The action as it would run after the rewrites; present only when a rewrite applies. */
  readonly rewrittenAction?: unknown;
  /** The content hash of the policies that decided. */
  readonly policyVersion: string;
  /**
   * Each policy that applied, in policy order, with its status (`violated`,
   * `passed`, `error`) and remediation, and each advisory policy that selects
   * the action or artifact (and the scope asked) as `informational`.
   */
  readonly constraints: readonly ConstraintResult[];
}

/** An engine verdict as `validate` reports it: its violations written out like the decision's. */
export interface EngineVerdictReport {
  /** `pass`, `fail` or `error`. */
  readonly verdict: EngineVerdict['verdict'];
  /** The engine's name. */
  readonly engine: string;
  /** The engine policy, as the tierguard policy names it. */
  readonly policy: string;
  /** The engine's findings. */
  readonly violations: readonly ViolationReport[];
  /** Why the engine could not answer, for `error`. */
  readonly error?: { readonly code: string; readonly message: string };
  /** How long the engine ran, in milliseconds. */
  readonly durationMs: number;
}

/** The decision `validate` returns for an artifact: the decision report with the engines' verdicts. */
export interface ArtifactValidationReport extends ValidationReport {
  /** The engine verdicts combined: `error` > `fail` > `pass`. */
  readonly result: ValidationDecision['result'];
  /** Every engine verdict, in policy then binding order. */
  readonly engines: readonly EngineVerdictReport[];
}

/** The report and its text rendering. */
export interface ValidationResult {
  /** The decision, as structured data. */
  readonly report: ValidationReport;
  /** The decision as the CLI prints it: the outcome line, then one line per finding. */
  readonly text: string;
}

/** Audit labels of a `validate` call, so an audit log tells a dry run from a real call. */
export const VALIDATE_LABELS: Readonly<Record<string, string | boolean>> = Object.freeze({ mcpTool: 'validate', dryRun: true });

/**
 * Evaluates `action` with `engine.evaluate` (both tiers) without running
 * anything. An action that is not an object with a string `tool` is not an
 * error here: the engine returns a decision with the problem in `errors`, and
 * that decision is reported (with the engine's `onError: 'throw'` the engine
 * throws instead, and so does this).
 */
export async function validateAction(engine: Engine, action: unknown, scope?: ParsedScopeQuery): Promise<ValidationResult> {
  // The engine checks the shape of the action itself and reports it in `errors`.
  const decision = await engine.evaluate(action as Action, { labels: VALIDATE_LABELS });
  const tool = typeof action === 'object' && action !== null ? (action as { tool?: unknown }).tool : undefined;
  // An action the engine refused (no string tool) was judged by no policy.
  const invalid = decision.errors.some((error) => error.policyId === undefined);
  const constraints = typeof tool === 'string' && !invalid ? constraintResults(engine, decision, { tool }, scope) : [];
  const report = reportOf(decision, constraints);
  const rewritten =
    report.rewrittenAction === undefined ? '' : `\naction after rewrites: ${escapeJsonForTerminal(JSON.stringify(report.rewrittenAction))}`;
  return { report, text: withConstraints(`${formatDecision(decision, tool)}${rewritten}`, constraints) };
}

function withConstraints(text: string, constraints: readonly ConstraintResult[]): string {
  return constraints.length === 0 ? text : `${text}\n${formatConstraintResults(constraints)}`;
}

/**
 * Validates content an agent generated (`{ content, format?, name? }`) with the
 * enforcement engines the policies bind, as `engine.validate` does. Only content
 * is accepted, never a path: the server must not read files an agent names. A
 * malformed artifact is reported in `errors`, like a malformed action.
 */
export async function validateArtifact(
  engine: Engine,
  artifact: ContentArtifact,
  scope?: ParsedScopeQuery,
): Promise<{ report: ArtifactValidationReport; text: string }> {
  if (typeof artifact === 'object' && (artifact as unknown) !== null && Object.hasOwn(artifact, 'path')) {
    throw new TierguardError('INVALID_OPTIONS', 'an artifact is validated from its content only: files are not read on behalf of an agent');
  }
  const decision = await engine.validate(artifact, { labels: VALIDATE_LABELS });
  // A malformed artifact (an error without a policy) was judged by no policy.
  const invalid = decision.errors.some((error) => error.policyId === undefined);
  const constraints = invalid ? [] : constraintResults(engine, decision, { artifact: artifactName(artifact) }, scope);
  const report: ArtifactValidationReport = {
    ...reportOf(decision, constraints),
    result: decision.result,
    engines: decision.engines.map((verdict) => ({
      verdict: verdict.verdict,
      engine: verdict.engine,
      policy: verdict.policy,
      violations: verdict.violations.map(reportViolation),
      ...(verdict.verdict === 'error' ? { error: { code: verdict.error.code, message: verdict.error.message } } : {}),
      durationMs: verdict.durationMs,
    })),
  };
  return { report, text: withConstraints(formatValidation(decision), constraints) };
}

function reportOf(decision: Decision, constraints: readonly ConstraintResult[]): ValidationReport {
  const applied = decision.rewrites.some((rewrite) => rewrite.applied);
  const { errors, policyVersion, ...findings } = projectDecision(decision, {
    violation: reportViolation,
    error: (error) => ({ ...error }),
    rewrite: reportRewrite,
  });
  // verdict, outcome, violations, warnings, wouldDeny, wouldEscalate, escalatedBy, rewrites; then errors and the action.
  return { ...findings, errors, ...(applied ? { rewrittenAction: decision.action } : {}), policyVersion, constraints };
}

function reportViolation(violation: Violation): ViolationReport {
  return {
    policyId: violation.policyId,
    field: formatPath(violation.path),
    path: [...violation.path],
    message: violation.message,
    effect: violation.effect,
    severity: violation.severity,
    tier: violation.tier,
    constraint: violation.constraint,
    ...(violation.expected === undefined ? {} : { expected: violation.expected }),
  };
}

function reportRewrite(rewrite: Rewrite): RewriteReport {
  return {
    policyId: rewrite.policyId,
    op: rewrite.op,
    field: formatPath(rewrite.path),
    path: [...rewrite.path],
    ...(rewrite.value === undefined ? {} : { value: rewrite.value }),
    applied: rewrite.applied,
  };
}
