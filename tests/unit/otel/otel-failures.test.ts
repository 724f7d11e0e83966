import type { MeterProvider } from '@opentelemetry/api';
import { BatchLogRecordProcessor, type LogRecordExporter, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, isTierguardError } from '../../../src/index.js';
import type { Action, AuditEvent, PolicyDefinition } from '../../../src/index.js';
import { OTEL_DECISIONS_METRIC, OTEL_DROPPED_METRIC, createOtelAuditSink } from '../../../src/otel/index.js';
import type { OtelAuditSinkOptions } from '../../../src/otel/index.js';
import { counterPoints, recordingSdk, type ProcessorKind, type RecordingSdk } from './otel-sdk.js';

/**
 * What goes wrong on the way out never reaches a decision: a full queue drops
 * and counts, a throwing processor or exporter and a hung exporter leave every
 * verdict as it would be without the sink, and flush gives up in bounded time.
 */

const POLICIES: PolicyDefinition[] = [{ id: 'pay.limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 1000 } }];
const ACTIONS: Action[] = [
  { tool: 'pay', arguments: { amount: 5 } },
  { tool: 'pay', arguments: { amount: 5000 } },
  { tool: 'pay', arguments: { amount: 'five' } },
  { arguments: {} } as unknown as Action,
];

const sdks: RecordingSdk[] = [];
afterEach(async () => {
  await Promise.all(sdks.splice(0).map((sdk) => sdk.shutdown()));
});

async function setUp(options: OtelAuditSinkOptions = {}, kind: ProcessorKind = 'simple', exporter?: LogRecordExporter) {
  const sdk = recordingSdk(kind, exporter);
  sdks.push(sdk);
  const errors: Error[] = [];
  const sink = await createOtelAuditSink({
    loggerProvider: sdk.loggerProvider,
    meterProvider: sdk.meterProvider,
    onError: (error) => errors.push(error),
    ...options,
  });
  const engine = await createEngine({ policies: POLICIES, onDecision: sink.write });
  return { sdk, sink, engine, errors };
}

/** The decisions of an engine without any sink: what every failure below must leave unchanged. */
async function verdictsWithoutSink(): Promise<string[]> {
  const engine = await createEngine({ policies: POLICIES });
  return Promise.all(ACTIONS.map(async (action) => (await engine.evaluate(action)).outcome));
}

describe('createOtelAuditSink under pressure and failure', () => {
  it('bounds its queue: past limits.maxQueuedEvents an event is dropped, counted and reported once per run', async () => {
    const { sdk, sink, engine, errors } = await setUp({ limits: { maxQueuedEvents: 3 } });
    // A synchronous burst: nothing can be emitted until the event loop turns.
    for (let index = 0; index < 5; index += 1)
      expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: index } }).verdict).toBe('allow');
    expect(sink.stats()).toEqual({ emitted: 0, queued: 3, dropped: 2 });
    expect(errors).toHaveLength(1);
    expect(isTierguardError(errors[0], 'AUDIT_BACKLOG') && errors[0].details).toEqual({ queuedEvents: 3, maxQueuedEvents: 3 });
    await sink.flush();
    expect(sink.stats()).toEqual({ emitted: 3, queued: 0, dropped: 2 });
    expect(sdk.records().map((record) => (record.body as { durationMs?: unknown } | undefined)?.durationMs !== undefined)).toEqual([
      true,
      true,
      true,
    ]);
    // Every decision is counted, its record dropped or not; the drops have their own counter.
    expect(counterPoints(sdk.metrics().get(OTEL_DECISIONS_METRIC))).toEqual([[{ phase: 'request', verdict: 'allow' }, 5]]);
    expect(counterPoints(sdk.metrics().get(OTEL_DROPPED_METRIC))).toEqual([[{ reason: 'queue_full' }, 2]]);

    // Once the queue took events again, the next run of drops is reported again.
    for (let index = 0; index < 4; index += 1) engine.evaluateAuto({ tool: 'pay', arguments: { amount: index } });
    expect(sink.stats().dropped).toBe(3);
    expect(errors).toHaveLength(2);
  });

  it('keeps every decision when the processor throws on emit, and counts each record it lost', async () => {
    const throwing: ProcessorKind = () => ({
      onEmit() {
        throw new Error('processor exploded');
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    });
    const { sdk, sink, engine, errors } = await setUp({}, throwing);
    const outcomes = [];
    for (const action of ACTIONS) outcomes.push((await engine.evaluate(action)).outcome);
    expect(outcomes).toEqual(await verdictsWithoutSink());
    await sink.flush();
    expect(sink.stats()).toEqual({ emitted: 0, queued: 0, dropped: ACTIONS.length });
    expect(counterPoints(sdk.metrics().get(OTEL_DROPPED_METRIC))).toEqual([[{ reason: 'export_failed' }, ACTIONS.length]]);
    // One report for the run, with the processor's own error as its cause.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'IO_ERROR', cause: { message: 'processor exploded' } });
  });

  it('keeps every decision when the exporter throws; the SDK contains it and flush still resolves', async () => {
    const exporter: LogRecordExporter = {
      export() {
        throw new Error('exporter exploded');
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const { sink, engine } = await setUp({}, 'simple', exporter);
    const outcomes = [];
    for (const action of ACTIONS) outcomes.push((await engine.evaluate(action)).outcome);
    expect(outcomes).toEqual(await verdictsWithoutSink());
    await expect(sink.flush()).resolves.toBeUndefined();
    expect(sink.stats()).toEqual({ emitted: ACTIONS.length, queued: 0, dropped: 0 });
  });

  it('keeps every decision when the exporter never answers, and gives up flushing after limits.drainTimeoutMs', async () => {
    const hung: LogRecordExporter = { export: () => undefined, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
    // The SDK's own export timeout is short only so the provider can be shut down after the test.
    const batch = (exporter: LogRecordExporter): LogRecordProcessor =>
      new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 3_600_000, exportTimeoutMillis: 1_000 });
    const { sink, engine } = await setUp({ limits: { drainTimeoutMs: 50 } }, batch, hung);
    const outcomes = [];
    for (const action of ACTIONS) outcomes.push((await engine.evaluate(action)).outcome);
    expect(outcomes).toEqual(await verdictsWithoutSink());
    const flushed = await sink.flush().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(flushed).toMatchObject({ code: 'AUDIT_BACKLOG', details: { drainTimeoutMs: 50 } });
    // Still deciding while the exporter hangs.
    expect((await engine.evaluate({ tool: 'pay', arguments: { amount: 1 } })).verdict).toBe('allow');
    await expect(sink.close()).rejects.toMatchObject({ code: 'AUDIT_BACKLOG' });
  });

  it('keeps every decision, and the log records, when the meter throws', async () => {
    const throwingMeterProvider = {
      getMeter: () => ({
        createHistogram: () => ({
          record() {
            throw new Error('histogram exploded');
          },
        }),
        createCounter: () => ({
          add() {
            throw new Error('counter exploded');
          },
        }),
      }),
    } as unknown as MeterProvider;
    const { sdk, sink, engine, errors } = await setUp({ meterProvider: throwingMeterProvider });
    const outcomes = [];
    for (const action of ACTIONS) outcomes.push((await engine.evaluate(action)).outcome);
    expect(outcomes).toEqual(await verdictsWithoutSink());
    await sink.flush();
    expect(sdk.records()).toHaveLength(ACTIONS.length);
    expect(errors.map((error) => error.message)).toEqual(['OpenTelemetry decision metrics not recorded: counter exploded']);
  });

  it('drops what is written after close, and reports it once', async () => {
    const { sdk, sink, engine, errors } = await setUp();
    await engine.evaluate({ tool: 'pay', arguments: { amount: 1 } });
    await sink.close();
    for (let index = 0; index < 3; index += 1) expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 1 } }).verdict).toBe('allow');
    expect(sink.stats()).toEqual({ emitted: 1, queued: 0, dropped: 3 });
    expect(errors.map((error) => error.message)).toEqual(['OpenTelemetry audit event dropped: the sink is closed']);
    await sink.flush();
    expect(sdk.records()).toHaveLength(1);
    expect(counterPoints(sdk.metrics().get(OTEL_DROPPED_METRIC))).toEqual([[{ reason: 'closed' }, 3]]);
  });

  it('never throws from write, whatever it is handed', async () => {
    const { sdk, sink, errors } = await setUp();
    const circular: Record<string, unknown> = { outcome: 'allow' };
    circular['self'] = circular;
    const hostile: unknown[] = [
      null,
      undefined,
      'text',
      {},
      circular,
      { labels: { big: 10n } },
      { outcome: 'allow', __proto__: { verdict: 'deny' } },
      new Proxy(
        {},
        {
          get() {
            throw new Error('getter trap');
          },
        },
      ),
    ];
    for (const event of hostile) expect(() => sink.write(event as AuditEvent)).not.toThrow();
    await sink.flush();
    const { emitted, dropped, queued } = sink.stats();
    expect(queued).toBe(0);
    expect(emitted + dropped).toBe(hostile.length);
    // What could not be serialised is dropped under its own reason, and each such event is reported.
    expect(counterPoints(sdk.metrics().get(OTEL_DROPPED_METRIC))).toEqual([[{ reason: 'not_serialisable' }, 4]]);
    expect(errors.filter((error) => error.message.includes('serialised') || error.message.includes('not a JSON value'))).toHaveLength(4);
    // A record is emitted only for what was JSON, and its body is plain data.
    for (const record of sdk.records()) expect(JSON.parse(JSON.stringify(record.body ?? null))).toEqual(record.body ?? null);
  });
});
