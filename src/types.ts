/**
 * Public data types: what a policy definition looks like, what an action looks
 * like, and what a decision says. Everything here is plain JSON-serialisable
 * data, so decisions can be logged, sent over MCP and compared in tests.
 *
 * Longer than most files: it is the public type catalogue, one place a user
 * reads to learn every shape tierguard accepts and returns.
 */

/** A JSON value as it appears in policies and actions. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What an agent proposes to do. `tool` names what is called (a tool name, a
 * resource URI, a prompt name); `arguments` and `context` are free-form JSON that
 * policies address by path. Extra top-level keys are allowed and addressable.
 */
export interface Action {
  /** The tool, resource or prompt the action targets; policies select on it with `tools`. */
  readonly tool: string;
  /** The method that produced the action, e.g. `tools/call`. */
  readonly kind?: string;
  /** The call's arguments. */
  readonly arguments?: Readonly<Record<string, unknown>>;
  /** Who is calling and under which limits: user, roles, session, budgets. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Any other data a policy may address. */
  readonly [key: string]: unknown;
}

/**
 * The operators of the auto tier, in documentation order: the one list of their
 * names. {@link Operator} is derived from it; each operator's behaviour and
 * wording is defined once, in the predicate layer's operator registry.
 */
export const OPERATORS = Object.freeze(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'regex', 'glob', 'exists'] as const);

/** Comparison operators of the auto tier. */
export type Operator = (typeof OPERATORS)[number];

/** How a JSONPath field that yields several values must hold: for every value (`all`) or for one (`any`). */
export type Quantifier = 'all' | 'any';

/**
 * One comparison: `field op value`, or `field op valueRef` where the right-hand
 * side is read from another path of the same action.
 */
export interface ComparisonDefinition {
  /** A dot-path (`arguments.items.0.sku`, `arguments.items[0].sku`) or a JSONPath starting with `$`. */
  readonly field: string;
  /** The operator. */
  readonly op: Operator;
  /** The literal right-hand side. */
  readonly value?: JsonValue;
  /** A path in the action whose value is the right-hand side. */
  readonly valueRef?: string;
  /** For `regex`: RE2 flags from `ims`. For `glob`: `i` for case-insensitive matching. */
  readonly flags?: string;
  /** For JSONPath fields that yield several values; default `all`. */
  readonly quantifier?: Quantifier;
}

/** Every sub-predicate holds. */
export interface AllDefinition {
  /** The sub-predicates. */
  readonly all: readonly PredicateDefinition[];
}

/** At least one sub-predicate holds. */
export interface AnyDefinition {
  /** The sub-predicates. */
  readonly any: readonly PredicateDefinition[];
}

/** The sub-predicate does not hold. */
export interface NotDefinition {
  /** The negated predicate. */
  readonly not: PredicateDefinition;
}

/** A predicate: a comparison, or `all` / `any` / `not` over predicates, nested freely. */
export type PredicateDefinition = ComparisonDefinition | AllDefinition | AnyDefinition | NotDefinition;

/** What happens when a policy is violated. */
export type Effect = 'deny' | 'escalate' | 'warn';

/** The datatypes a shape can require. A JSON number with no fractional part is an `integer`; every number is a `decimal`. */
export type ShapeDatatype = 'string' | 'integer' | 'decimal' | 'boolean';

/** SHACL severities; `Violation` takes the policy's effect, `Warning` and `Info` land in `warnings`. */
export type ShapeSeverity = 'Violation' | 'Warning' | 'Info';

