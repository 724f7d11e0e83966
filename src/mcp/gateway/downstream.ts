import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Implementation, Notification, Result, ServerCapabilities, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, ListToolsResultSchema, McpError, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describeThrown } from '../../describe-thrown.js';
import { TierguardError } from '../../errors.js';
import { DEFAULT_GATEWAY_LIMITS } from '../../limits.js';
import type { HandlerExtra } from '../request-context.js';
import type { DownstreamConnection, DownstreamExit, DownstreamTarget } from './connect-downstream.js';
import { connectDownstream } from './connect-downstream.js';
import { ForwardedError, asForwarded, downstreamUnavailable, isConnectionClosed, isTimeout } from './downstream-error.js';

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
}

// A server that pages tools/list forever must not hold the gateway's start-up.
const { maxRestartBackoffMs: MAX_BACKOFF_MS, maxToolPages: MAX_TOOL_PAGES } = DEFAULT_GATEWAY_LIMITS;

/**
 * The gateway's downstream server: one SDK client connection at a time, its
 * description from `initialize`, forwarding with timeout, progress and
 * cancellation, and the restart policy. A request it cannot pass on gets a
 * JSON-RPC error that names the server and why, never a hang.
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
      connection = await connectDownstream(options.target, (client) => relayNotifications(client, options.onNotification));
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
      return result;
    } catch (error) {
      await relayed;
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

  /** Stops any restart and closes the connection (ending a spawned server). Idempotent. */
  async close(): Promise<void> {
    this.#state = 'closed';
    clearTimeout(this.#timer);
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.close().catch(() => undefined);
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
      connection = await connectDownstream(this.#options.target, (client) => relayNotifications(client, this.#options.onNotification));
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

/** What the logs and errors call the server: its command line (shortened) or URL. */
function labelOf(target: DownstreamTarget): string {
  const text = 'url' in target ? target.url : [target.command, ...(target.args ?? [])].join(' ');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function exitText(exit: DownstreamExit): string {
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return 'closed its connection';
}

function progressTokenOf(params: Record<string, unknown> | undefined): string | number | undefined {
  const meta: unknown = params?.['_meta'];
  if (typeof meta !== 'object' || meta === null) return undefined;
  const token: unknown = (meta as { progressToken?: unknown }).progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

/** The notifications the gateway relays; progress is relayed to its request, cancellations are the SDK's. */
const RELAYED: ReadonlySet<string> = new Set([
  'notifications/tools/list_changed',
  'notifications/resources/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/updated',
  'notifications/message',
]);

function relayNotifications(client: Client, relay: (notification: Notification) => void): void {
  client.fallbackNotificationHandler = (notification) => {
    if (RELAYED.has(notification.method)) relay(notification);
    return Promise.resolve();
  };
}
