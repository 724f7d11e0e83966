import type { IncomingMessage, ServerResponse } from 'node:http';
// Types only: erased from the build, so loading this module does not load the SDK.
import type { Gateway } from '../mcp/gateway/create-gateway.js';
import type { GatewayOptions } from '../mcp/gateway/gateway-options.js';
import { describeThrown } from '../describe-thrown.js';
import { createJsonLinesSink } from '../effects/json-lines-sink.js';
import { checkEngineAgainstTools } from '../mcp/gateway/check-tool-schemas.js';
import { decisionObserver } from '../mcp/gateway/decision-observer.js';
import type { GatewayMetrics } from '../mcp/gateway/metrics.js';
import { PROMETHEUS_CONTENT_TYPE, createGatewayMetrics } from '../mcp/gateway/metrics.js';
import { stopEngineRuns } from '../engines/process/live-runs.js';
import { escapeJsonForTerminal, escapeTerminalLines } from '../terminal-text.js';
import type { AuditEvent } from '../types.js';
import type { PolicyWatcher } from '../bundle/watch-policies.js';
import { readVerificationArgs } from './bundle-verification-args.js';
import type { CommandResult } from './check-command.js';
import type { GatewayArgs } from './gateway-args.js';
import { parseGatewayArgs } from './gateway-args.js';
import { importPeer } from './mcp-command.js';
import { openOtelExport } from './otel-export.js';
import { watchPolicyInput } from './policy-input.js';
import { MAX_INTERVAL_MS } from './reload-interval.js';
import { UsageError } from './usage-error.js';

export { GATEWAY_USAGE } from './gateway-args.js';

const LISTEN_ERRORS: ReadonlySet<string> = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

/** What the serving mode (stdio or HTTP) hands back: how to stop it and the gateways open now. */
interface Serving {
  readonly stop: () => Promise<void>;
  readonly gateways: () => readonly Gateway[];
}

/**
 * `tierguard gateway`: puts the policies at `--policies` in front of an MCP
 * server, spawned from the command after `--` (or reached at `--upstream-url`),
 * and serves it to the client over stdio, or over Streamable HTTP at
 * `http://<host>:<port>/mcp` with `--http` (one downstream connection per
 * session, `/healthz` beside it). Every request and result is judged as
 * `guardServer` judges them. The policies are watched (polled every
 * `--reload-interval` seconds, reloaded at once on SIGHUP). `--mode monitor`
 * refuses nothing and logs each `would_deny` as a JSON line at WARN on stderr;
 * `--audit <file>` appends every decision as a JSON line; `--otel <setup.mjs>`
 * exports it through the OpenTelemetry SDK that module registers. Logs go to stderr
 * only. Ends on SIGINT or SIGTERM (and on stdio when the client closes stdin),
 * closing the downstream server(s) and exiting 0; it exits rather than returns,
 * as `main` would print on stdout, which on stdio belongs to the protocol.
 */
export async function runGateway(args: readonly string[]): Promise<CommandResult> {
  const options = parseGatewayArgs(args);
  const { createGateway } = await importPeer(() => import('../mcp/gateway/create-gateway.js'));
  const log = (line: string): void => void process.stderr.write(`tierguard gateway: ${escapeTerminalLines(line)}\n`);
  const audit =
    options.audit === undefined ? undefined : createJsonLinesSink(options.audit, { onError: (error) => log(`audit: ${error.message}`) });
  const otel = options.otel === undefined ? undefined : await openOtelExport(options.otel, log);
  // Every decision, before its request goes on: to the audit file, OpenTelemetry, the monitor log and (with --metrics) the counters.
  const record = (event: AuditEvent): void => {
    audit?.write(event);
    otel?.write(event);
    warnWouldDeny(event);
  };
  // Filled in once the policies are loaded; metrics are only rendered after that.
  const policies: { watcher?: PolicyWatcher } = {};
  const metrics = options.metrics ? createGatewayMetrics({ policyVersion: () => policies.watcher?.engine.version }) : undefined;
  const onDecision = metrics === undefined ? record : decisionObserver(metrics.observeDecision, record);

  let serving: Serving | undefined;
  const verification = await readVerificationArgs(options.verification);
  const watcher = await watchPolicyInput(
    options.input,
    {
      ...verification,
      intervalMs: options.intervalMs ?? MAX_INTERVAL_MS,
      sighup: true,
      allowEmpty: options.allowEmpty,
      engine: { ...(options.mode === undefined ? {} : { mode: options.mode }), onDecision },
      onError: (error) => log(`policies not reloaded, the last good set keeps serving: ${error.code}: ${error.message}`),
      onReload: (engine) => {
        log(`policies reloaded: ${engine.version} (${engine.policyIds.length} policies)`);
        const first = serving?.gateways()[0];
        if (first !== undefined) void recheck(first, log);
      },
    },
    log,
  );
  policies.watcher = watcher;
  const gatewayOptions = (): GatewayOptions => ({
    engine: () => watcher.engine,
    policySource: watcher.source,
    downstream: options.downstream,
    requestTimeoutMs: options.timeoutMs,
    restart: options.restart,
    maxRestarts: options.maxRestarts,
    lenient: options.lenient,
    // A field a policy reads that the server's tools do not have would never match: refused at start-up (or logged with --lenient).
    checkToolSchemas: (tools) => checkEngineAgainstTools(watcher.engine, tools).map((problem) => problem.message),
    log,
    ...(options.identity === undefined ? {} : { identity: options.identity }),
  });

  let requestStop: (why: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => requestStop(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    serving = options.http
      ? await serveOverHttp(options, gatewayOptions(), metrics, log)
      : await serveOverStdio(() => createGateway(gatewayOptions()), log, requestStop);
  } catch (error) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    watcher.close();
    await audit?.close().catch(() => undefined);
    await otel?.close().catch(() => undefined);
    throw error;
  }
  log(
    `guarding ${describeTarget(options)} with ${watcher.engine.policyIds.length} policies (${watcher.engine.version}) in ${watcher.engine.mode} mode`,
  );

  log(`stopping (${await stopRequested})`);
  watcher.close();
  await stopEngineRuns();
  await serving.stop();
  await audit?.close().catch((error: unknown) => log(`audit: ${describeThrown(error)}`));
  await otel?.close().catch((error: unknown) => log(`otel: ${describeThrown(error)}`));
  log('stopped');
  process.exit(0);
}