/** Constraints on a value itself, shared by node shapes and property shapes (SHACL's names). */
export interface ValueConstraints {
  /** The value's datatype. */
  readonly datatype?: ShapeDatatype;
  /** An RE2 pattern the (string) value must match, searched as in the auto tier. */
  readonly pattern?: string;
  /** RE2 flags for `pattern`, from `ims`. */
  readonly flags?: string;
  /** Fewest characters. */
  readonly minLength?: number;
  /** Most characters. */
  readonly maxLength?: number;
  /** Numeric lower bound, inclusive. */
  readonly minInclusive?: number;
  /** Numeric upper bound, inclusive. */
  readonly maxInclusive?: number;
  /** Numeric lower bound, exclusive. */
  readonly minExclusive?: number;
  /** Numeric upper bound, exclusive. */
  readonly maxExclusive?: number;
  /** The value must be one of these. */
  readonly in?: readonly (string | number | boolean)[];
  /** The value (or one of the values) must be this. */
  readonly hasValue?: string | number | boolean;
  /** Every operand shape holds for the value. */
  readonly and?: readonly ShapeDefinition[];
  /** At least one operand shape holds. */
  readonly or?: readonly ShapeDefinition[];
  /** Exactly one operand shape holds. */
  readonly xone?: readonly ShapeDefinition[];
  /** The operand shape does not hold. */
  readonly not?: ShapeDefinition;
  /** Severity of this shape's results; default `Violation`. */
  readonly severity?: ShapeSeverity;
  /** Message for this shape's results. */
  readonly message?: string;
}

/** A node shape: constraints on a node (the action at the top) and on its properties. */
export interface ShapeDefinition extends ValueConstraints {
  /** Property shapes, each at a dot-path relative to this node. */
  readonly properties?: readonly PropertyShapeDefinition[];
  /** Only the keys named by `properties` (their first segments) may appear on this node. */
  readonly closed?: boolean;
}

/** A property shape: the values at `path` (relative to the enclosing node) and their constraints. */
export interface PropertyShapeDefinition extends ValueConstraints {
  /** A dot-path of keys, relative to the enclosing node; no array indices (arrays are repeated values). */
  readonly path: string;
  /** Fewest values (0 for optional; 1 for required). */
  readonly minCount?: number;
  /** Most values (arrays count their elements). */
  readonly maxCount?: number;
  /** A node shape every value (every element of an array of objects) must satisfy. */
  readonly node?: ShapeDefinition;
  /** Values equal to those of this sibling key. */
  readonly equals?: string;
  /** No value shared with this sibling key. */
  readonly disjoint?: string;
  /** Every value less than every value of this sibling key. */
  readonly lessThan?: string;
  /** Every value less than or equal to every value of this sibling key. */
  readonly lessThanOrEquals?: string;
}

/** Whether a policy's violations block (`enforce`) or are only reported (`monitor`). */
export type Mode = 'enforce' | 'monitor';

/** What a policy judges: the proposed action (`request`) or a tool's result (`response`, under `result`). */
export type Phase = 'request' | 'response';

/** The rewrite operations. */
export type RewriteOp = 'cap_value' | 'set_default' | 'mask_field' | 'remove_field' | 'replace';

/**
 * A patch applied to the action when its policy applies, before assertions are
 * checked. `field` is a dot-path; a `*` segment stands for every element of an
 * array or every value of an object (`result.content.*.text`).
 */
export type RewriteDefinition =
  | {
      /** Clamp a number at `value`: a larger number becomes `value`. */
      readonly op: 'cap_value';
      /** The dot-path of the number to cap. */
      readonly field: string;
      /** The bound. */
      readonly value: number;
    }
  | {
      /** Fill the field with `value` when it is missing or null. */
      readonly op: 'set_default';
      /** The dot-path of the field to fill. */
      readonly field: string;
      /** The default. */
      readonly value: JsonValue;
    }
  | {
      /** Replace the field's value with `value` (default `"***"`). */
      readonly op: 'mask_field';
      /** The dot-path of the field to mask. */
      readonly field: string;
      /** The mask. */
      readonly value?: JsonValue;
    }
  | {
      /** Delete the field (an array element is spliced out). */
      readonly op: 'remove_field';
      /** The dot-path of the field to delete. */
      readonly field: string;
    }
  | {
      /** Replace every RE2 match of `pattern` in the string with `with`. */
      readonly op: 'replace';
      /** The dot-path of the string to rewrite. */
      readonly field: string;
      /** The RE2 pattern to search for. */
      readonly pattern: string;
      /** The replacement: `$1`, `$<name>`, `$&` refer to the match, `$$` is a literal `$`. */
      readonly with: string;
      /** RE2 flags from `ims`. */
      readonly flags?: string;
    };

