/**
 * The stable codes a {@link TierguardError} can carry. Callers branch on these,
 * never on message text, so a code is never renamed once released.
 */
export type TierguardErrorCode =
  /** A policy definition is malformed: schema, operator, path, regex or glob. */
  | 'INVALID_POLICY'
  /** The options given to `createEngine` (or another entry point) are malformed. */
  | 'INVALID_OPTIONS'
  /** The action is not an object with a string `tool`, or is otherwise unusable. */
  | 'INVALID_ACTION'
  /** The action exceeds a bound in `limits` (depth, nodes, string length). */
  | 'LIMIT_EXCEEDED'
  /** A policy threw while it was being evaluated (for example a hostile getter). */
  | 'EVALUATION_FAILED'
  /** A policy or action file could not be read or parsed. */
  | 'IO_ERROR'
  /** The `onDecision` audit handler threw; the decision was withheld rather than handed out unaudited. */
  | 'AUDIT_FAILED'
  /** An audit sink's destination is not keeping up: an event was dropped because its queue was full, or `flush`/`close` ran out of time with events unwritten. */
  | 'AUDIT_BACKLOG'
  /** A policy bundle, or one of its files, holds no policies and `allowEmpty` was not given: an empty set would allow every action. */
  | 'EMPTY_BUNDLE'
  /** A bundle file (`tierguard bundle`) is malformed, unsafe, or does not match its content hash: nothing of it is used. */
  | 'INVALID_BUNDLE'
  /** An optional peer dependency a feature needs (the OpenTelemetry API for `tierguard/otel`) is not installed; `details.packages` names what to install. */
  | 'MISSING_DEPENDENCY';

/** One thing wrong with a policy, as `INVALID_POLICY` details list it (see `DefinitionIssue`). */
export interface PolicyIssueDetails {
  /** JSON pointer into the policy definition (`/assert/all/1/op`). */
  readonly pointer: string;
  /** What was expected there, in words. */
  readonly expected: string;
  /** What is wrong. */
  readonly message: string;
  /** What was found, when it helps. */
  readonly actual?: unknown;
  /** For a misspelt key or operator: the nearest allowed names, nearest first (absent when none is near). */
  readonly suggestions?: string[];
}

/** `details` of `INVALID_POLICY`: one policy's issues, or (for several invalid policies) each policy's details under `errors`. */
export interface InvalidPolicyDetails {
  /** How the policy is named in the message (`policy "payments.cap"`, or by position). */
  readonly policy?: string;
  /** The policy's position in the set given to the engine. */
  readonly policyIndex?: number;
  /** What is wrong with it, each at its JSON pointer. (Mutable array types here, so code that casts them to its own types still compiles.) */
  readonly issues?: PolicyIssueDetails[];
  /** With several invalid policies: the details of each, in policy order. */
  readonly errors?: InvalidPolicyDetails[];
  /** The files the invalid policies came from, when known: definitions from `loadPolicies`, or `createEngine`'s `sources`. */
  readonly files?: readonly string[];
}

/** `details` of `INVALID_OPTIONS`. */
export interface InvalidOptionsDetails {
  /** The option at fault, as written (`limits.maxDepth`, `sources[1].namespace`). */
  readonly option?: string;
  /** The value given, when it helps. */
  readonly actual?: unknown;
  /** The file the option names. */
  readonly file?: string;
  /** Files that clash over the option. */
  readonly files?: readonly string[];
  /** The namespace two sources share. */
  readonly namespace?: string;
}

/** `details` of `INVALID_ACTION`. */
export interface InvalidActionDetails {
  /** What the action was instead of an object (`null`, `array`, `string`, ...). */
  readonly actual?: string;
  /** The field at fault (`tool`). */
  readonly field?: string;
  /** The policy whose evaluation refused the action. */
  readonly policyId?: string;
}

/** `details` of `LIMIT_EXCEEDED`. */
export interface LimitExceededDetails {
  /** The name of the limit in `limits` (`maxDepth`, `maxNodes`, `maxRegexWork`, ...). */
  readonly limit?: string;
  /** The measure that went past it, when it is a number. */
  readonly actual?: number;
  /** JSON pointer to where in the action the limit was reached. */
  readonly pointer?: string;
  /** The policy being evaluated when the limit was reached. */
  readonly policyId?: string;
}

/** `details` of `EVALUATION_FAILED`. */
export interface EvaluationFailedDetails {
  /** The policy that threw. */
  readonly policyId?: string;
}

/** `details` of `IO_ERROR`. */
export interface IoErrorDetails {
  /** The file (or source, such as `the message`) that could not be read or parsed. */
  readonly file?: string;
  /** The files at fault, when there are several. */
  readonly files?: readonly string[];
  /** The limit it exceeded (`maxFileBytes`, `maxDepth`, ...). */
  readonly limit?: string;
  /** Where a parse failed, 1-based. */
  readonly line?: number;
  /** Where a parse failed, 1-based. */
  readonly column?: number;
  /** JSON pointer to the value at fault. */
  readonly pointer?: string;
  /** The key that appears twice, for a duplicate key. */
  readonly key?: string;
  /** The YAML parser's own code for a YAML syntax error. */
  readonly yamlCode?: string;
  /** The option whose bound was reached (`maxSettleReads`). */
  readonly option?: string;
  /** The HTTP status a bundle server answered with (404, 503), when that is why a bundle could not be fetched. */
  readonly status?: number;
}

