/**
 * The public shape of `engine.explain(action)`: a tree that says, policy by
 * policy, what was read, compared and found, ending in the decision `evaluate`
 * gives. Plain JSON data: every value quoted from the action is bounded and
 * redacted as an audit event quotes it.
 */
import type {
  Decision,
  Effect,
  EvaluationError,
  JsonValue,
  Mode,
  Operator,
  PathSegment,
  Phase,
  PolicySeverity,
  Quantifier,
  Rewrite,
  Violation,
} from '../types.js';

/**
 * How one check came out: `pass` it holds, `fail` it does not, `skipped` it was
 * not evaluated (the outcome was already decided, or the policy does not get
 * that far), `error` it could not be evaluated.
 */
export type CheckResult = 'pass' | 'fail' | 'skipped' | 'error';

/** A value read from the action, as an audit event would quote it. */
export interface ValueExplanation {
  /** Where it is in the action (for a missing field, where it was looked for). */
  readonly path: readonly PathSegment[];
  /** The value, bounded and JSON-safe; absent when missing or redacted. */
  readonly value?: JsonValue;
  /** True when nothing is there (or only `null`, for `require`). */
  readonly missing?: true;
  /** True when the value is withheld because a rewrite masked, removed or replaced it. */
  readonly redacted?: true;
  /** How the comparison came out for this value. */
  readonly result: CheckResult;
}

/** The right-hand side of a comparison: the policy's literal, or a value read through `valueRef`. */
export interface OperandExplanation {
  /** The literal or the value read, bounded; absent when missing or redacted. */
  readonly value?: JsonValue;
  /** The path the value was read from, for `valueRef`. */
  readonly valueRef?: string;
  /** Where that value is in the action, for `valueRef`. */
  readonly path?: readonly PathSegment[];
  /** True when `valueRef` found nothing: the comparison is then false. */
  readonly missing?: true;
  /** True when the value is withheld because a rewrite hid it. */
  readonly redacted?: true;
}

/** A finding of the policy at one check, as the decision lists it (message redacted as in audit). */
export interface CheckFinding {
  /** Where the finding points in the action. */
  readonly path: readonly PathSegment[];
  /** The violation's message. */
  readonly message: string;
}

/** What every node of a predicate tree has. */
export interface PredicateNodeExplanation {
  /** The predicate in readable form (`arguments.amount <= 10000`). */
  readonly description: string;
  /** How it came out. */
  readonly result: CheckResult;
  /** With `result: 'error'`, why it could not be evaluated. */
  readonly error?: string;
  /** The violations this node produced, when it is one that reports them (a failed assertion). */
  readonly findings?: readonly CheckFinding[];
}

/** One comparison: `field op value`, with each value the field yields. */
export interface ComparisonExplanation extends PredicateNodeExplanation {
  /** Tells the node kinds apart: a comparison. */
  readonly kind: 'comparison';
  /** The field as written in the policy. */
  readonly field: string;
  /** The operator. */
  readonly op: Operator;
  /** The predicate's `flags`, when it has some. */
  readonly flags?: string;
  /** For a JSONPath field: whether every value (`all`) or one (`any`) must satisfy it. */
  readonly quantifier?: Quantifier;
  /** The right-hand side; absent for `exists`. */
  readonly operand?: OperandExplanation;
  /** The values read, in order: one for a dot-path (possibly missing), each one a JSONPath yields. */
  readonly values: readonly ValueExplanation[];
  /** How many more values the field yielded than `values` lists (explanations stay bounded). */
  readonly valuesOmitted?: number;
}

/** `all` or `any` over sub-predicates. */
export interface CompoundExplanation extends PredicateNodeExplanation {
  /** Tells the node kinds apart: every part must hold (`all`), or one (`any`). */
  readonly kind: 'all' | 'any';
  /** The sub-predicates, in order. */
  readonly parts: readonly PredicateExplanation[];
}

/** `not` over a sub-predicate. */
export interface NotExplanation extends PredicateNodeExplanation {
  /** Tells the node kinds apart: a negation. */
  readonly kind: 'not';
  /** The negated predicate. */
  readonly part: PredicateExplanation;
}

/** A predicate (a `when` or an `assert`) as it was evaluated, node by node. */
export type PredicateExplanation = ComparisonExplanation | CompoundExplanation | NotExplanation;

/** One `require` entry. */
export interface RequireExplanation {
  /** The path as written in the policy. */
  readonly field: string;
  /** `pass` when present (and not null), `fail` when missing. */
  readonly result: CheckResult;
  /** The values read (one for a dot-path). */
  readonly values: readonly ValueExplanation[];
  /** How many more values than `values` lists. */
  readonly valuesOmitted?: number;
  /** The violation it produced, when it failed. */
  readonly findings?: readonly CheckFinding[];
}

/** How the action's tool met the policy's `tools`. */
export interface ToolsExplanation {
  /** The policy's patterns; absent when it has none (it applies to every tool). */
  readonly patterns?: readonly string[];
  /** The first pattern that matches the tool; absent when none does. */
  readonly matched?: string;
  /** `pass` when the policy's tools select the action. */
  readonly result: CheckResult;
}