/**
 * How binding a policy is, for the agents it guides and for enforcement:
 * `hard` blocks (its effect is `deny` or `escalate`), `soft` does not deny (its
 * effect is `escalate` or `warn`), `advisory` is guidance only and is never
 * evaluated. Absent: the policy's `effect` alone decides, as before severities.
 */
export type PolicySeverity = 'hard' | 'soft' | 'advisory';

/** The policy categories tierguard names; a policy may use any other lower-case name too. */
export const POLICY_CATEGORIES = Object.freeze(['infrastructure', 'organizational', 'architectural'] as const);

/**
 * What a policy is about: one of {@link POLICY_CATEGORIES} or another
 * lower-case name (letters, digits, `-`), so a registry can add its own.
 */
export type PolicyCategory = (typeof POLICY_CATEGORIES)[number] | (string & {});

/**
 * Selectors over the relationship between two parts of a system, for
 * architectural rules (`no synchronous calls across domains`). Each list holds
 * the values the rule is about; `all` in a list matches every value.
 */
export interface RelationshipScope {
  /** Layers the relationship starts from (`ui`, `service`). */
  readonly sourceLayer?: readonly string[];
  /** Layers the relationship points to (`database`). */
  readonly targetLayer?: readonly string[];
  /** Components the relationship starts from. */
  readonly sourceComponent?: readonly string[];
  /** Components the relationship points to. */
  readonly targetComponent?: readonly string[];
  /** Domains the relationship starts from (`billing`). */
  readonly sourceDomain?: readonly string[];
  /** Domains the relationship points to. */
  readonly targetDomain?: readonly string[];
  /** `true`: the rule is about relationships whose source and target domains differ; `false`: within one domain. */
  readonly differentDomain?: boolean;
  /** Kinds of interaction (`sync-call`, `async-event`, `import`, `shared-database`). */
  readonly interaction?: readonly string[];
}

/**
 * Where a policy applies, as selectors an agent can query by (`get_constraints`).
 * Each dimension lists the values the policy is about; `all` matches every
 * value; a dimension left out does not narrow the policy.
 */
export interface PolicyScope {
  /** Cloud or platform providers (`aws`, `gcp`, `kubernetes`). */
  readonly providers?: readonly string[];
  /** The target tool's resource identifiers (Terraform `aws_s3_bucket`, Kubernetes `Deployment`). */
  readonly resourceTypes?: readonly string[];
  /** Deployment environments (`prod`, `staging`). */
  readonly environments?: readonly string[];
  /** Repositories by name, or by tag as `tag:<tag>`. */
  readonly repos?: readonly string[];
  /** Programming or configuration languages (`hcl`, `python`, `yaml`). */
  readonly languages?: readonly string[];
  /** Relationship selectors, for architectural rules. */
  readonly relationship?: RelationshipScope;
}

/** An example in a policy's guidance: text, or code with its language. */
export type GuidanceExample =
  | string
  | {
      /** The language of `code` (`hcl`, `python`), for display. */
      readonly language?: string;
      /** The example itself. */
      readonly code: string;
      /** What the example shows. */
      readonly note?: string;
    };

/** What an agent should do to comply with a policy, shown by `get_constraints` and as remediation by `validate`. */
export interface PolicyGuidance {
  /** Things to do. */
  readonly do?: readonly string[];
  /** Things not to do. */
  readonly dont?: readonly string[];
  /** What compliant output looks like. */
  readonly exampleCompliant?: GuidanceExample;
  /** What non-compliant output looks like. */
  readonly exampleNoncompliant?: GuidanceExample;
}

/** Where a policy came from, for policies imported from an engine's catalog or another registry. */
export interface PolicyProvenance {
  /** The origin: an engine (`checkov`, `semgrep`) or a registry's name. */
  readonly source: string;
  /** The rule's id at its origin (`CKV_AWS_20`). */
  readonly ruleId?: string;
  /** The version of the origin the policy was taken from. */
  readonly version?: string;
  /** The licence the rule is distributed under (an SPDX id where there is one). */
  readonly license?: string;
  /** Where the rule is documented. */
  readonly url?: string;
}

