import { describe, expect, it } from 'vitest';
import { DEFAULT_OTEL_SINK_LIMITS, MAX_METRIC_TOOLS, createOtelAuditSink } from '../../../src/otel/index.js';
import type { OtelAuditSinkOptions } from '../../../src/otel/index.js';

/** Every option mistake is INVALID_OPTIONS naming the option, never a default silently kept. */

async function rejection(options: unknown): Promise<unknown> {
  return createOtelAuditSink(options as OtelAuditSinkOptions).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('createOtelAuditSink options', () => {
  it.each<[string, unknown, string]>([
    ['an unknown key', { maxQueue: 10 }, 'maxQueue'],
    ['options that are not an object', 'logs', 'options'],
    ['a logger provider without getLogger', { loggerProvider: {} }, 'loggerProvider'],
    ['a meter provider without getMeter', { meterProvider: { getMeter: 'no' } }, 'meterProvider'],
    ['logs that is not a boolean', { logs: 'yes' }, 'logs'],
    ['logs and metrics both off', { logs: false, metrics: false }, 'logs'],
    ['metricTools that is not an array', { metricTools: 'pay' }, 'metricTools'],
    ['a tool name that is not a string', { metricTools: ['pay', 7] }, 'metricTools[1]'],
    [
      'more tools than MAX_METRIC_TOOLS',
      { metricTools: Array.from({ length: MAX_METRIC_TOOLS + 1 }, (_, index) => `t${index}`) },
      'metricTools',
    ],
    ['an attribute the sink sets itself', { metricAttributes: { verdict: 'allow' } }, 'metricAttributes.verdict'],
    ['a __-prefixed attribute', { metricAttributes: JSON.parse('{"__proto__": "x"}') as unknown }, 'metricAttributes.__proto__'],
    ['an attribute name with a space', { metricAttributes: { 'my label': 'x' } }, 'metricAttributes.my label'],
    ['an attribute that is an object', { metricAttributes: { gateway: { name: 'fs' } } }, 'metricAttributes.gateway'],
    ['an attribute that is NaN', { metricAttributes: { weight: Number.NaN } }, 'metricAttributes.weight'],
    ['an unknown limit', { limits: { maxQueuedBytes: 1 } }, 'limits.maxQueuedBytes'],
    ['a limit that is not a positive integer', { limits: { maxQueuedEvents: 0 } }, 'limits.maxQueuedEvents'],
    ['onError that is not a function', { onError: 'stderr' }, 'onError'],
  ])('refuses %s', async (_what, options, option) => {
    expect(await rejection(options)).toMatchObject({ name: 'TierguardError', code: 'INVALID_OPTIONS', details: { option } });
  });

  it('reports a provider that throws while the sink sets up as that provider', async () => {
    const loggerProvider = {
      getLogger() {
        throw new Error('no logger for you');
      },
    };
    expect(await rejection({ loggerProvider })).toMatchObject({
      code: 'INVALID_OPTIONS',
      details: { option: 'loggerProvider' },
      message: expect.stringContaining('no logger for you') as unknown,
    });
  });

  it('takes MAX_METRIC_TOOLS tools, and defaults that are frozen', async () => {
    const tools = Array.from({ length: MAX_METRIC_TOOLS }, (_, index) => `t${index}`);
    await expect(
      createOtelAuditSink({ metricTools: tools, metricAttributes: { gateway: 'fs', shard: 3, canary: false } }),
    ).resolves.toBeDefined();
    expect(Object.isFrozen(DEFAULT_OTEL_SINK_LIMITS)).toBe(true);
    expect(DEFAULT_OTEL_SINK_LIMITS).toEqual({ maxQueuedEvents: 2_048, drainTimeoutMs: 5_000 });
  });
});
