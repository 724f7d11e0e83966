import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { DECISIONS_METRIC, EVAL_MS_BUCKETS, EVAL_MS_METRIC, METRIC_METHODS, METRIC_VERDICTS } from '../mcp/gateway/metrics.js';
import type { AuditEvent } from '../types.js';

/**
 * The counter of decisions. The gateway's Prometheus name without `_total`:
 * OpenTelemetry's Prometheus exporters add the suffix to counters themselves,
 * so both routes end up as `tierguard_decisions_total`.
 */
export const OTEL_DECISIONS_METRIC = DECISIONS_METRIC.replace(/_total$/, '');

/** The counter of audit events the sink dropped, with a `reason` attribute. */
export const OTEL_DROPPED_METRIC = 'tierguard_audit_dropped';

/** Why the sink dropped an event: the values of the dropped counter's `reason` attribute. */
export type OtelDropReason = 'queue_full' | 'export_failed' | 'closed' | 'not_serialisable';

/** The attribute names the sink sets itself, which constant `attributes` may not take. */
export const RESERVED_METRIC_ATTRIBUTES: ReadonlySet<string> = new Set(['phase', 'method', 'verdict', 'tool', 'reason']);

const PHASES: ReadonlySet<string> = new Set(['request', 'response']);

/** The instruments one sink records into, made once. */
export interface DecisionInstruments {
  /** Records one decision: its time in `policy_eval_ms` and one count in the decisions counter. */
  readonly record: (event: AuditEvent) => void;
  /** Counts one dropped event. */
  readonly dropped: (reason: OtelDropReason) => void;
}

/** How the sink labels its series: constant attributes and the tools that may be named. */
export interface MetricAttributeOptions {
  /** Put on every point (`{ gateway: "fs" }`). */
  readonly constant: Readonly<Attributes>;
  /** Tools recorded under their own name in the `tool` attribute, others as `other`; without it, no `tool` attribute. */
  readonly tools: ReadonlySet<string> | undefined;
}

/**
 * The sink's three instruments on `meter`, with attribute values drawn from
 * fixed sets so the number of series stays bounded whatever the clients send:
 * `phase` (`request`, `response`), `verdict` (the outcome: `allow`, `deny`,
 * `escalate`, `would_deny`, `would_escalate`), `method` (an MCP method the
 * gateway's metrics know, else `other`; absent when the decision has none) and,
 * only for tools the caller listed, `tool`.
 */
export function decisionInstruments(meter: Meter, options: MetricAttributeOptions): DecisionInstruments {
  const evalMs: Histogram = meter.createHistogram(EVAL_MS_METRIC, {
    description: 'Time the policies took to decide one action, in milliseconds.',
    unit: 'ms',
    advice: { explicitBucketBoundaries: [...EVAL_MS_BUCKETS] },
  });
  const decisions: Counter = meter.createCounter(OTEL_DECISIONS_METRIC, {
    description: 'Decisions the policies made, by verdict (the outcome, so monitor mode counts would_deny).',
  });
  const droppedEvents: Counter = meter.createCounter(OTEL_DROPPED_METRIC, {
    description: 'Audit events the OpenTelemetry sink dropped, by reason; they reached no log record.',
  });
  return {
    record(event) {
      const shared = sharedAttributes(event, options);
      const verdict = event.outcome ?? event.verdict;
      decisions.add(1, { ...shared, verdict: METRIC_VERDICTS.includes(verdict) ? verdict : 'other' });
      const ms = event.durationMs.total;
      // A time that is no finite number would spoil the sum for good: counted above, not timed.
      if (typeof ms === 'number' && Number.isFinite(ms)) evalMs.record(Math.max(0, ms), shared);
    },
    dropped(reason) {
      droppedEvents.add(1, { ...options.constant, reason });
    },
  };
}

function sharedAttributes(event: AuditEvent, options: MetricAttributeOptions): Attributes {
  const attributes: Attributes = { ...options.constant, phase: PHASES.has(event.phase) ? event.phase : 'other' };
  // As the gateway's metrics read it: the MCP method the guard labelled, else the action's kind.
  const labelled = event.labels?.['method'];
  const method = typeof labelled === 'string' ? labelled : event.kind;
  if (typeof method === 'string') attributes['method'] = METRIC_METHODS.includes(method) ? method : 'other';
  if (options.tools !== undefined)
    attributes['tool'] = typeof event.tool === 'string' && options.tools.has(event.tool) ? event.tool : 'other';
  return attributes;
}
