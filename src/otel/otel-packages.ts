import type * as OtelApi from '@opentelemetry/api';
import type * as OtelApiLogs from '@opentelemetry/api-logs';
import { describeThrown } from '../describe-thrown.js';
import { TierguardError } from '../errors.js';

/** The two OpenTelemetry API packages the sink runs on, as imported. */
export interface OtelPackages {
  /** `@opentelemetry/api`: the global meter provider, the active context, the no-op meter. */
  readonly api: typeof OtelApi;
  /** `@opentelemetry/api-logs`: the global logger provider. */
  readonly apiLogs: typeof OtelApiLogs;
}

/**
 * The optional peer dependencies of `tierguard/otel` with the ranges it is
 * tested with, as `package.json` declares them. The SDK packages
 * (`@opentelemetry/sdk-logs`, `-sdk-metrics`, exporters) are the user's: the
 * sink only speaks the API, so it works with whichever SDK is registered.
 */
export const OTEL_PEER_PACKAGES: Readonly<Record<'@opentelemetry/api' | '@opentelemetry/api-logs', string>> = Object.freeze({
  '@opentelemetry/api': '^1.9',
  '@opentelemetry/api-logs': '>=0.200 <1',
});

let loaded: OtelPackages | undefined;

/**
 * Imports both API packages on first use (the subpath loads neither until a
 * sink is made, so importing `tierguard/otel` never fails on its own).
 *
 * @throws {TierguardError} `MISSING_DEPENDENCY` naming every package that could not be imported and the install line.
 */
export async function loadOtelPackages(feature: string): Promise<OtelPackages> {
  if (loaded !== undefined) return loaded;
  const [api, apiLogs] = await Promise.allSettled([import('@opentelemetry/api'), import('@opentelemetry/api-logs')]);
  if (api.status === 'fulfilled' && apiLogs.status === 'fulfilled') {
    loaded = { api: api.value, apiLogs: apiLogs.value };
    return loaded;
  }
  // Not cached: the packages may be installed while the process runs.
  const missing: { readonly name: keyof typeof OTEL_PEER_PACKAGES; readonly reason: unknown }[] = [];
  if (api.status === 'rejected') missing.push({ name: '@opentelemetry/api', reason: api.reason });
  if (apiLogs.status === 'rejected') missing.push({ name: '@opentelemetry/api-logs', reason: apiLogs.reason });
  const names = missing.map(({ name }) => name);
  const install = missing.map(({ name }) => `"${name}@${OTEL_PEER_PACKAGES[name]}"`).join(' ');
  const reasons = missing.map(({ name, reason }) => `${name}: ${describeThrown(reason)}`).join('; ');
  throw new TierguardError(
    'MISSING_DEPENDENCY',
    `${feature} needs ${names.join(' and ')}, which could not be imported (${reasons}); install with: npm install ${install}`,
    { packages: names, feature },
    { cause: missing[0]?.reason },
  );
}
