import type { Context } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { describeThrown } from '../describe-thrown.js';
import { sinkErrorReporter } from '../effects/sink-error-reporter.js';
import { timerDelay } from '../engines/process/timer-delay.js';
import { TierguardError } from '../errors.js';
import type { AuditEvent } from '../types.js';
import { decisionLogRecord } from './decision-log-record.js';
import { OTEL_DROPPED_METRIC, decisionInstruments, type DecisionInstruments, type OtelDropReason } from './decision-metrics.js';
import { loadOtelPackages } from './otel-packages.js';
import { resolveOtelSinkOptions, type OtelAuditSinkOptions } from './otel-sink-options.js';

/** Counts of an {@link OtelAuditSink}'s events so far. */
export interface OtelAuditSinkStats {
  /** Events handed to the OpenTelemetry logger (`emit` returned). */
  readonly emitted: number;
  /** Events accepted and not yet emitted. */
  readonly queued: number;
  /** Events that will never be emitted: queue full, emit threw, sink closed, or not serialisable. */
  readonly dropped: number;
}

/** Audit events as OpenTelemetry log records and metrics; pass `sink.write` as the engine's `onDecision`. */
export interface OtelAuditSink {
  /**
   * Records the decision's metrics and queues its log record. Never throws and
   * never waits: the record is emitted on a later turn of the event loop, so a
   * slow or throwing logger costs the decision nothing. An event that cannot be
   * queued (the queue holds `limits.maxQueuedEvents`, the sink is closed) is
   * dropped, counted in `stats().dropped` and in `tierguard_audit_dropped`, and
   * the first of a run goes to `onError`. A property, so it can be passed on unbound.
   */
  readonly write: (event: AuditEvent) => void;
  /**
   * Emits everything queued, then resolves once the providers' `forceFlush`
   * (where they have one) has: the records and metrics so far are exported, or
   * failed to be (reported to `onError`). Rejects with `AUDIT_BACKLOG` when that
   * has not happened within `limits.drainTimeoutMs` (a hung exporter).
   */
  flush(): Promise<void>;
  /**
   * Stops accepting events, then flushes as `flush` does. The providers are not
   * shut down: they are yours (or the process's global ones).
   */
  close(): Promise<void>;
  /** The sink's counts now. */
  stats(): OtelAuditSinkStats;
}

interface Queued {
  readonly json: string;
  readonly context: Context | undefined;
}

/** The instrumentation scope of the logger and the meter. */
const SCOPE = 'tierguard';

/** Events emitted per turn of the event loop, so a backlog never holds it for long. */
const EMIT_BATCH = 256;

/**
 * An audit sink that exports through the OpenTelemetry API: each event as one
 * log record (`eventName` `tierguard.decision`, the redacted event as its body)
 * and as metrics (`policy_eval_ms`, `tierguard_decisions`, and
 * `tierguard_audit_dropped` for what it drops). It uses the global providers
 * unless given its own, so it exports wherever the SDK registered there sends.
 * Metrics are recorded as `write` is called (every decision counts, even when
 * its log record is dropped); log records go through a queue bounded by
 * `limits.maxQueuedEvents`.
 *
 * @throws {TierguardError} `INVALID_OPTIONS` for a malformed option; `MISSING_DEPENDENCY` when `@opentelemetry/api` or `@opentelemetry/api-logs` is not installed.
 */