async function serveOverStdio(
  open: () => Promise<Gateway>,
  log: (line: string) => void,
  requestStop: (why: string) => void,
): Promise<Serving> {
  const { serveStdio } = await importPeer(() => import('../mcp/serve-stdio.js'));
  const gateway = await open();
  // Malformed lines are answered: a client that sent garbage learns so instead of waiting.
  const connection = await serveStdio(gateway, undefined, { answerMalformed: true });
  void connection.closed.then(() => requestStop('the client closed the connection'));
  log('serving on stdio');
  return { stop: () => gateway.close(), gateways: () => [gateway] };
}

async function serveOverHttp(
  options: GatewayArgs,
  gatewayOptions: GatewayOptions,
  metrics: GatewayMetrics | undefined,
  log: (line: string) => void,
): Promise<Serving> {
  const { serveGatewayHttp } = await importPeer(() => import('../mcp/gateway/serve-gateway-http.js'));
  const { host, port, maxSessions, identityHeader } = options;
  let endpoint: Awaited<ReturnType<typeof serveGatewayHttp>>;
  try {
    endpoint = await serveGatewayHttp({
      ...gatewayOptions,
      host,
      port,
      maxSessions,
      ...(identityHeader === undefined ? {} : { trustedIdentityHeader: identityHeader }),
      ...(metrics === undefined ? {} : { extraRoutes: { '/metrics': metricsRoute(metrics) } }),
    });
  } catch (error) {
    // A port or address that cannot be had is a usage mistake; a downstream or policy failure keeps its own error.
    if (!LISTEN_ERRORS.has(String((error as { code?: unknown }).code))) throw error;
    throw new UsageError(`cannot listen on ${host} port ${port}: ${describeThrown(error)}`);
  }
  log(`listening on ${endpoint.url}`);
  return { stop: () => endpoint.close(), gateways: () => endpoint.gateways() };
}

/** `/metrics`: the decision counters and evaluation times in the Prometheus text format. */
function metricsRoute(metrics: GatewayMetrics) {
  return (_request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
    response.end(metrics.renderPrometheusText());
  };
}

/** A `would_deny` (monitor mode, or a policy in monitor mode) as one JSON line at WARN on stderr. */
function warnWouldDeny(event: AuditEvent): void {
  if (event.wouldDeny.length === 0) return;
  const line = {
    level: 'warn',
    event: 'would_deny',
    time: event.time,
    method: event.labels?.['method'] ?? null,
    tool: event.tool,
    phase: event.phase,
    policyIds: [...new Set(event.wouldDeny.map((violation) => violation.policyId))],
    violations: event.wouldDeny.map(({ policyId, path, message }) => ({ policyId, path, message })),
    policyVersion: event.policyVersion,
  };
  process.stderr.write(`${escapeJsonForTerminal(JSON.stringify(line))}\n`);
}

async function recheck(gateway: Gateway, log: (line: string) => void): Promise<void> {
  try {
    for (const problem of await gateway.checkTools()) log(`after the reload, the policies do not match the downstream tools: ${problem}`);
  } catch (error) {
    log(`after the reload, the tools could not be checked: ${describeThrown(error)}`);
  }
}

function describeTarget(options: GatewayArgs): string {
  return 'url' in options.downstream ? options.downstream.url : [options.downstream.command, ...options.downstream.args].join(' ');
}
