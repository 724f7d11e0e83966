/**
 * tierguard/otel: audit events and decision metrics through OpenTelemetry. It
 * speaks the API only (`@opentelemetry/api`, `@opentelemetry/api-logs`, both
 * optional peer dependencies imported when a sink is made), so records and
 * metrics go wherever the SDK the application registered sends them.
 *
 * @packageDocumentation
 */
export { createOtelAuditSink } from './otel-audit-sink.js';
export type { OtelAuditSink, OtelAuditSinkStats } from './otel-audit-sink.js';
export type { OtelAuditSinkOptions } from './otel-sink-options.js';
export { DECISION_EVENT_NAME } from './decision-log-record.js';
export { OTEL_DECISIONS_METRIC, OTEL_DROPPED_METRIC } from './decision-metrics.js';
export type { OtelDropReason } from './decision-metrics.js';
export { OTEL_PEER_PACKAGES } from './otel-packages.js';
export { DEFAULT_OTEL_SINK_LIMITS, MAX_METRIC_TOOLS } from '../limits.js';
export type { OtelSinkLimits } from '../limits.js';