/** `details` of `AUDIT_BACKLOG`. */
export interface AuditBacklogDetails {
  /** The audit file. */
  readonly file?: string;
  /** Bytes queued when an event was dropped. */
  readonly queuedBytes?: number;
  /** The queue's bound. */
  readonly maxQueuedBytes?: number;
  /** How many events were lost when `close` ran out of time. */
  readonly unwritten?: number;
  /** The time `flush`/`close` waited. */
  readonly drainTimeoutMs?: number;
  /** Events queued when an event was dropped (a sink bounded by count, such as the OpenTelemetry one). */
  readonly queuedEvents?: number;
  /** The queue's bound in events. */
  readonly maxQueuedEvents?: number;
}

/** `details` of `EMPTY_BUNDLE`. */
export interface EmptyBundleDetails {
  /** The policy file that holds no policies. */
  readonly file?: string;
  /** The policy files found (none with policies). */
  readonly files?: readonly string[];
  /** The sources that were read. */
  readonly sources?: readonly string[];
  /** The option that accepts an empty set (`allowEmpty`). */
  readonly option?: string;
}

/** `details` of `INVALID_BUNDLE`. */
export interface InvalidBundleDetails {
  /** The bundle file. */
  readonly file?: string;
  /** JSON pointer, in the bundle, of the value at fault (`/files/rego~1a.rego`). */
  readonly pointer?: string;
  /** What was expected there, in words. */
  readonly expected?: string;
  /** The version the bundle states, for a hash mismatch. */
  readonly version?: string;
  /** The version its content hashes to, for a hash mismatch. */
  readonly actual?: string;
}

/** `details` of `MISSING_DEPENDENCY`. */
export interface MissingDependencyDetails {
  /** The packages that could not be imported, to install (`@opentelemetry/api`). */
  readonly packages?: readonly string[];
  /** What needs them (`createOtelAuditSink`). */
  readonly feature?: string;
}

/**
 * What `details` holds for each code. Every key is optional: a detail is
 * given where the thrower knows it. Narrow an error with
 * `isTierguardError(error, code)` to read its details without casting.
 */
export interface TierguardErrorDetailsMap {
  readonly INVALID_POLICY: InvalidPolicyDetails;
  readonly INVALID_OPTIONS: InvalidOptionsDetails;
  readonly INVALID_ACTION: InvalidActionDetails;
  readonly LIMIT_EXCEEDED: LimitExceededDetails;
  readonly EVALUATION_FAILED: EvaluationFailedDetails;
  readonly IO_ERROR: IoErrorDetails;
  readonly AUDIT_FAILED: Readonly<Record<never, never>>;
  readonly AUDIT_BACKLOG: AuditBacklogDetails;
  readonly EMPTY_BUNDLE: EmptyBundleDetails;
  readonly INVALID_BUNDLE: InvalidBundleDetails;
  readonly MISSING_DEPENDENCY: MissingDependencyDetails;
}

/**
 * The `details` of an error with code `C`: the typed keys of that code, and,
 * as before they were typed, any other key readable as `unknown` (so code that
 * indexed `details` by name keeps compiling, and a detail added later is no
 * breaking change).
 */
export type TierguardErrorDetails<C extends TierguardErrorCode = TierguardErrorCode> = TierguardErrorDetailsMap[C] &
  Readonly<Record<string, unknown>>;

/**
 * The only error tierguard throws. A failed constraint is never an error: it is a
 * violation inside a decision. This is thrown when evaluation cannot happen at all.
 * `C` is its code when known (`isTierguardError(error, 'IO_ERROR')` narrows it), so
 * `details` reads with its code's types.
 */
export class TierguardError<C extends TierguardErrorCode = TierguardErrorCode> extends Error {
  /** Stable machine-readable code. */
  readonly code: C;
  /** Structured context: the policy id, JSON pointer, limit name, file, ... (see {@link TierguardErrorDetailsMap}). */
  readonly details: TierguardErrorDetails<C>;

  constructor(code: C, message: string, details?: TierguardErrorDetails<C>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TierguardError';
    this.code = code;
    // Every key of every code's details is optional, so no details is valid details for any code.
    this.details = details ?? {};
  }
}

/** True when `error` is a {@link TierguardError}, optionally with the given code (then its `details` read with that code's types). */
export function isTierguardError<C extends TierguardErrorCode = TierguardErrorCode>(error: unknown, code?: C): error is TierguardError<C> {
  return error instanceof TierguardError && (code === undefined || error.code === code);
}
