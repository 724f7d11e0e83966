import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// Types only: erased from the build, so loading this module does not load the SDK.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describeThrown } from '../describe-thrown.js';
import { stopEngineRuns } from '../engines/process/live-runs.js';
import { MCP_PEERS_INSTALL, isMissingMcpPeer } from '../mcp/missing-peer.js';
import { DEFAULT_SHUTDOWN_WAIT_MS } from '../limits.js';
import type { CommandResult } from './check-command.js';
import { escapeTerminalLines } from '../terminal-text.js';
import type { BundleVerificationArgs } from './bundle-verification-args.js';
import {
  BUNDLE_VERIFICATION_OPTIONS,
  BUNDLE_VERIFICATION_USAGE,
  parseVerificationArgs,
  readVerificationArgs,
} from './bundle-verification-args.js';
import { MAX_INTERVAL_MS, parseReloadInterval } from './reload-interval.js';
import { POLICY_INPUT_OPTIONS, describePolicyInput, requirePolicyInput, watchPolicyInput } from './policy-input.js';
import type { PolicyInputArgs } from './policy-input.js';
import { UsageError } from './usage-error.js';

/** Usage of `tierguard mcp`. */
export const MCP_USAGE = `tierguard mcp (--policies <file|dir|url> ${BUNDLE_VERIFICATION_USAGE} | --config <file> [--strict]) [--http] [--host 127.0.0.1] [--port 8765] [--reload-interval <seconds>] [--allow-empty]`;

const SDK_MISSING = `tierguard mcp needs @modelcontextprotocol/sdk: ${MCP_PEERS_INSTALL}`;
// serveHttp's defaults (HTTP_DEFAULTS), repeated: importing serve-http here would load the SDK for every command.
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 8765;

const INSTRUCTIONS =
  'tierguard constraint tools. Before acting with a tool, call get_constraints with its name to learn the rules it is judged by ' +
  '(describe_scope lists every governed tool and field). To check an action before running it, call validate with the action: ' +
  'it returns the decision (allow, deny, escalate) and, for each violation, the field and what is wrong. validate never runs anything. ' +
  'Before writing code or configuration, call get_constraints with a scope describing it (e.g. { "providers": "aws", ' +
  '"resourceTypes": "aws_s3_bucket", "environments": "prod", "languages": "hcl" }) for the constraints and guidance that apply.';

/** What `tierguard mcp` was asked to do. */
interface McpOptions {
  readonly input: PolicyInputArgs;
  /** `--public-key` and `--require-signature`, for a bundle at `--policies`. */
  readonly verification: BundleVerificationArgs;
  readonly http: boolean;
  readonly host: string;
  readonly port: number;
  /** Polling interval for watchPolicies; `undefined` when polling is off (`--reload-interval 0`). */
  readonly intervalMs: number | undefined;
  /** Serve, and reload to, a bundle with no policies (`--allow-empty`). */
  readonly allowEmpty: boolean;
}

/**
 * `tierguard mcp`: serves the constraint tools (`describe_scope`,
 * `get_constraints`, `validate`) for the policies at `--policies`, over stdio, or
 * over Streamable HTTP at `http://<host>:<port>/mcp` with `--http`. The policies
 * are watched, so an edit applies without a restart: the files are polled every
 * `--reload-interval` seconds (default 2; `0` turns polling off) and SIGHUP
 * reloads at once; a broken edit is logged and the last good policies keep
 * serving. Logs go to stderr only: on stdio, stdout is the protocol.
 *
 * The MCP SDK is an optional peer dependency, loaded here on demand, so other
 * commands never load it; without it the command fails with exit 2 and the
 * install line. Serving ends on SIGINT or SIGTERM (and on stdio when the client
 * closes stdin): engine runs in flight are killed and their temporary
 * directories removed (`stopEngineRuns`), the sessions, the server and the
 * watcher are closed and the process exits 0. It exits instead of returning because `main` prints a
 * command's output on stdout, which on stdio belongs to the protocol.
 */
