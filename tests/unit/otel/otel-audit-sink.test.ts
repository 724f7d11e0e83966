import { ROOT_CONTEXT, TraceFlags, context, metrics, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, AuditEvent, PolicyDefinition } from '../../../src/index.js';
import { EVAL_MS_BUCKETS } from '../../../src/mcp/gateway/metrics.js';
import { DECISION_EVENT_NAME, OTEL_DECISIONS_METRIC, createOtelAuditSink } from '../../../src/otel/index.js';
import type { OtelAuditSinkOptions } from '../../../src/otel/index.js';
import { counterPoints, histogramCounts, recordingSdk, type RecordingSdk } from './otel-sdk.js';

/**
 * The OpenTelemetry sink against the real SDK and a real engine: one log record
 * per decision, carrying the audit event the JSON-lines sink would write, and
 * the decision metrics with bounded attributes.
 */

const POLICIES: PolicyDefinition[] = [
  { id: 'pay.limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 1000 } },
  { id: 'pay.review', tools: ['pay'], effect: 'escalate', assert: { field: 'arguments.amount', op: 'lte', value: 500 } },
  { id: 'pay.note', tools: ['pay'], effect: 'warn', assert: { field: 'arguments.note', op: 'exists' } },
  { id: 'pay.currency', tools: ['pay'], mode: 'monitor', assert: { field: 'arguments.currency', op: 'in', value: ['EUR', 'USD'] } },
];

const sdks: RecordingSdk[] = [];
afterEach(async () => {
  await Promise.all(sdks.splice(0).map((sdk) => sdk.shutdown()));
  logs.disable();
  metrics.disable();
  context.disable();
});

async function setUp(options: OtelAuditSinkOptions = {}, kind: Parameters<typeof recordingSdk>[0] = 'simple') {
  const sdk = recordingSdk(kind);
  sdks.push(sdk);
  const sink = await createOtelAuditSink({ loggerProvider: sdk.loggerProvider, meterProvider: sdk.meterProvider, ...options });
  const events: AuditEvent[] = [];
  const engine = await createEngine({
    policies: POLICIES,
    onDecision: (event) => {
      events.push(event);
      sink.write(event);
    },
  });
  return { sdk, sink, engine, events };
}

const EUR = { amount: 5, note: 'rent', currency: 'EUR' };

describe('createOtelAuditSink: log records', () => {
  it('emits one record per decision of a real engine: allow, deny, escalate, warn, monitor and error', async () => {
    const { sdk, sink, engine, events } = await setUp();
    const cases: [string, Action][] = [
      ['allow', { tool: 'pay', arguments: EUR }],
      ['deny', { tool: 'pay', arguments: { ...EUR, amount: 5000 } }],
      ['escalate', { tool: 'pay', arguments: { ...EUR, amount: 700 } }],
      ['warn', { tool: 'pay', arguments: { amount: 5, currency: 'EUR' } }],
      ['monitor', { tool: 'pay', arguments: { ...EUR, currency: 'GBP' } }],
      ['error', { arguments: EUR } as unknown as Action],
    ];
    const decisions = [];
    for (const [, action] of cases) decisions.push(await engine.evaluate(action));
    expect(decisions.map((decision) => decision.outcome)).toEqual(['allow', 'deny', 'escalate', 'allow', 'would_deny', 'deny']);
    // Emitted on a later turn of the event loop, never inside the decision.
    expect(sdk.records()).toHaveLength(0);
    await sink.flush();

    const records = sdk.records();
    expect(records.map((record) => [record.eventName, record.severityText, record.severityNumber])).toEqual([
      [DECISION_EVENT_NAME, 'INFO', 9],
      [DECISION_EVENT_NAME, 'WARN', 13],
      [DECISION_EVENT_NAME, 'WARN', 13],
      [DECISION_EVENT_NAME, 'WARN', 13],
      [DECISION_EVENT_NAME, 'WARN', 13],
      [DECISION_EVENT_NAME, 'ERROR', 17],
    ]);
    // The body is the audit event itself, as the JSON-lines sink writes it.
    expect(records.map((record) => record.body)).toEqual(events.map((event) => JSON.parse(JSON.stringify(event)) as unknown));
    expect(records[1]?.attributes).toEqual({
      'tierguard.phase': 'request',
      'tierguard.verdict': 'deny',
      'tierguard.outcome': 'deny',
      'tierguard.tool': 'pay',
      'tierguard.policy_version': engine.version,
      'tierguard.policy_ids': ['pay.limit', 'pay.review'],
    });
    expect(records[4]?.attributes).toMatchObject({ 'tierguard.verdict': 'allow', 'tierguard.outcome': 'would_deny' });
    // No tool could be read from the action: no tool attribute rather than a made-up one.
    expect(records[5]?.attributes).not.toHaveProperty('tierguard.tool');
    expect(records.map((record) => record.instrumentationScope.name)).toEqual(new Array(6).fill('tierguard'));
    expect(records[0]?.resource.attributes['service.name']).toBe('tierguard-test');
    // The record's time is the decision's, not the export's.
    expect(records.map((record) => record.hrTime[0] * 1_000 + Math.floor(record.hrTime[1] / 1e6))).toEqual(
      events.map((event) => Date.parse(event.time)),
    );
    expect(sink.stats()).toEqual({ emitted: 6, queued: 0, dropped: 0 });
  });

  it('records evaluateAuto and evaluateResponse decisions too, with their phase', async () => {
    const { sdk, sink, engine } = await setUp();
    engine.evaluateAuto({ tool: 'pay', arguments: EUR });
    await engine.evaluateResponse({ tool: 'pay', arguments: EUR }, { ok: true });
    await sink.flush();
    expect(sdk.records().map((record) => record.attributes['tierguard.phase'])).toEqual(['request', 'response']);
  });

  it('works through a batch processor: the records are exported by flush', async () => {
    const { sdk, sink, engine } = await setUp({}, 'batch');
    await engine.evaluate({ tool: 'pay', arguments: EUR });
    await engine.evaluate({ tool: 'pay', arguments: { ...EUR, amount: 5000 } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.stats().emitted).toBe(2);
    expect(sdk.records()).toHaveLength(0);
    await sink.flush();
    expect(sdk.records().map((record) => record.attributes['tierguard.outcome'])).toEqual(['allow', 'deny']);
  });

  it('uses the global providers when given none', async () => {
    const sdk = recordingSdk();
    sdks.push(sdk);
    logs.setGlobalLoggerProvider(sdk.loggerProvider);
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    const sink = await createOtelAuditSink();
    const engine = await createEngine({ policies: POLICIES, onDecision: sink.write });
    await engine.evaluate({ tool: 'pay', arguments: EUR });
    await sink.close();
    expect(sdk.records()).toHaveLength(1);
    expect(counterPoints(sdk.metrics().get(OTEL_DECISIONS_METRIC))).toEqual([[{ phase: 'request', verdict: 'allow' }, 1]]);
  });

  it('joins the trace that was active when the decision was made', async () => {
    context.setGlobalContextManager(new StackContextManager());
    const { sdk, sink, engine } = await setUp();
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
    context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => engine.evaluateAuto({ tool: 'pay', arguments: EUR }));
    engine.evaluateAuto({ tool: 'pay', arguments: EUR });
    await sink.flush();
    expect(sdk.records().map((record) => record.spanContext?.traceId)).toEqual([spanContext.traceId, undefined]);
  });

  it('can leave log records out and export metrics only, or the reverse', async () => {
    const metricsOnly = await setUp({ logs: false });
    await metricsOnly.engine.evaluate({ tool: 'pay', arguments: EUR });
    await metricsOnly.sink.flush();
    expect(metricsOnly.sdk.records()).toHaveLength(0);
    expect(counterPoints(metricsOnly.sdk.metrics().get(OTEL_DECISIONS_METRIC))).toHaveLength(1);

    const logsOnly = await setUp({ metrics: false });
    await logsOnly.engine.evaluate({ tool: 'pay', arguments: EUR });
    await logsOnly.sink.flush();
    expect(logsOnly.sdk.records()).toHaveLength(1);
    expect(logsOnly.sdk.metrics().size).toBe(0);
  });
});

describe('createOtelAuditSink: metrics', () => {
  it('counts decisions by verdict (the outcome) and times them in policy_eval_ms with the gateway buckets', async () => {
    const { sdk, sink, engine } = await setUp();
    await engine.evaluate({ tool: 'pay', kind: 'tools/call', arguments: EUR }, { labels: { method: 'tools/call' } });
    await engine.evaluate({ tool: 'pay', kind: 'tools/call', arguments: { ...EUR, amount: 5000 } }, { labels: { method: 'tools/call' } });
    await engine.evaluate({ tool: 'pay', arguments: { ...EUR, amount: 5000 } });
    await engine.evaluate({ tool: 'pay', arguments: { ...EUR, currency: 'GBP' } });
    // A method no MCP client may invent series with.
    await engine.evaluate({ tool: 'pay', kind: 'made/up', arguments: EUR });
    await sink.flush();
    const exported = sdk.metrics();
    expect(counterPoints(exported.get(OTEL_DECISIONS_METRIC))).toEqual([
      [{ phase: 'request', method: 'other', verdict: 'allow' }, 1],
      [{ phase: 'request', method: 'tools/call', verdict: 'allow' }, 1],
      [{ phase: 'request', method: 'tools/call', verdict: 'deny' }, 1],
      [{ phase: 'request', verdict: 'deny' }, 1],
      [{ phase: 'request', verdict: 'would_deny' }, 1],
    ]);
    const evalMs = exported.get('policy_eval_ms');
    expect(evalMs?.descriptor.unit).toBe('ms');
    expect(histogramCounts(evalMs)).toEqual([
      [{ phase: 'request', method: 'other' }, 1],
      [{ phase: 'request', method: 'tools/call' }, 2],
      [{ phase: 'request' }, 2],
    ]);
    const point = evalMs?.dataPoints[0] as { value: { buckets: { boundaries: number[] } } } | undefined;
    expect(point?.value.buckets.boundaries).toEqual(EVAL_MS_BUCKETS);
  });

  it('names no tool unless asked, and then only the tools listed, so tool names cannot grow the series', async () => {
    const anonymous = await setUp();
    const listed = await setUp({ metricTools: ['pay'], metricAttributes: { gateway: 'fs' } });
    for (const { engine, sink } of [anonymous, listed]) {
      await engine.evaluate({ tool: 'pay', arguments: EUR });
      for (let index = 0; index < 50; index += 1) await engine.evaluate({ tool: `made-up-${index}`, arguments: {} });
      await sink.flush();
    }
    expect(counterPoints(anonymous.sdk.metrics().get(OTEL_DECISIONS_METRIC))).toEqual([[{ phase: 'request', verdict: 'allow' }, 51]]);
    expect(counterPoints(listed.sdk.metrics().get(OTEL_DECISIONS_METRIC))).toEqual([
      [{ gateway: 'fs', phase: 'request', tool: 'other', verdict: 'allow' }, 50],
      [{ gateway: 'fs', phase: 'request', tool: 'pay', verdict: 'allow' }, 1],
    ]);
  });
});

/** The smallest context manager that carries a context through synchronous code, as the async-hooks one does across awaits. */
class StackContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  active(): Context {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A) {
    const previous = this.current;
    this.current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}
