import { redactedMessage, redactionFor } from '../effects/redact-violations.js';
import { copyEvaluationError, projectDecision } from '../decision-projection.js';
import { formatPath } from '../format-path.js';
import type { Decision, Effect, Outcome, PathSegment, Phase, Verdict } from '../types.js';

/**
 * Why the guard refused a request: a policy denied it (`denied`); it needs a
 * human's approval and there is no approval hook (`approval-required`) or the hook
 * said no (`approval-refused`); the engine provider failed (`unavailable`); the
 * request could not be evaluated at all (`evaluation-failed`); or response
 * rewrites produced a result the protocol does not allow (`invalid-result`).
 */
export type GuardDenyReason = 'denied' | 'approval-required' | 'approval-refused' | 'unavailable' | 'evaluation-failed' | 'invalid-result';

/** One violation as a client sees it: which policy, which field, and what it says. */
export interface GuardViolationSummary {
  /** The violated policy. */
  readonly policyId: string;
  /** The field as a policy writes it (`arguments.temp`), or `(action)` for the action itself. */
  readonly field: string;
  /** The field's segments into the action. */
  readonly path: readonly PathSegment[];
  /** The constraint that failed (`lte`, `require`, `applies`, ...). */
  readonly constraint: string;
  /** The policy's effect. */
  readonly effect: Effect;
  /** The policy's message. */
  readonly message: string;
}

/**
 * What a refused request's client receives, as `_meta["tierguard/decision"]` of a
 * tool error result or as the `data` of a JSON-RPC error. JSON only; it never
 * carries the `actual` and `expected` values of violations (the messages say what
 * is needed), nor anything from the caller's credentials, nor a value a monitored
 * rewrite would hide (a message quoting one is replaced by a neutral one).
 */
export interface GuardDecisionSummary {
  /** Why the request was refused. */
  readonly reason: GuardDenyReason;
  /** `request` when refused before the handler ran, `response` when its result was withheld. */
  readonly phase: Phase;
  /** The MCP method. */
  readonly method: string;
  /** The tool name, resource URI or prompt name; `null` when the request had none that is a string. */
  readonly tool: string | null;
  /** The engine's verdict (`allow` only for an invalid result or when no decision was made). */
  readonly verdict: Verdict;
  /** The engine's outcome. */
  readonly outcome: Outcome;
  /** The enforced violations, in policy order. */
  readonly violations: readonly GuardViolationSummary[];
  /** The policies that ask for a human's approval. */
  readonly escalatedBy: readonly string[];
  /** What could not be evaluated. */
  readonly errors: readonly {
    /** The error code (`INVALID_ACTION`, `EVALUATION_FAILED`, ...). */
    readonly code: string;
    /** What went wrong. */
    readonly message: string;
    /** The policy that could not be evaluated, when it was one policy. */
    readonly policyId?: string;
  }[];
  /** The policy set that decided; `null` when no engine was available. */
  readonly policyVersion: string | null;
}

/** Where a refusal happened: the method, the target, and the phase. */
export interface RefusalSite {
  /** The MCP method. */
  readonly method: string;
  /** The tool name or prompt name as sent, or the resource URI in canonical form (as sent when it does not parse; possibly not a string in a malformed request). */
  readonly tool: unknown;
  /** Before the handler ran, or after. */
  readonly phase: Phase;
}

/** The summary of a refusal the engine decided (a denial, an escalation refused or unanswered, an invalid result). */
export function summariseDecision(site: RefusalSite, reason: GuardDenyReason, decision: Decision): GuardDecisionSummary {
  // A monitored rewrite leaves what it would hide in the action (a server-side secret in
  // `context`, say), and a message may quote it through `valueRef`; the client must not see it.
  const redaction = redactionFor(decision);
  // A client sees the enforced findings only: what monitored and warn policies
  // found, and the rewrites, stay in the audit log. The fields are picked by
  // name, so a field added to the projection reaches a client only on purpose.
  const { verdict, outcome, violations, escalatedBy, errors, policyVersion } = projectDecision(decision, {
    violation: (violation) => ({
      policyId: violation.policyId,
      field: formatPath(violation.path),
      path: violation.path,
      constraint: violation.constraint,
      effect: violation.effect,
      message: redactedMessage(violation, redaction),
    }),
    error: copyEvaluationError,
    rewrite: () => undefined,
  });
  return {
    reason,
    phase: site.phase,
    method: site.method,
    tool: toolOf(site),
    verdict,
    outcome,
    violations,
    escalatedBy,
    errors,
    policyVersion,
  };
}

/**
 * The summary of a refusal made without a decision: the engine could not be had
 * (`unavailable`) or evaluation threw (`evaluation-failed`). `failure` is what the
 * client may see; the thrown error's own message may hold what it must not.
 */
export function summariseFailure(
  site: RefusalSite,
  reason: 'unavailable' | 'evaluation-failed',
  failure: { readonly code: string; readonly message: string },
  policyVersion: string | null,
): GuardDecisionSummary {
  return {
    reason,
    phase: site.phase,
    method: site.method,
    tool: toolOf(site),
    verdict: 'deny',
    outcome: 'deny',
    violations: [],
    escalatedBy: [],
    errors: [{ code: failure.code, message: failure.message }],
    policyVersion,
  };
}

function toolOf(site: RefusalSite): string | null {
  return typeof site.tool === 'string' ? site.tool : null;
}
