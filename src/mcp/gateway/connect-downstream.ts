import type { ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ProgressNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

/** The server a gateway fronts: a command it spawns and talks to over stdio, or a Streamable HTTP endpoint. */
export type DownstreamTarget = StdioTarget | HttpTarget;

/** A downstream server spawned by the gateway and spoken to over its stdin and stdout. */
export interface StdioTarget {
  /** The executable, looked up on `PATH` as a shell would. */
  readonly command: string;
  /** Its arguments, passed as they are (no shell). */
  readonly args?: readonly string[];
  /** Variables set over the gateway's own environment, which the server inherits whole (as it would, launched directly). */
  readonly env?: Readonly<Record<string, string>>;
  /** Its working directory; default the gateway's. */
  readonly cwd?: string;
  /** Where its stderr goes: `inherit` (default, the gateway's stderr) or `ignore`. */
  readonly stderr?: 'inherit' | 'ignore';
}

/** A downstream server already running behind a Streamable HTTP endpoint. */
export interface HttpTarget {
  /** The endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
  readonly url: string;
  /** Headers sent with every request to it, e.g. the gateway's own `authorization`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** How a spawned downstream process ended; both `null` for an HTTP downstream or when it could not be seen. */
export interface DownstreamExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** One live connection to the downstream server. */
export interface DownstreamConnection {
  /** The SDK client, initialized. */
  readonly client: Client;
  /** Settles once, when the connection ends for any reason, with how the process ended. */
  readonly ended: Promise<DownstreamExit>;
  /** How the connection ended, known from the moment it did (before pending requests fail); `undefined` while it is open. */
  ending(): DownstreamExit | undefined;
  /** Closes the client (and so ends the process: stdin closed, then SIGTERM, then SIGKILL, as the SDK does). */
  close(): Promise<void>;
}

/** The gateway's name towards the downstream server, in its `initialize`. */
const CLIENT_INFO = { name: 'tierguard-gateway', version: '1' };

/**
 * Connects an SDK client to the downstream server and initializes it.
 * `configure` runs before `initialize`, so notification handlers it sets see
 * the first notification. Rejects when the process cannot be spawned, the
 * endpoint cannot be reached, or initialization fails.
 */
export async function connectDownstream(target: DownstreamTarget, configure: (client: Client) => void): Promise<DownstreamConnection> {
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  configure(client);
  let exit: DownstreamExit = { code: null, signal: null };
  let over: DownstreamExit | undefined;
  let settle: (exit: DownstreamExit) => void = () => undefined;
  const ended = new Promise<DownstreamExit>((resolve) => {
    settle = resolve;
  });
  const transport = transportFor(target, (seen) => {
    exit = seen;
  });
  // The Protocol calls its public onclose before it fails the pending requests, so they find the exit recorded.
  client.onclose = () => {
    over ??= exit;
    settle(over);
  };
  try {
    await client.connect(transport);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  handProgressOverAtOnce(client, transport);
  return Object.freeze({ client, ended, ending: () => over, close: () => client.close() });
}

function transportFor(target: DownstreamTarget, onExit: (exit: DownstreamExit) => void): Transport {
  if ('url' in target) {
    return new StreamableHTTPClientTransport(
      new URL(target.url),
      target.headers === undefined ? undefined : { requestInit: { headers: { ...target.headers } } },
    );
  }
  const transport = new StdioClientTransport({
    command: target.command,
    args: [...(target.args ?? [])],
    env: { ...inheritedEnvironment(), ...target.env },
    ...(target.cwd === undefined ? {} : { cwd: target.cwd }),
    stderr: target.stderr ?? 'inherit',
  });
  // The SDK's transport reports only that the process closed; its exit code and signal are read from the process it spawned.
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    const child = (transport as unknown as { _process?: ChildProcess })._process;
    child?.once('exit', (code, signal) => onExit({ code, signal }));
  };
  return transport;
}

/** The gateway's environment without unset values: a downstream gets what it would get launched directly. */
function inheritedEnvironment(): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) environment[name] = value;
  return environment;
}

/**
 * The SDK's Protocol handles a notification a microtask after it arrives but a
 * response at once, and forgets a request's progress handler with its answer:
 * progress read in the same chunk as the answer would find no handler and be
 * lost (the server sends its last progress just before it answers). Progress
 * notifications are handed to the Protocol's own progress dispatch as they
 * arrive instead, so they keep their place before the answer. Left as the SDK
 * has it when that dispatch is not where it was (`_onprogress`).
 */
function handProgressOverAtOnce(client: Client, transport: Transport): void {
  const dispatch: unknown = (client as unknown as { _onprogress?: unknown })._onprogress;
  const deliver = transport.onmessage;
  if (typeof dispatch !== 'function' || deliver === undefined) return;
  transport.onmessage = (message, extra) => {
    const progress =
      'method' in message && message.method === 'notifications/progress' ? ProgressNotificationSchema.safeParse(message) : undefined;
    if (progress?.success === true) (dispatch as (notification: unknown) => void).call(client, progress.data);
    else deliver(message, extra);
  };
}