export async function createOtelAuditSink(options: OtelAuditSinkOptions = {}): Promise<OtelAuditSink> {
  const resolved = resolveOtelSinkOptions(options);
  const { api, apiLogs } = await loadOtelPackages('createOtelAuditSink');
  const { limits } = resolved;
  const report = sinkErrorReporter(resolved.onError);
  const loggerProvider = resolved.loggerProvider ?? apiLogs.logs.getLoggerProvider();
  const meterProvider = resolved.meterProvider ?? api.metrics.getMeterProvider();
  const logger: Logger | undefined = resolved.logs ? setUp('loggerProvider', () => loggerProvider.getLogger(SCOPE)) : undefined;
  const instruments: DecisionInstruments | undefined = resolved.metrics
    ? setUp('meterProvider', () =>
        decisionInstruments(meterProvider.getMeter(SCOPE), { constant: resolved.metricAttributes, tools: resolved.metricTools }),
      )
    : undefined;

  // Records still to emit are queue[head..]; the array is trimmed as head advances, not shifted per record.
  let queue: Queued[] = [];
  let head = 0;
  let emitted = 0;
  let dropped = 0;
  let scheduled = false;
  let closing: Promise<void> | undefined;
  // One report per run of like failures: a stuck or failing exporter must not flood stderr as well.
  const reported = new Set<OtelDropReason | 'metrics'>();

  const drop = (reason: OtelDropReason, error: Error): void => {
    dropped += 1;
    try {
      instruments?.dropped(reason);
    } catch {
      // The drop is counted in stats() either way.
    }
    if (reason === 'not_serialisable' || !reported.has(reason)) {
      reported.add(reason);
      report(error);
    }
  };

  const emitSome = (count: number): void => {
    const end = Math.min(queue.length, head + count);
    for (; head < end; head += 1) {
      const item = queue[head] as Queued;
      try {
        logger?.emit(decisionLogRecord(item.json, item.context));
        emitted += 1;
        reported.delete('export_failed');
      } catch (error) {
        drop(
          'export_failed',
          new TierguardError(
            'IO_ERROR',
            `OpenTelemetry audit record dropped: the logger threw: ${describeThrown(error)}`,
            {},
            { cause: error },
          ),
        );
      }
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 1_024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  };

  const drain = (): void => {
    scheduled = false;
    emitSome(EMIT_BATCH);
    if (head < queue.length) schedule();
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  };

  const write = (event: AuditEvent): void => {
    if (closing !== undefined) {
      drop('closed', new TierguardError('IO_ERROR', 'OpenTelemetry audit event dropped: the sink is closed'));
      return;
    }
    try {
      instruments?.record(event);
    } catch (error) {
      if (!reported.has('metrics')) {
        reported.add('metrics');
        report(
          new TierguardError('IO_ERROR', `OpenTelemetry decision metrics not recorded: ${describeThrown(error)}`, {}, { cause: error }),
        );
      }
    }
    if (logger === undefined) return;
    const queued = queue.length - head;
    if (queued >= limits.maxQueuedEvents) {
      drop(
        'queue_full',
        new TierguardError(
          'AUDIT_BACKLOG',
          `OpenTelemetry audit event dropped: ${queued} events are queued (limits.maxQueuedEvents ${limits.maxQueuedEvents}); further drops are counted in stats().dropped and ${OTEL_DROPPED_METRIC}`,
          { queuedEvents: queued, maxQueuedEvents: limits.maxQueuedEvents },
        ),
      );
      return;
    }
    reported.delete('queue_full');
    let json: string | undefined;
    try {
      json = JSON.stringify(event);
    } catch (error) {
      drop(
        'not_serialisable',
        new TierguardError(
          'IO_ERROR',
          `OpenTelemetry audit event dropped: it cannot be serialised as JSON: ${describeThrown(error)}`,
          {},
          { cause: error },
        ),
      );
      return;
    }
    if (json === undefined) {
      drop('not_serialisable', new TierguardError('IO_ERROR', 'OpenTelemetry audit event dropped: it is not a JSON value'));
      return;
    }
    // Taken now: by the time the record is emitted, the request's span is no longer the active one.
    queue.push({ json, context: activeContext() });
    schedule();
  };

  const activeContext = (): Context | undefined => {
    try {
      return api.context.active();
    } catch {
      // A context manager that throws costs the record its trace, not its export.
      return undefined;
    }
  };

  // Provider flushes still running, a timed-out one included: the SDK's batch processor answers a second
  // forceFlush at once while the first is stuck, so a later flush waits for the earlier ones itself.
  const pending = new Set<Promise<void>>();

  const flushProviders = (): Promise<void> => {
    for (const provider of [logger === undefined ? undefined : loggerProvider, instruments === undefined ? undefined : meterProvider]) {
      const flushing: Promise<void> = forceFlush(provider)
        .catch((error: unknown) =>
          report(new TierguardError('IO_ERROR', `OpenTelemetry export failed: ${describeThrown(error)}`, {}, { cause: error })),
        )
        .finally(() => pending.delete(flushing));
      pending.add(flushing);
    }
    const all = Promise.all(pending);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new TierguardError(
            'AUDIT_BACKLOG',
            `OpenTelemetry flush gave up after ${limits.drainTimeoutMs} ms: the providers' forceFlush has not finished (an exporter that does not answer?)`,
            { drainTimeoutMs: limits.drainTimeoutMs },
          ),
        );
      }, timerDelay(limits.drainTimeoutMs));
      void all.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  };

  const flush = (): Promise<void> => {
    emitSome(queue.length - head);
    return flushProviders();
  };

  const close = (): Promise<void> =>
    (closing ??= (() => {
      emitSome(queue.length - head);
      return flushProviders();
    })());

  const stats = (): OtelAuditSinkStats => ({ emitted, queued: queue.length - head, dropped });

  return Object.freeze({ write, flush, close, stats });
}

/** A provider's `forceFlush`, where it has one (the SDK's do; the API's no-op ones do not), as a promise that may reject. */
async function forceFlush(provider: unknown): Promise<void> {
  if (typeof provider !== 'object' || provider === null) return;
  const method = (provider as { forceFlush?: unknown }).forceFlush;
  if (typeof method === 'function') await (method as () => unknown).call(provider);
}

/** A provider that throws while the sink gets its logger or instruments is a mistake in the options, reported as one. */
function setUp<T>(option: 'loggerProvider' | 'meterProvider', make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new TierguardError(
      'INVALID_OPTIONS',
      `createOtelAuditSink: ${option} threw while the sink set up its ${option === 'loggerProvider' ? 'logger' : 'instruments'}: ${describeThrown(error)}`,
      { option },
      { cause: error },
    );
  }
}
