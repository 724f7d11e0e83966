import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeThrown } from '../describe-thrown.js';
import { createOtelAuditSink, type OtelAuditSink } from '../otel/otel-audit-sink.js';
import { loadOtelPackages } from '../otel/otel-packages.js';
import { registeredOtelProviders } from '../otel/registered-providers.js';
import { UsageError } from './usage-error.js';

/**
 * `--otel <setup.mjs>`: imports the operator's module, which registers the
 * OpenTelemetry SDK's global providers (the SDK and its exporters are the
 * operator's to choose and configure, e.g. `@opentelemetry/sdk-node`, which reads
 * the standard `OTEL_*` variables), then opens a sink on those providers. A
 * module that registers neither a logger nor a meter provider is refused: the
 * flag would export nothing without a word. One of the two missing is logged.
 *
 * @throws {UsageError} when the module cannot be imported or registers no provider.
 * @throws {TierguardError} `MISSING_DEPENDENCY` when the OpenTelemetry API packages are not installed.
 */
export async function openOtelExport(setup: string, log: (line: string) => void): Promise<OtelAuditSink> {
  try {
    await import(pathToFileURL(resolve(setup)).href);
  } catch (error) {
    throw new UsageError(`--otel: cannot import ${setup}: ${describeThrown(error)}`);
  }
  const registered = registeredOtelProviders(await loadOtelPackages('tierguard gateway --otel'));
  if (!registered.logs && !registered.metrics) {
    throw new UsageError(
      `--otel: ${setup} registered no OpenTelemetry logger provider (with a processor) and no meter provider, so nothing would be exported; register them there (logs.setGlobalLoggerProvider, metrics.setGlobalMeterProvider, or an SDK's start())`,
    );
  }
  if (!registered.logs) log(`--otel: ${setup} registered no logger provider with a processor: decisions are exported as metrics only`);
  if (!registered.metrics) log(`--otel: ${setup} registered no meter provider: decisions are exported as log records only`);
  return createOtelAuditSink({ logs: registered.logs, metrics: registered.metrics, onError: (error) => log(`otel: ${error.message}`) });
}