/** A policy definition as written in JSON. Validated against `tierguard/schema/policy.json`. */
export interface PolicyDefinition {
  /** Unique id; violations and audit events name it. */
  readonly id: string;
  /** What the policy is for, in words. */
  readonly description?: string;
  /** A short name for people and agents (`S3 buckets are never public`). */
  readonly title?: string;
  /** Why the policy exists: the risk or decision behind it. */
  readonly intent?: string;
  /** What the policy is about; see {@link PolicyCategory}. */
  readonly category?: PolicyCategory;
  /** Who answers for the policy: a team, a person, an address. */
  readonly owner?: string;
  /** The policy's own version, in semver (`1.2.0`); the set's content hash is separate. */
  readonly version?: string;
  /** The policy is being retired: still served and enforced, and flagged as deprecated. */
  readonly deprecated?: boolean;
  /** The id of the policy that replaces this one; only with `deprecated`. */
  readonly successor?: string;
  /** How binding the policy is; see {@link PolicySeverity}. */
  readonly severity?: PolicySeverity;
  /** Where the policy applies, for agents that query constraints by scope. */
  readonly scope?: PolicyScope;
  /** How to comply, for agents and people. */
  readonly guidance?: PolicyGuidance;
  /** Where the policy came from, when it was imported. */
  readonly provenance?: PolicyProvenance;
  /** Glob patterns over the action's `tool`; absent means every tool. */
  readonly tools?: readonly string[];
  /** What a violation does; default `deny`. */
  readonly effect?: Effect;
  /** The policy applies only when this holds. */
  readonly when?: PredicateDefinition;
  /** Fields that must be present (and not null). */
  readonly require?: readonly string[];
  /** The predicate that must hold. */
  readonly assert?: PredicateDefinition;
  /** Message template; may use `{policy}`, `{tool}`, `{field}`, `{op}`, `{expected}`, `{actual}`. */
  readonly message?: string;
  /** The formal tier: a SHACL shape, generated from this JSON definition, that the action must conform to. */
  readonly shape?: ShapeDefinition;
  /** The formal tier from hand-written SHACL: a Turtle file whose shapes target `tg:Action`, relative to the policy file. */
  readonly shapesFile?: string;
  /** Patches applied to the action when the policy applies, before assertions are checked. */
  readonly rewrite?: readonly RewriteDefinition[];
  /** Orders this policy's rewrites before those of lower priority on the same field; default 0. */
  readonly priority?: number;
  /** `request` (default) judges the proposed action; `response` judges a tool's result via `evaluateResponse`. */
  readonly on?: Phase;
  /** `enforce` (default) blocks on a violation; `monitor` only reports it (`wouldDeny`, `wouldEscalate`). */
  readonly mode?: Mode;
  /**
   * Enforcement engines that validate artifacts, run by `engine.validate` only:
   * `evaluate` never runs them, and a policy with nothing but `enforcement` does
   * not judge actions at all.
   */
  readonly enforcement?: readonly EnforcementDefinition[];
  /**
   * Glob patterns (the dialect of `tools`) selecting the artifacts this policy's
   * `enforcement` judges when `engine.validate` is not given `policies`; absent
   * means every artifact. Each is matched against the artifact's name: a file's
   * `path` as the caller gave it, with `\` read as `/` and a leading `./` dropped,
   * or content's `name` (default: the name the engine sees it under, `main.tf`
   * for `terraform`, `artifact.json` for JSON). As in .gitignore, a pattern
   * without `/` matches the base name (`*.tf` selects `infra/main.tf`) and one
   * with `/` the whole name (`infra/**\/*.tf`). When no policy selects an
   * artifact, `validate` passes it with no engine run, as `evaluate` allows an
   * action no policy covers; `validate(artifact, { policies })` runs the named
   * policies whatever this says. Only valid with `enforcement`.
   */
  readonly artifacts?: readonly string[];
}

/**
 * One enforcement engine a policy binds, as written in JSON. `policy` is
 * resolved against the directory of the policy file (as `shapesFile` is), and
 * its contents are part of the policy set's version.
 */
