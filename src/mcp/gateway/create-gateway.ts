import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities, Notification } from '@modelcontextprotocol/sdk/types.js';
import { RootsListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describeThrown } from '../../describe-thrown.js';
import { TierguardError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import type { EngineSource } from '../engine-source.js';
import { resolveEngine } from '../engine-source.js';
import { checkGuardOptions } from '../guard-options.js';
import { guardServer } from '../guard-server.js';
import { upstreamAsker } from './ask-client.js';
import { relayedCapabilities } from './client-requests.js';
import type { DownstreamStatus } from './downstream.js';
import { Downstream } from './downstream.js';
import type { GatewayOptions } from './gateway-options.js';
import { GATEWAY_DEFAULTS, checkGatewayOptions, guardOptionsOf } from './gateway-options.js';
import { openGatewayPolicies } from './gateway-policies.js';
import { withIdentity } from './identified-transport.js';
import { installForwarding, mirroredCapabilities } from './mirror-handlers.js';
import { startRequestIdsAtOne } from './request-id-zero.js';
import { droppedSubscriptionNotice } from './subscription-dropped.js';

/** What `/healthz` reports about one gateway. */
export interface GatewayStatus {
  readonly downstream: DownstreamStatus;
  /** The version of the policies judging now; `null` when the engine cannot be had. */
  readonly policyVersion: string | null;
  /** Where the policies come from (a path, a bundle URL without its query); `null` when not known (definitions or an engine given directly). */
  readonly policySource: string | null;
}

/** A running gateway: a guarded low-level Server that serves what its downstream server serves. */
export interface Gateway {
  /** The Server clients talk to, guarded by `guardServer`; connect it with {@link Gateway.connect} (or serve it over HTTP). */
  readonly server: Server;
  /** Connects the server to a client's transport, with the `identity` option as every request's verified auth when given. */
  connect(transport: Transport): Promise<void>;
  /** The downstream server's state and the policy version. */
  status(): Promise<GatewayStatus>;
  /** Runs `checkToolSchemas` against the downstream tools now (e.g. after a policy reload); `[]` without the option. */
  checkTools(): Promise<readonly string[]>;
  /** Closes the server and the downstream connection (ending a spawned server). Idempotent. */
  close(): Promise<void>;
  /** Settles once the gateway is closed: by {@link Gateway.close}, or because its client's connection ended. */
  readonly closed: Promise<void>;
}

const LIST_CHANGES = [
  ['tools', 'notifications/tools/list_changed'],
  ['resources', 'notifications/resources/list_changed'],
  ['prompts', 'notifications/prompts/list_changed'],
] as const;

/**
 * Puts policies in front of an MCP server you did not write. Connects an SDK
 * Client to the downstream server (spawned over stdio, or at a Streamable HTTP
 * URL), reads its capabilities, `serverInfo` and instructions, and builds a
 * low-level SDK Server with the same ones whose handlers forward each request
 * (with its params as sent, progress relayed, cancellation passed on, a timeout)
 * to the downstream server. That Server is guarded with `guardServer` and the
 * same options, so every request and result is judged exactly as in a server
 * you guard yourself. Notifications from downstream (list changes, resource
 * updates through the guard's subscription filter, log messages) reach the
 * client. Requests the server sends its client (`roots/list`,
 * `sampling/createMessage`, `elicitation/create`, `ping`) are relayed to the
 * client, unjudged but bounded, for the capabilities the client declared in its
 * `initialize` (declared to the server in turn; see `Downstream.clientInitialized`),
 * and the client's `notifications/roots/list_changed` goes down. A downstream
 * that ends gets every pending and later request a
 * `DOWNSTREAM_UNAVAILABLE` (-31002) error naming it and its exit, and is
 * started again under `restart: 'on-failure'`, with the client's subscriptions
 * and log level set up again before it serves. One client per gateway: for
 * many, build one gateway per client (as `tierguard gateway --http` does per
 * session), so subscriptions and log levels never mix. Rejects when the
 * options are malformed, the downstream server cannot be started, or
 * `checkToolSchemas` reports problems (unless `lenient`).
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  checkGatewayOptions(options);
  const guardOptions = guardOptionsOf(options);
  // Checked before anything is spawned; guardServer checks them again.
  checkGuardOptions(guardOptions);
  const log = options.log ?? (() => undefined);
  const policies = await openGatewayPolicies(options);
  const { source } = policies;

  // Set once the guarded Server exists; notifications that come before have nobody to go to.
  const upstream: { server?: Server } = {};
  const check = async (): Promise<readonly string[]> =>
    options.checkToolSchemas === undefined ? [] : options.checkToolSchemas(await downstream.listTools());
  const recheck = (why: string): void => {
    if (options.checkToolSchemas === undefined) return;
    check().then(
      (problems) => problems.forEach((problem) => log(`${why}, the policies no longer match the downstream tools: ${problem}`)),
      (error: unknown) => log(`${why}, the tools could not be checked against the policies: ${describeThrown(error)}`),
    );
  };
  const relay = (notification: Notification): void => {
    const { server } = upstream;
    if (server === undefined) return;
    if (notification.method === 'notifications/tools/list_changed') recheck('the downstream tools changed');
    // Not connected yet, or a client already gone: there is nobody to tell.
    server.notification(notification).catch(() => undefined);
  };
  const onRestarted = (): void => {
    for (const [capability, method] of LIST_CHANGES) {
      if (downstream.capabilities[capability]?.listChanged === true) upstream.server?.notification({ method }).catch(() => undefined);
    }
    recheck('after a restart');
  };
  const onSubscriptionDropped = (uri: string, reason: string): void => {
    const notice = downstream.capabilities.logging === undefined ? undefined : droppedSubscriptionNotice(uri, reason);
    if (notice !== undefined && downstream.admitsLog(notice.params.level)) upstream.server?.notification(notice).catch(() => undefined);
  };
  const requestTimeoutMs = options.requestTimeoutMs ?? GATEWAY_DEFAULTS.requestTimeoutMs;
  const downstream: Downstream = await openDownstream(policies.close, {
    target: options.downstream,
    restart: options.restart ?? GATEWAY_DEFAULTS.restart,
    maxRestarts: options.maxRestarts ?? GATEWAY_DEFAULTS.maxRestarts,
    restartBackoffMs: options.restartBackoffMs ?? GATEWAY_DEFAULTS.restartBackoffMs,
    requestTimeoutMs,
    log,
    onNotification: relay,
    onRestarted,
    askClient: upstreamAsker(() => upstream.server, { timeoutMs: requestTimeoutMs, limits: () => engineLimits(source) }),
    onSubscriptionDropped,
  });

  let guarded: Server;
  try {
    await startUpCheck(check, options, log);
    const capabilities = mirroredCapabilities(downstream.capabilities);
    const { instructions } = downstream;
    guarded = new Server(downstream.serverInfo, { capabilities, ...(instructions === undefined ? {} : { instructions }) });
    const server = guarded;
    // Its requests are the relayed ones: the first must be cancellable at an SDK client too.
    startRequestIdsAtOne(server);
    // Read after each initialize (a new object each time): the server is told what this client can be asked.
    let initialized: ClientCapabilities | undefined;
    const followClient = (): void => {
      const declared = server.getClientCapabilities();
      if (declared === initialized) return;
      initialized = declared;
      downstream.clientInitialized(relayedCapabilities(declared));
    };
    server.oninitialized = followClient;
    installForwarding(server, capabilities, (method, params, extra) => {
      // Also here, for a client that sends requests without notifications/initialized.
      followClient();
      return downstream.forward(method, params, extra);
    });
    server.setNotificationHandler(RootsListChangedNotificationSchema, () => downstream.rootsChanged());
    guardServer(server, source, guardOptions);
  } catch (error) {
    await downstream.close();
    policies.close();
    throw error;
  }
  upstream.server = guarded;

  let announceClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    announceClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= Promise.resolve().then(async () => {
      await Promise.allSettled([guarded.close(), downstream.close()]);
      policies.close();
      announceClosed();
    });
    return closing;
  };
  // The client left: its downstream connection has nobody to serve.
  guarded.onclose = () => void close();

  const status = async (): Promise<GatewayStatus> => {
    let policyVersion: string | null = null;
    try {
      policyVersion = (await resolveEngine(source)).version;
    } catch {
      policyVersion = null;
    }
    return { downstream: downstream.status(), policyVersion, policySource: policies.policySource ?? null };
  };
  const { identity } = options;
  return Object.freeze({
    server: guarded,
    connect: (transport: Transport) => guarded.connect(identity === undefined ? transport : withIdentity(transport, identity)),
    status,
    checkTools: check,
    close,
    closed,
  });
}

/** Opens the downstream connection; when that fails, the policy watcher the gateway started is stopped too. */
async function openDownstream(closePolicies: () => void, options: Parameters<typeof Downstream.open>[0]): Promise<Downstream> {
  try {
    return await Downstream.open(options);
  } catch (error) {
    closePolicies();
    throw error;
  }
}

/** The bounds of the engine judging now, which also bound what is relayed to the client; the defaults when it cannot be had. */
async function engineLimits(source: EngineSource): Promise<Limits> {
  try {
    return (await resolveEngine(source)).limits;
  } catch {
    return DEFAULT_LIMITS;
  }
}

async function startUpCheck(check: () => Promise<readonly string[]>, options: GatewayOptions, log: (line: string) => void): Promise<void> {
  if (options.checkToolSchemas === undefined) return;
  const problems = await check();
  if (problems.length === 0) return;
  if (options.lenient !== true) {
    throw new TierguardError('INVALID_POLICY', `the policies do not match the downstream server's tools:\n- ${problems.join('\n- ')}`, {
      problems: [...problems],
    });
  }
  for (const problem of problems) log(`warning: ${problem}`);
}
