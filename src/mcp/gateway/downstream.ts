// One class, over 300 lines: forwarding, restarts and setting a session up again all read and swap the one live
// connection and its state, and splitting them would spread that state over several objects.
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  ClientCapabilities,
  Implementation,
  LoggingLevel,
  Notification,
  Result,
  ServerCapabilities,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, ListToolsResultSchema, McpError, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describeThrown } from '../../describe-thrown.js';
import { TierguardError } from '../../errors.js';
import { DEFAULT_GATEWAY_LIMITS } from '../../limits.js';
import type { HandlerExtra } from '../request-context.js';
import type { DownstreamConnection, DownstreamExit, DownstreamTarget } from './connect-downstream.js';
import { connectDownstream } from './connect-downstream.js';
import type { AskClient } from './client-requests.js';
import { sameCapabilities } from './client-requests.js';
import { configureClient } from './configure-client.js';
import { ForwardedError, asForwarded, downstreamUnavailable, isConnectionClosed, isTimeout } from './downstream-error.js';
import { exitText, labelOf } from './downstream-text.js';
import { progressTokenOf } from './progress-token.js';
import { SessionState } from './session-state.js';

/** What a gateway does when its downstream server ends without being asked to: nothing, or start it again. */
export type RestartPolicy = 'never' | 'on-failure';

/** Where a downstream server is: serving, being started again after it ended, ended for good, or closed by the gateway. */
export type DownstreamState = 'connected' | 'restarting' | 'exited' | 'closed';

/** A downstream server's state as `/healthz` and the logs report it. */
export interface DownstreamStatus {
  readonly state: DownstreamState;
  /** The command (or URL) and, once known, the name the server gave in `initialize`. */
  readonly label: string;
  /** Restarts so far. */
  readonly restarts: number;
  /** How it last ended, when it did. */
  readonly lastExit?: DownstreamExit;
}

/** How {@link Downstream.open} connects and keeps the connection. */
export interface DownstreamOptions {
  readonly target: DownstreamTarget;
  readonly restart: RestartPolicy;
  /** Restarts allowed over the gateway's life; past them the server stays down. */
  readonly maxRestarts: number;
  /** Wait before the first restart; doubled for each next one, up to `DEFAULT_GATEWAY_LIMITS.maxRestartBackoffMs`. */
  readonly restartBackoffMs: number;
  /** How long one forwarded request may wait for its answer (reset by each progress notification). */
  readonly requestTimeoutMs: number;
  readonly log: (line: string) => void;
  /** Every notification the server sends but progress (relayed to the request it belongs to). */
  readonly onNotification: (notification: Notification) => void;
  /** After a restart: the server's lists and subscriptions may have changed. */
  readonly onRestarted: () => void;
  /** Relays a request the server sends its client (`roots/list`, sampling, elicitation, `ping`) to the gateway's client. */
  readonly askClient: AskClient;
  /** A kept subscription the restarted server refused: it is dropped, and this tells the gateway's client. */
  readonly onSubscriptionDropped: (uri: string, reason: string) => void;
}

// A server that pages tools/list forever must not hold the gateway's start-up.
const { maxRestartBackoffMs: MAX_BACKOFF_MS, maxToolPages: MAX_TOOL_PAGES } = DEFAULT_GATEWAY_LIMITS;

/**
 * The gateway's downstream server: one SDK client connection at a time, its
 * description from `initialize`, forwarding with timeout, progress and
 * cancellation, the restart policy, and the session a restarted server is set
 * up with again (subscriptions, log level). Each connection declares the client
 * capabilities the gateway's client declared and relays the requests they
 * stand for. A request it cannot pass on gets a JSON-RPC error that names the
 * server and why, never a hang.
 */
export class Downstream {
  readonly #options: DownstreamOptions;
  readonly #label: string;
  #connection: DownstreamConnection | undefined;
  #state: DownstreamState = 'connected';
  #restarts = 0;
  #lastExit: DownstreamExit | undefined;
  #timer: NodeJS.Timeout | undefined;
  #name: string | undefined;
  /** The client capabilities the connection declares (or the next one will). */
  #declared: ClientCapabilities = {};
  /** Set while the server is connected again to declare other client capabilities: requests wait for it. */
  #switching: Promise<void> | undefined;
  readonly #session = new SessionState();
  /** From the first `initialize`: what the gateway advertises for as long as it runs. */
  readonly capabilities: ServerCapabilities;
  readonly serverInfo: Implementation;
  readonly instructions: string | undefined;

