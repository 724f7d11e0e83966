import type { OtelPackages } from './otel-packages.js';

/** Whether something is registered behind each global OpenTelemetry API, and so whether what is sent there goes anywhere. */
export interface RegisteredOtelProviders {
  /** A global logger provider is registered and has a processor that takes records. */
  readonly logs: boolean;
  /** A global meter provider is registered. */
  readonly metrics: boolean;
}

/**
 * Looks behind the global providers. Without a registered SDK each API hands
 * out no-ops, and a sink would export nothing without a word: the CLI refuses
 * `--otel` then. Logs: the global logger says whether it is `enabled` (the API's
 * own proxy says no until a provider is registered; an API without `enabled`
 * is taken at its word). Metrics: the global meter is not the API's no-op meter.
 */
export function registeredOtelProviders({ api, apiLogs }: OtelPackages): RegisteredOtelProviders {
  const logger = apiLogs.logs.getLogger('tierguard');
  const enabled = (logger as { enabled?: unknown }).enabled;
  const meter = api.metrics.getMeter('tierguard');
  return {
    logs: typeof enabled === 'function' ? (enabled as () => unknown).call(logger) === true : true,
    metrics: !(meter instanceof api.createNoopMeter().constructor),
  };
}
