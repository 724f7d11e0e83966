import type { Redaction } from '../effects/redact-violations.js';
import { auditViolation } from '../effects/redact-violations.js';
import type { JsonValue, PathSegment, Violation } from '../types.js';

/** A value as an explanation quotes it: bounded JSON, or withheld. */
export interface Shown {
  readonly value?: JsonValue;
  readonly redacted?: true;
}

const NOTHING_HIDDEN: Shown = Object.freeze({ redacted: true });

/**
 * Quotes values from the action exactly as an audit event quotes a violation's:
 * every value is put through {@link auditViolation} with the decision's
 * redaction, so the one rule decides, for the explanation as for the log, what
 * a masked, removed or replaced value may show. A value read at, in or above a
 * hidden path is withheld; so is one that holds a value a monitored rewrite only
 * proposed to hide; and everything is, when those could not all be collected.
 */
export class ValueDisplay {
  constructor(private readonly redaction: Redaction) {}

  /** A value found in the action at `path`. */
  found(value: unknown, path: readonly PathSegment[]): Shown {
    const audited = auditViolation(probe(path, { actual: value }), this.redaction);
    return audited.actual === undefined ? NOTHING_HIDDEN : { value: audited.actual as JsonValue };
  }

  /** A value the policy wrote (a literal operand): withheld only when it holds a hidden value. */
  literal(value: unknown): Shown {
    const audited = auditViolation(probe([], { expected: value }), this.redaction);
    return audited.expected === undefined ? NOTHING_HIDDEN : { value: audited.expected as JsonValue };
  }

  /** A violation as an audit event holds it. */
  violation(violation: Violation): Violation {
    return auditViolation(violation, this.redaction);
  }
}

/** A violation that carries only the value to quote, so the audit rule can be asked about it. */
function probe(path: readonly PathSegment[], values: { readonly expected?: unknown; readonly actual?: unknown }): Violation {
  return { policyId: '', tier: 'auto', constraint: '', path, message: '', ...values, effect: 'deny', severity: 'violation' };
}