export interface EnforcementDefinition {
  /** The adapter's name: `opa`, `conftest`, `checkov`, `semgrep`, or one given to `createEngine` in `adapters`. */
  readonly engine: string;
  /** The engine's policy: a Rego file or directory, a Semgrep rule file, a Checkov config; relative to the policy file. */
  readonly policy: string;
  /** What to ask the engine, where it takes a query (OPA: `data.s3.deny`). */
  readonly query?: string;
  /** Adapter-specific options; each adapter rejects keys it does not know. */
  readonly options?: Readonly<Record<string, JsonValue>>;
  /**
   * The lowest finding level that blocks; default `error`. A finding at or above
   * it takes the policy's effect (it lands in `violations`, severity
   * `violation`); one below stays a warning (`warning` level) or information
   * (`note` level). Levels are the engine's: SARIF `error`/`warning`/`note`
   * (Semgrep, Checkov by check severity), OPA and Conftest `deny`/`violation`
   * rules at `error` and `warn` rules (or `severity: "warning"`) at `warning`.
   * A `warn` policy never blocks, whatever this says. With a `minLevel` binding
   * option, it may not be below `minLevel`: findings there are dropped, so it
   * could never apply.
   */
  readonly blockOn?: FindingLevel;
}

/**
 * How serious an engine says a finding is, highest first: `error`, `warning`,
 * `note` (the SARIF levels, which every adapter's findings map to through their
 * `severity`: `violation`, `warning`, `info`).
 */
export type FindingLevel = 'error' | 'warning' | 'note';

/** The outcome of an evaluation. `deny` outranks `escalate`; `warn` never blocks. */
export type Verdict = 'allow' | 'deny' | 'escalate';

/** Which tier produced a violation. */
export type Tier = 'auto' | 'formal' | 'engine';

/** How serious a violation is: `warning` for `warn` policies, `violation` otherwise. */
export type Severity = 'violation' | 'warning' | 'info';

/** One path segment into the action: an object key or an array index. */
export type PathSegment = string | number;

/** A failed constraint: which policy, which field, what was expected and what was found. */
export interface Violation {
  /** The policy that was violated. */
  readonly policyId: string;
  /** The tier that found it. */
  readonly tier: Tier;
  /** The constraint: an operator (`lte`), `require`, `any`, `not`, or `applies` for a policy that asserts nothing. */
  readonly constraint: string;
  /** Segments into the action of the offending field (`['arguments', 'items', 0, 'sku']`); empty for the action itself. */
  readonly path: readonly PathSegment[];
  /** Human-readable explanation, from the policy's template or a default. */
  readonly message: string;
  /** What the policy expected (the comparison value, the list, the pattern). */
  readonly expected?: unknown;
  /** What the action held; absent when the field was missing. */
  readonly actual?: unknown;
  /** The policy's effect. */
  readonly effect: Effect;
  /** `warning` for `warn` policies, `violation` otherwise. */
  readonly severity: Severity;
}

/** A policy (or the whole action) that could not be evaluated; the verdict then follows `onError`. */
export interface EvaluationError {
  /** Stable code, as on {@link TierguardError}. */
  readonly code: 'INVALID_ACTION' | 'LIMIT_EXCEEDED' | 'EVALUATION_FAILED';
  /** What went wrong, naming the policy and the field where known. */
  readonly message: string;
  /** The policy being evaluated, absent when the action itself was rejected. */
  readonly policyId?: string;
}

/**
 * What happened, for logs and audit: the verdict, or `would_deny` /
 * `would_escalate` when only monitored policies objected and the verdict is `allow`.
 */
export type Outcome = Verdict | 'would_deny' | 'would_escalate';

/** A rewrite that was applied to the action (or, for a monitored policy, proposed). */
export interface Rewrite {
  /** The policy that asked for it. */
  readonly policyId: string;
  /** The operation. */
  readonly op: RewriteOp;
  /** Segments into the action of the field rewritten. */
  readonly path: readonly PathSegment[];
  /**
   * The value written, for `cap_value`, `set_default` and `mask_field`: always a
   * constant from the policy, never the value it replaced, so a decision cannot leak
   * what a rewrite hid.
   */
  readonly value?: JsonValue;
  /** `false` when a monitored policy proposed it: listed, but not applied to `decision.action`. */
  readonly applied: boolean;
}