/** The rewrites of one policy, run before any check on the action as earlier rewrites left it. */
export interface RewriteExplanation {
  /** `pass` when the policy rewrote (or proposed) cleanly, `fail` when a value had the wrong type, `skipped` when it did not apply. */
  readonly result: CheckResult;
  /** The policy's `when`, on the action as the rewrites ranked before it left it. */
  readonly when?: PredicateExplanation;
  /** What was rewritten (`applied: false` when a monitored policy only proposed it). */
  readonly rewrites: readonly Rewrite[];
  /** Fields a rewrite could not handle: violations of the policy. */
  readonly findings?: readonly CheckFinding[];
  /** With `result: 'error'`, why the rewrites could not run. */
  readonly error?: string;
}

/** A policy with nothing to check or change: violated whenever its tools and `when` select the action. */
export interface AppliesExplanation {
  /** `fail` when it applied (it is then violated), `skipped` when it did not. */
  readonly result: CheckResult;
  /** The violation it produced. */
  readonly findings?: readonly CheckFinding[];
}

/** The formal tier's answer for one policy. */
export interface FormalExplanation {
  /** Where the shapes come from: `shape`, `shapesFile`, or both. */
  readonly sources: readonly ('shape' | 'shapesFile')[];
  /** The `shapesFile`, as written in the policy. */
  readonly shapesFile?: string;
  /** `pass` conforms, `fail` results were reported, `error` validation failed, `skipped` not run. */
  readonly result: CheckResult;
  /** With `result: 'skipped'`, why it did not run. */
  readonly reason?: string;
  /** The SHACL results, as the decision lists them. */
  readonly findings?: readonly CheckFinding[];
}

/** One enforcement binding of the policy. */
export interface BindingExplanation {
  /** The adapter's name. */
  readonly engine: string;
  /** The binding's policy file, as written. */
  readonly policy: string;
  /** Always `skipped`: engines judge artifacts (`engine.validate`), never actions. */
  readonly result: 'skipped';
}

/**
 * What one policy made of the action:
 * - `violated`: it reported something (a violation, warning, or monitored finding);
 * - `passed`: it applied and found nothing;
 * - `not-applicable`: its `tools` do not select the action, or its `when` does not hold;
 * - `not-evaluated`: it never judges this action (advisory, engines only, a response
 *   policy, a refused action) or its checks were skipped (`shortCircuit`);
 * - `error`: it could not be evaluated, so the verdict follows `onError`.
 */
export type PolicyStatus = 'violated' | 'passed' | 'not-applicable' | 'not-evaluated' | 'error';

/** One policy of the set, in policy order. */
export interface PolicyExplanation {
  /** The policy id. */
  readonly policyId: string;
  /** What it made of the action, as the decision has it. */
  readonly status: PolicyStatus;
  /** Why, in a few words (`its tools do not select the tool`, `it denies`, `advisory: guidance only, never evaluated`). */
  readonly reason: string;
  /** What a violation of it does. */
  readonly effect: Effect;
  /** `monitor` when the policy or the engine monitors it: its findings never block. */
  readonly mode: Mode;
  /** The declared severity, when there is one. */
  readonly severity?: PolicySeverity;
  /** What it judges: `request` (explained here) or `response` (`evaluateResponse`). */
  readonly phase: Phase;
  /** How its `tools` met the action's tool. */
  readonly tools?: ToolsExplanation;
  /** Its rewrites, when it has some. */
  readonly rewrite?: RewriteExplanation;
  /** Its `when`, on the action the checks see (after every rewrite). */
  readonly when?: PredicateExplanation;
  /** Its `require` entries. */
  readonly require?: readonly RequireExplanation[];
  /** Its assertion. */
  readonly assert?: PredicateExplanation;
  /** For a policy with no checks at all: violated whenever it applies. */
  readonly applies?: AppliesExplanation;
  /** Its formal tier (`shape`, `shapesFile`). */
  readonly formal?: FormalExplanation;
  /** Its enforcement bindings. */
  readonly enforcement?: readonly BindingExplanation[];
  /** Everything the decision lists for it (violations, warnings, monitored findings), redacted as in audit. */
  readonly findings: readonly Violation[];
  /** Its evaluation errors, as the decision lists them. */
  readonly errors: readonly EvaluationError[];
  /**
   * Set when this explanation and the evaluation read the action differently
   * (a getter or Proxy that answers differently on each read): the status and
   * findings above are the evaluation's.
   */
  readonly note?: string;
}

/** What `engine.explain(action)` returns. */
export interface Explanation {
  /** The action's tool; `null` when the action was refused before it could be read. */
  readonly tool: string | null;
  /** The engine's mode. */
  readonly mode: Mode;
  /** The content hash of the policy set. */
  readonly policyVersion: string;
  /** Set when the action could not be evaluated at all (not an object, beyond the limits): no policy saw it. */
  readonly refused?: EvaluationError;
  /** Every policy of the set, in policy order. */
  readonly policies: readonly PolicyExplanation[];
  /** The decision, exactly as `engine.evaluate(action)` gives it. */
  readonly decision: Decision;
}
