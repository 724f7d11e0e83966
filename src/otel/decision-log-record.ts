import type { Context } from '@opentelemetry/api';
import type { AnyValueMap, LogAttributes, LogRecord } from '@opentelemetry/api-logs';

/** The `eventName` of every log record the sink emits: one decision. */
export const DECISION_EVENT_NAME = 'tierguard.decision';

// The OpenTelemetry log data model's severity numbers, fixed by the specification.
const INFO = 9;
const WARN = 13;
const ERROR = 17;

const BLOCKING_OUTCOMES: ReadonlySet<string> = new Set(['deny', 'escalate', 'would_deny', 'would_escalate']);

/**
 * The log record of one decision, from the JSON text of its audit event (the
 * redacted event the JSON-lines sink writes, so nothing the event withholds can
 * reach a record). The body is that event, parsed anew: plain data that nobody
 * else holds. A few of its fields are repeated as attributes, for a backend to
 * filter on without reading the body. `context` is the context that was active
 * when the decision was made, so the record joins the trace of its request.
 *
 * Severity: ERROR when a policy (or the action) could not be evaluated; WARN
 * when the outcome blocks or would block, or a warn policy spoke; INFO otherwise.
 *
 * @throws {SyntaxError} when `json` is not JSON; the sink serialised it, so it is.
 */
export function decisionLogRecord(json: string, context: Context | undefined): LogRecord {
  const parsed: unknown = JSON.parse(json);
  const event: Readonly<Record<string, unknown>> = isRecord(parsed) ? parsed : { event: parsed === undefined ? null : parsed };
  const outcome = text(event['outcome']);
  const severityNumber = nonEmpty(event['errors'])
    ? ERROR
    : (outcome !== undefined && BLOCKING_OUTCOMES.has(outcome)) || nonEmpty(event['warnings'])
      ? WARN
      : INFO;
  const time = Date.parse(text(event['time']) ?? '');
  const attributes: LogAttributes = {};
  copyText(attributes, 'tierguard.phase', event['phase']);
  copyText(attributes, 'tierguard.verdict', event['verdict']);
  copyText(attributes, 'tierguard.outcome', outcome);
  copyText(attributes, 'tierguard.tool', event['tool']);
  copyText(attributes, 'tierguard.policy_version', event['policyVersion']);
  const policyIds = event['policyIds'];
  if (Array.isArray(policyIds)) attributes['tierguard.policy_ids'] = policyIds.filter((id): id is string => typeof id === 'string');
  return {
    eventName: DECISION_EVENT_NAME,
    severityNumber,
    severityText: severityNumber === ERROR ? 'ERROR' : severityNumber === WARN ? 'WARN' : 'INFO',
    ...(Number.isFinite(time) ? { timestamp: time } : {}),
    // JSON.parse makes plain objects, arrays and scalars only: an AnyValue as it is.
    body: event as AnyValueMap,
    attributes,
    ...(context === undefined ? {} : { context }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function copyText(attributes: LogAttributes, name: string, value: unknown): void {
  if (typeof value === 'string') attributes[name] = value;
}