/** What tierguard decided about one action. */
export interface Decision {
  /** `allow`, `deny` or `escalate`. */
  readonly verdict: Verdict;
  /** The verdict, or `would_deny` / `would_escalate` when only monitored policies objected. */
  readonly outcome: Outcome;
  /** Violations of enforced `deny` and `escalate` policies, in policy order then field order. */
  readonly violations: readonly Violation[];
  /** Violations of `warn` policies; they never block. */
  readonly warnings: readonly Violation[];
  /** Violations of monitored `deny` policies: they would have denied, and did not block. */
  readonly wouldDeny: readonly Violation[];
  /** Violations of monitored `escalate` policies: they would have asked for approval, and did not. */
  readonly wouldEscalate: readonly Violation[];
  /** The enforced policies that ask a human to approve, in policy order; non-empty when the verdict is `escalate`. */
  readonly escalatedBy: readonly string[];
  /** Policies that could not be evaluated; with enforced policies involved, the verdict then follows `onError`. */
  readonly errors: readonly EvaluationError[];
  /** The rewrites applied (and proposed by monitored policies), in the order they ran. */
  readonly rewrites: readonly Rewrite[];
  /** The action after rewrites: a new object when something was rewritten; the caller's object is never mutated. */
  readonly action: Action;
  /** Content hash of the policy set that decided. */
  readonly policyVersion: string;
}

/**
 * What tierguard decided about one artifact: a {@link Decision} (so the
 * `tierguard/testing` matchers apply) whose violations come from the engines'
 * `fail` verdicts and whose errors come from their `error` verdicts, so the
 * verdict follows `onError` (deny by default: an engine that cannot answer
 * fails closed). `action` is `{ tool: <the artifact's shown name>, kind: 'artifact' }`.
 */
export interface ValidationDecision extends Decision {
  /** The engine verdicts combined: `error` if any is, else `fail` if any is, else `pass`. */
  readonly result: ValidationOutcome;
  /** Every engine verdict, one per binding run, in policy order then binding order. */
  readonly engines: readonly EngineVerdict[];
}

/** What to do when a policy cannot be evaluated: fail closed (`deny`, the default), fail open (`allow`), or throw. */
export type OnError = 'deny' | 'allow' | 'throw';

/** Time spent on one decision, in milliseconds, per tier. */
export interface TierTimings {
  /** The auto tier, rewrites included. */
  readonly auto: number;
  /** The formal tier; 0 when it did not run. */
  readonly formal: number;
  /** The whole evaluation. */
  readonly total: number;
}

/**
 * One structured, JSON-serialisable record per decision, passed to `onDecision`.
 * It holds no action values beyond what the violations report, and none at the
 * paths a rewrite masked, removed or replaced.
 */