  private constructor(options: DownstreamOptions, connection: DownstreamConnection) {
    this.#options = options;
    this.#label = labelOf(options.target);
    this.capabilities = connection.client.getServerCapabilities() ?? {};
    this.serverInfo = connection.client.getServerVersion() ?? { name: this.#label, version: '0' };
    this.instructions = connection.client.getInstructions();
    this.#name = this.serverInfo.name;
    this.#adopt(connection);
  }

  /** Connects and initializes the server; rejects with an `IO_ERROR` naming it when that fails. */
  static async open(options: DownstreamOptions): Promise<Downstream> {
    let connection: DownstreamConnection;
    try {
      connection = await connectDownstream(options.target, configureClient(options.onNotification, {}, options.askClient));
    } catch (error) {
      throw new TierguardError(
        'IO_ERROR',
        `cannot start the downstream server ${labelOf(options.target)}: ${describeThrown(error)}`,
        { downstream: labelOf(options.target) },
        { cause: error },
      );
    }
    return new Downstream(options, connection);
  }

  /** Its state now. */
  status(): DownstreamStatus {
    return {
      state: this.#state,
      label: this.#describe(),
      restarts: this.#restarts,
      ...(this.#lastExit === undefined ? {} : { lastExit: this.#lastExit }),
    };
  }

  /**
   * Sends the request on and returns the server's result as it gave it. The
   * client's progress token is relayed (progress reaches the client under its
   * own token), its cancellation (`extra.signal`) cancels the downstream request,
   * and a server that does not answer in time gets the client a `RequestTimeout`
   * error. The server's JSON-RPC errors reach the client with their code,
   * message and data.
   */
  async forward(method: string, params: Record<string, unknown> | undefined, extra: HandlerExtra): Promise<Result> {
    if (this.#switching !== undefined) await this.#switching;
    const connection = this.#connection;
    if (connection === undefined || this.#state !== 'connected') throw this.#unavailable(method, 'before the request');
    const options: RequestOptions = { signal: extra.signal, timeout: this.#options.requestTimeoutMs, resetTimeoutOnProgress: true };
    const token = progressTokenOf(params);
    // Relayed in order, and all sent before the answer: a client forgets a request's token once it has its answer.
    let relayed = Promise.resolve();
    if (token !== undefined) {
      options.onprogress = (progress) => {
        relayed = relayed
          .then(() => extra.sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken: token } }))
          .catch(() => undefined);
      };
    }
    try {
      const result = await connection.client.request(params === undefined ? { method } : { method, params }, ResultSchema, options);
      await relayed;
      this.#session.note(method, params, true);
      return result;
    } catch (error) {
      await relayed;
      this.#session.note(method, params, false);
      throw this.#mapped(method, error, connection);
    }
  }

  /** Every tool the server lists now, page after page (at most 100 pages). */
  async listTools(): Promise<Tool[]> {
    const client = this.#connection?.client;
    if (client === undefined) return [];
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page += 1) {
      const result = await client.request({ method: 'tools/list', params: cursor === undefined ? {} : { cursor } }, ListToolsResultSchema, {
        timeout: this.#options.requestTimeoutMs,
      });
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (cursor === undefined) break;
    }
    return tools;
  }

  /** True when a message at `level` is one the gateway's client asked to receive (see `logging/setLevel`). */
  admitsLog(level: LoggingLevel): boolean {
    return this.#session.admits(level);
  }

  /**
   * The gateway's client initialized, declaring `capabilities` (those the
   * gateway relays, from `relayedCapabilities`): a new session, so the kept
   * subscriptions and log level are forgotten, as the guard forgets its own.
   * A server initializes once per connection, so when they are not the ones
   * the connection declared, the server is connected again declaring them, and
   * requests wait for that; should it fail, the old connection keeps serving
   * (and the failure is logged). A restart under way declares them anyway.
   */
  clientInitialized(capabilities: ClientCapabilities): void {
    this.#session.clear();
    if (sameCapabilities(capabilities, this.#declared)) return;
    this.#declared = capabilities;
    if (this.#state !== 'connected') return;
    const previous = this.#switching;
    const switching: Promise<void> = (async () => {
      await previous;
      await this.#redeclare(capabilities);
    })().finally(() => {
      if (this.#switching === switching) this.#switching = undefined;
    });
    this.#switching = switching;
  }

  /** Passes the client's `notifications/roots/list_changed` on, when the connection declared that the client sends it. */
  rootsChanged(): void {
    if (this.#declared.roots?.listChanged !== true) return;
    this.#connection?.client.sendRootsListChanged().catch(() => undefined);
  }

  /** Stops any restart and closes the connection (ending a spawned server). Idempotent. */
  async close(): Promise<void> {
    this.#state = 'closed';
    clearTimeout(this.#timer);
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  async #redeclare(declared: ClientCapabilities): Promise<void> {
    if (this.#declared !== declared || this.#state !== 'connected') return;
    let connection: DownstreamConnection;
    try {
      connection = await connectDownstream(this.#options.target, this.#configure(declared));
    } catch (error) {
      this.#options.log(
        `could not connect to ${this.#describe()} again to declare the client's capabilities (${Object.keys(declared).join(', ') || 'none'}): ${describeThrown(error)}; it serves without them`,
      );
      return;
    }
    // Ended, restarting (the restart declares them) or declaring others by now: this connection is not needed.
    if (this.#declared !== declared || this.#state !== 'connected') {
      await connection.close().catch(() => undefined);
      return;
    }
    const previous = this.#connection;
    this.#adopt(connection);
    this.#options.log(
      `connected to ${this.#describe()} again to declare the client's capabilities (${Object.keys(declared).join(', ') || 'none'})`,
    );
    await previous?.close().catch(() => undefined);
  }

  #configure(declared: ClientCapabilities): ReturnType<typeof configureClient> {
    return configureClient(this.#options.onNotification, declared, this.#options.askClient);
  }

  /** Sets the session up again on a restarted server before it serves; what it refuses is logged and dropped. */
  async #restore(connection: DownstreamConnection): Promise<void> {
    for (const problem of await this.#session.restore(connection.client, this.#options.requestTimeoutMs)) {
      if (problem.kind === 'level') {
        this.#options.log(`the restarted server ${this.#describe()} refused logging/setLevel "${problem.level}": ${problem.reason}`);
        continue;
      }
      this.#options.log(
        `the restarted server ${this.#describe()} refused the subscription to ${problem.uri} again (${problem.reason}); it is dropped`,
      );
      this.#options.onSubscriptionDropped(problem.uri, problem.reason);
    }
  }

  #adopt(connection: DownstreamConnection): void {
    this.#connection = connection;
    this.#state = 'connected';
    void connection.ended.then((exit) => this.#ended(connection, exit));
  }

  #ended(connection: DownstreamConnection, exit: DownstreamExit): void {
    if (this.#connection !== connection || this.#state === 'closed') return;
    this.#connection = undefined;
    this.#lastExit = exit;
    if (this.#options.restart === 'on-failure' && this.#restarts < this.#options.maxRestarts) {
      this.#state = 'restarting';
      this.#scheduleRestart();
    } else {
      this.#state = 'exited';
    }
    this.#options.log(`the downstream server ${this.#describe()} ${exitText(exit)}; ${this.#prospect()}`);
  }

  #scheduleRestart(): void {
    const delay = Math.min(this.#options.restartBackoffMs * 2 ** this.#restarts, MAX_BACKOFF_MS);
    this.#restarts += 1;
    this.#timer = setTimeout(() => void this.#restart(), delay);
  }

  async #restart(): Promise<void> {
    let connection: DownstreamConnection;
    try {
      connection = await connectDownstream(this.#options.target, this.#configure(this.#declared));
    } catch (error) {
      if (this.#state === 'closed') return;
      const more = this.#restarts < this.#options.maxRestarts;
      this.#options.log(
        `restart ${this.#restarts} of ${this.#describe()} failed: ${describeThrown(error)}${more ? '; trying again' : '; no restarts left, it stays down'}`,
      );
      if (more) this.#scheduleRestart();
      else this.#state = 'exited';
      return;
    }
    // Before it serves: no request reaches the server before it holds the session's subscriptions and log level again.
    if (this.#state !== 'closed') await this.#restore(connection);
    if (this.#state === 'closed') {
      await connection.close().catch(() => undefined);
      return;
    }
    this.#adopt(connection);
    this.#options.log(
      `the downstream server ${this.#describe()} is serving again (restart ${this.#restarts} of ${this.#options.maxRestarts})`,
    );
    this.#options.onRestarted();
  }

  #mapped(method: string, error: unknown, connection: DownstreamConnection): Error {
    if (isTimeout(error)) {
      return new ForwardedError(
        ErrorCode.RequestTimeout,
        `the downstream server ${this.#describe()} did not answer ${method} within ${this.#options.requestTimeoutMs} ms`,
        {
          downstream: this.#describe(),
          method,
          timeoutMs: this.#options.requestTimeoutMs,
        },
      );
    }
    if (isConnectionClosed(error) || connection.ending() !== undefined) return this.#unavailable(method, 'before answering');
    if (error instanceof McpError) return asForwarded(error);
    return downstreamUnavailable(`the downstream server ${this.#describe()} could not be asked ${method}: ${describeThrown(error)}`, {
      downstream: this.#describe(),
      method,
    });
  }

  #unavailable(method: string, when: string): ForwardedError {
    const exit = this.#lastExit;
    const what = this.#state === 'closed' ? 'was closed by the gateway' : exit === undefined ? 'closed its connection' : exitText(exit);
    return downstreamUnavailable(`the downstream server ${this.#describe()} ${what} ${when} ${method}; ${this.#prospect()}`, {
      downstream: this.#describe(),
      method,
      state: this.#state,
      restarts: this.#restarts,
      ...(exit === undefined ? {} : { exit }),
    });
  }

  #prospect(): string {
    if (this.#state === 'restarting') return `restarting it (restart ${this.#restarts} of ${this.#options.maxRestarts})`;
    if (this.#state === 'closed') return 'the gateway is shutting down';
    if (this.#options.restart === 'never') return 'it is not restarted (restart policy "never")';
    return `it stays down (all ${this.#options.maxRestarts} restarts used)`;
  }

  #describe(): string {
    return this.#name === undefined || this.#name === this.#label ? this.#label : `"${this.#name}" (${this.#label})`;
  }
}