export async function runMcp(args: readonly string[]): Promise<CommandResult> {
  const options = parseMcpArgs(args);
  const [{ McpServer }, { registerConstraintTools }] = await Promise.all([
    importPeer(() => import('@modelcontextprotocol/sdk/server/mcp.js')),
    importPeer(() => import('../mcp/constraint-tools.js')),
  ]);
  // Lines echo paths, policy errors and request details: escaped, as every CLI message is.
  const log = (line: string): void => void process.stderr.write(`tierguard mcp: ${escapeTerminalLines(line)}\n`);

  const verification = await readVerificationArgs(options.verification);
  const watcher = await watchPolicyInput(
    options.input,
    {
      ...verification,
      // With polling off the watcher still needs an interval: its longest (about 24.8 days) never comes round in practice.
      intervalMs: options.intervalMs ?? MAX_INTERVAL_MS,
      sighup: true,
      allowEmpty: options.allowEmpty,
      onError: (error) => log(`policies not reloaded, the last good set keeps serving: ${error.code}: ${error.message}`),
      onReload: (engine) => log(`policies reloaded: ${engine.version} (${engine.policyIds.length} policies)`),
    },
    log,
  );
  const reloading = options.intervalMs === undefined ? 'on SIGHUP' : `every ${options.intervalMs / 1000} s and on SIGHUP`;
  log(
    `serving ${watcher.engine.policyIds.length} policies (${watcher.engine.version}) from ${describePolicyInput(options.input)}, reloading ${reloading}`,
  );

  const info = { name: 'tierguard', version: packageVersion() };
  const createServer = () => {
    const server = new McpServer(info, { instructions: INSTRUCTIONS });
    // Asked on every call, so a reloaded bundle answers the next call; a call pinned to a version the watcher still holds answers from it.
    registerConstraintTools(server, () => watcher.engine, { versions: watcher });
    return server;
  };

  let requestStop: (why: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => requestStop(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let stopServing: () => Promise<void>;
  try {
    stopServing = options.http ? await startHttp(options, createServer, log) : await startStdio(createServer, log, requestStop);
  } catch (error) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    watcher.close();
    throw error;
  }

  log(`stopping (${await stopRequested})`);
  watcher.close();
  // Before the server closes: a validate call in flight then answers ABORTED, its engine and daemons killed, its files removed.
  const engineRuns = await stopEngineRuns();
  if (!engineRuns.settled) log(`some engine runs were not over within ${DEFAULT_SHUTDOWN_WAIT_MS} ms; exiting anyway`);
  await stopServing();
  log('stopped');
  process.exit(0);
}

async function startHttp(options: McpOptions, createServer: () => McpServer, log: (line: string) => void): Promise<() => Promise<void>> {
  const { serveHttp } = await importPeer(() => import('../mcp/serve-http.js'));
  let endpoint: Awaited<ReturnType<typeof serveHttp>>;
  try {
    endpoint = await serveHttp({ createServer, host: options.host, port: options.port, log });
  } catch (error) {
    throw new UsageError(`cannot listen on ${options.host} port ${options.port}: ${describeThrown(error)}`);
  }
  log(`listening on ${endpoint.url}`);
  return endpoint.close;
}

async function startStdio(
  createServer: () => McpServer,
  log: (line: string) => void,
  requestStop: (why: string) => void,
): Promise<() => Promise<void>> {
  const { serveStdio } = await importPeer(() => import('../mcp/serve-stdio.js'));
  const connection = await serveStdio(createServer());
  void connection.closed.then(() => requestStop('the client closed the connection'));
  log('serving on stdio');
  return connection.close;
}

function parseMcpArgs(args: readonly string[]): McpOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...POLICY_INPUT_OPTIONS,
      ...BUNDLE_VERIFICATION_OPTIONS,
      http: { type: 'boolean', default: false },
      host: { type: 'string' },
      port: { type: 'string' },
      'reload-interval': { type: 'string' },
      'allow-empty': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  requirePolicyInput(values);
  if (!values.http && (values.host !== undefined || values.port !== undefined))
    throw new UsageError('--host and --port apply to --http only');
  const host = values.host ?? DEFAULT_HOST;
  if (host === '') throw new UsageError('--host must name an address, e.g. 127.0.0.1');
  const input = { policies: values.policies, config: values.config, strict: values.strict };
  return {
    input,
    verification: parseVerificationArgs(values, input),
    http: values.http,
    host,
    port: values.port === undefined ? DEFAULT_PORT : parsePort(values.port),
    intervalMs: parseReloadInterval(values['reload-interval']),
    allowEmpty: values['allow-empty'],
  };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535 (0 picks a free port), not "${text}"`);
  return port;
}

/** Imports a module that needs the MCP SDK; a missing SDK (or zod) becomes the install line instead of a stack trace. */
export async function importPeer<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissingMcpPeer(error)) throw new UsageError(SDK_MISSING);
    throw error;
  }
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
