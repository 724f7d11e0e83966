import { metrics } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOtelPackages } from '../../../src/otel/otel-packages.js';
import { registeredOtelProviders } from '../../../src/otel/registered-providers.js';
import { recordingSdk } from './otel-sdk.js';

/** Whether the global APIs lead anywhere: what `tierguard gateway --otel` checks before it exports. */

afterEach(() => {
  logs.disable();
  metrics.disable();
});

describe('registeredOtelProviders', () => {
  it('sees no-ops when nothing is registered', async () => {
    expect(registeredOtelProviders(await loadOtelPackages('test'))).toEqual({ logs: false, metrics: false });
  });

  it('sees the SDK providers once they are registered', async () => {
    const sdk = recordingSdk();
    logs.setGlobalLoggerProvider(sdk.loggerProvider);
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    expect(registeredOtelProviders(await loadOtelPackages('test'))).toEqual({ logs: true, metrics: true });
    await sdk.shutdown();
  });

  it('counts a logger provider without a processor as nothing registered: its records would go nowhere', async () => {
    const provider = new LoggerProvider();
    logs.setGlobalLoggerProvider(provider);
    expect(registeredOtelProviders(await loadOtelPackages('test'))).toEqual({ logs: false, metrics: false });
    await provider.shutdown();
  });
});
