/**
 * Public data types: what a policy definition looks like, what an action looks
 * like, and what a decision says. Everything here is plain JSON-serialisable
 * data, so decisions can be logged, sent over MCP and compared in tests.
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

/** Comparison operators of the auto tier. */
export type Operator = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'regex' | 'glob' | 'exists';

/** The operators, in documentation order. */
export const OPERATORS: readonly Operator[] = Object.freeze([
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'not_in',
  'regex',
  'glob',
  'exists',
]);

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

/** A policy definition as written in JSON. Validated against `tierguard/schema/policy.json`. */
export interface PolicyDefinition {
  /** Unique id; violations and audit events name it. */
  readonly id: string;
  /** What the policy is for, in words. */
  readonly description?: string;
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
}

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

/** What tierguard decided about one action. */
export interface Decision {
  /** `allow`, `deny` or `escalate`. */
  readonly verdict: Verdict;
  /** Violations of `deny` and `escalate` policies, in policy order then field order. */
  readonly violations: readonly Violation[];
  /** Violations of `warn` policies; they never block. */
  readonly warnings: readonly Violation[];
  /** Policies that could not be evaluated; non-empty means the verdict came from `onError`. */
  readonly errors: readonly EvaluationError[];
  /** Content hash of the policy set that decided. */
  readonly policyVersion: string;
}

/** What to do when a policy cannot be evaluated: fail closed (`deny`, the default), fail open (`allow`), or throw. */
export type OnError = 'deny' | 'allow' | 'throw';
