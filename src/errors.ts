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
  | 'EMPTY_BUNDLE';

/**
 * The only error tierguard throws. A failed constraint is never an error: it is a
 * violation inside a decision. This is thrown when evaluation cannot happen at all.
 */
export class TierguardError extends Error {
  /** Stable machine-readable code. */
  readonly code: TierguardErrorCode;
  /** Structured context: the policy id, JSON pointer, limit name, file, ... */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: TierguardErrorCode,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TierguardError';
    this.code = code;
    this.details = details;
  }
}

/** True when `error` is a {@link TierguardError}, optionally with the given code. */
export function isTierguardError(error: unknown, code?: TierguardErrorCode): error is TierguardError {
  return error instanceof TierguardError && (code === undefined || error.code === code);
}