export interface AuditEvent {
  /** When the decision was made, ISO 8601 in UTC. */
  readonly time: string;
  /** `request` for `evaluate` and `evaluateAuto`, `response` for `evaluateResponse`. */
  readonly phase: Phase;
  /** The action's tool, or `null` when the action had none that could be read. */
  readonly tool: string | null;
  /** The action's `kind` when it is a string (e.g. `tools/call`). */
  readonly kind?: string;
  /** `sha256:` digest of the canonical JSON of the action as decided (after rewrites); `null` when it is not JSON. */
  readonly actionDigest: string | null;
  /** The verdict. */
  readonly verdict: Verdict;
  /** The verdict, or `would_deny` / `would_escalate` in monitor mode. */
  readonly outcome: Outcome;
  /** Every policy with something to say, each once, in the order first seen across violations, warnings, wouldDeny, wouldEscalate, rewrites, then errors. */
  readonly policyIds: readonly string[];
  /** As on the decision, with values at rewritten paths redacted. */
  readonly violations: readonly Violation[];
  /** As on the decision, redacted likewise. */
  readonly warnings: readonly Violation[];
  /** As on the decision, redacted likewise. */
  readonly wouldDeny: readonly Violation[];
  /** As on the decision, redacted likewise. */
  readonly wouldEscalate: readonly Violation[];
  /** As on the decision. */
  readonly escalatedBy: readonly string[];
  /** As on the decision. */
  readonly errors: readonly EvaluationError[];
  /** As on the decision. */
  readonly rewrites: readonly Rewrite[];
  /** Content hash of the policy set that decided. */
  readonly policyVersion: string;
  /** Time spent per tier. */
  readonly durationMs: TierTimings;
  /** Labels the caller passed with the evaluation (e.g. the MCP method and request id). */
  readonly labels?: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * Why an engine could not give a verdict. Callers branch on these codes, never on
 * message text, so a code is never renamed once released.
 */
export type EngineErrorCode =
  /** The binding names another engine, or its query or options are malformed. */
  | 'INVALID_BINDING'
  /** The artifact is missing, unreadable, too large, or not in the format it claims. */
  | 'INVALID_ARTIFACT'
  /** The binding's policy file (or directory) does not exist or cannot be read. */
  | 'POLICY_NOT_FOUND'
  /** The engine is not installed, not on PATH, or not runnable. */
  | 'ENGINE_UNAVAILABLE'
  /** The engine ran past its time limit and was killed with its whole process tree. */
  | 'TIMEOUT'
  /** The caller's AbortSignal fired; the engine was killed. */
  | 'ABORTED'
  /** The engine's output, or the results in it, exceeded a bound in the engine limits. */
  | 'LIMIT_EXCEEDED'
  /** The engine exited in a way that does not mean pass or fail: a crash, a bad policy, a usage error. */
  | 'ENGINE_FAILED'
  /** The engine's output could not be understood (malformed JSON or SARIF). */
  | 'INVALID_OUTPUT';

/** What went wrong when the verdict is `error`. */
export interface EngineError {
  /** Stable machine-readable code. */
  readonly code: EngineErrorCode;
  /** What went wrong, in words, with temporary paths rewritten out. */
  readonly message: string;
}

/**
 * The three answers an engine validation can give, for one engine
 * ({@link EngineVerdict}`.verdict`) or for all of them combined
 * ({@link ValidationDecision}`.result`): `pass` (no violation), `fail` (at
 * least one violation) or `error` (no answer could be had). Combined, `error`
 * outranks `fail`, which outranks `pass`.
 */
export type ValidationOutcome = 'pass' | 'fail' | 'error';

/** What every {@link EngineVerdict} holds, whatever its outcome. */
interface EngineVerdictFields {
  /** The adapter's name. */
  readonly engine: string;
  /** The binding's `policy`, as given. */
  readonly policy: string;
  /** Wall time of the call, in milliseconds; the only field that differs between identical runs. */
  readonly durationMs: number;
}

/** An engine found nothing wrong with the artifact. */
export interface EnginePassVerdict extends EngineVerdictFields {
  /** Always `pass`. */
  readonly verdict: 'pass';
  /** Always empty: a violation makes the verdict `fail`. */
  readonly violations: readonly [];
  /** Never set: only an `error` verdict has one. */
  readonly error?: never;
}

/** An engine found violations in the artifact. */
export interface EngineFailVerdict extends EngineVerdictFields {
  /** Always `fail`. */
  readonly verdict: 'fail';
  /**
   * At least one violation, with `tier: 'engine'` and the engine's rule id as
   * `constraint`, sorted so two runs list them in the same order.
   */
  readonly violations: readonly Violation[];
  /** Never set: only an `error` verdict has one. */
  readonly error?: never;
}

/** An engine could not give an answer about the artifact, and `error` says why. */
export interface EngineErrorVerdict extends EngineVerdictFields {
  /** Always `error`. */
  readonly verdict: 'error';
  /** Always empty: an engine that did not answer found nothing. */
  readonly violations: readonly [];
  /** Why there is no answer. */
  readonly error: EngineError;
}

/**
 * One engine's answer about one artifact, told apart by `verdict`: `pass` (no
 * violation), `fail` (at least one violation) or `error` (no answer could be
 * had, and `error` says why). Only an `error` verdict has `error`, and only a
 * `fail` verdict has violations, so checking `verdict` is all a caller needs.
 */
export type EngineVerdict = EnginePassVerdict | EngineFailVerdict | EngineErrorVerdict;
