import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordExporter,
  type LogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

/**
 * The real OpenTelemetry SDK wired to in-memory exporters, as the sink's tests
 * read what it exported. Metrics are exported only when forced (the sink's
 * flush), never on a timer, so a test reads exactly what was recorded before.
 */
export interface RecordingSdk {
  readonly loggerProvider: LoggerProvider;
  readonly meterProvider: MeterProvider;
  /** Every log record the exporter received. */
  readonly records: () => ReadableLogRecord[];
  /** The metrics of the last export, by instrument name. */
  readonly metrics: () => Map<string, MetricData>;
  readonly shutdown: () => Promise<void>;
}

/** How records reach the exporter: one by one, in batches, or through a processor the test supplies. */
export type ProcessorKind = 'simple' | 'batch' | ((exporter: LogRecordExporter) => LogRecordProcessor);

// An hour: the batch processor and the metric reader export when flushed, not on their own.
const NEVER_ON_ITS_OWN_MS = 3_600_000;

/** A logger provider and a meter provider of the real SDK, each with an in-memory exporter. */
export function recordingSdk(kind: ProcessorKind = 'simple', exporter: LogRecordExporter = new InMemoryLogRecordExporter()): RecordingSdk {
  const resource = resourceFromAttributes({ 'service.name': 'tierguard-test' });
  const processor =
    kind === 'simple'
      ? new SimpleLogRecordProcessor({ exporter })
      : kind === 'batch'
        ? new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: NEVER_ON_ITS_OWN_MS })
        : kind(exporter);
  const loggerProvider = new LoggerProvider({ resource, processors: [processor] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: NEVER_ON_ITS_OWN_MS,
    exportTimeoutMillis: 30_000,
  });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  return {
    loggerProvider,
    meterProvider,
    records: () => (exporter instanceof InMemoryLogRecordExporter ? exporter.getFinishedLogRecords() : []),
    metrics: () => {
      const last = metricExporter.getMetrics().at(-1);
      return new Map((last?.scopeMetrics ?? []).flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
    },
    shutdown: async () => {
      await Promise.allSettled([loggerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

/** A counter's points as `[attributes, value]`, sorted by their attributes so the order is stable. */
export function counterPoints(metric: MetricData | undefined): [Record<string, unknown>, number][] {
  return sortedPoints((metric?.dataPoints ?? []) as DataPoint<number>[]).map((point) => [point.attributes, point.value]);
}

/** A histogram's points as `[attributes, count]`, sorted likewise. */
export function histogramCounts(metric: MetricData | undefined): [Record<string, unknown>, number][] {
  return sortedPoints((metric?.dataPoints ?? []) as DataPoint<Histogram>[]).map((point) => [point.attributes, point.value.count]);
}

function sortedPoints<T extends { attributes: Record<string, unknown> }>(points: T[]): T[] {
  return [...points].sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
}
