// Audit events and decision metrics through OpenTelemetry, in a program that embeds the engine:
//   node examples/otel/embed.mjs examples/policies examples/actions/payment-ok.json examples/actions/payment-over-limit.json
// The console exporters print what would be sent; use OTLP exporters (or the global providers
// an SDK registered, the sink's default) to send it to a collector instead.
import { readFile } from 'node:fs/promises';
import { BatchLogRecordProcessor, ConsoleLogRecordExporter, LoggerProvider } from '@opentelemetry/sdk-logs';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { createEngine, loadPolicies } from 'tierguard';
import { createOtelAuditSink } from 'tierguard/otel';

const [policyFolder, ...actionFiles] = process.argv.slice(2);
if (policyFolder === undefined) {
  process.stderr.write('usage: node embed.mjs <policies> [action.json...]\n');
  process.exit(2);
}

const loggerProvider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: new ConsoleLogRecordExporter() })] });
const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter() })] });
const otel = await createOtelAuditSink({ loggerProvider, meterProvider, metricTools: ['payments.transfer'] });

const { definitions, sources } = await loadPolicies(policyFolder);
const engine = await createEngine({ policies: definitions, sources, onDecision: otel.write });
for (const file of actionFiles) {
  const decision = await engine.evaluate(JSON.parse(await readFile(file, 'utf8')));
  process.stderr.write(`${file}: ${decision.outcome}\n`);
}

// Everything decided so far is exported before the providers are shut down.
await otel.close();
await Promise.all([loggerProvider.shutdown(), meterProvider.shutdown()]);
