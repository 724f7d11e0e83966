import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { SessionServer } from './serve-http.js';
import { refuseDuplicateKeyLines } from './strict-stdio-lines.js';

/** An MCP server connected over standard input and output. */
export interface StdioConnection {
  /** Settles when the connection ends: the client closed its end of stdin, stdout broke, or {@link StdioConnection.close} ran. */
  readonly closed: Promise<void>;
  /** Closes the server and its transport. Idempotent. */
  readonly close: () => Promise<void>;
}

/** The streams to serve on; the process's own by default. */
export interface StdioStreams {
  /** Where requests arrive. */
  readonly stdin: Readable;
  /** Where responses go; nothing else may write here. */
  readonly stdout: Writable;
}

/** How {@link serveStdio} reads its input. */
export interface ServeStdioOptions {
  /**
   * Answer a line that is not JSON with a -32700 parse error, and one that is
   * JSON but no JSON-RPC message with a -32600 invalid request (default `false`:
   * the SDK drops them unanswered). A gateway turns this on, so a client that
   * sends garbage learns so instead of waiting.
   */
  readonly answerMalformed?: boolean;
}

/**
 * Connects `server` (an McpServer, a low-level Server or a gateway) over stdio. stdout is the protocol channel, so the caller
 * logs to stderr only. The SDK's transport does not notice the end of stdin,
 * and stdin ending would otherwise let the process drain and exit mid-await;
 * here the end of stdin (or an error on either stream, such as EPIPE when the
 * client has gone) closes the server and settles `closed`. A request line
 * that repeats a JSON key is answered with a parse error and never reaches the
 * server.
 */
export async function serveStdio(
  server: SessionServer,
  streams: StdioStreams = { stdin: process.stdin, stdout: process.stdout },
  options: ServeStdioOptions = {},
): Promise<StdioConnection> {
  const { stdin, stdout } = streams;
  // The SDK reads lines with JSON.parse, where the last of two equal keys wins: such lines are refused first.
  const transport = new StdioServerTransport(
    refuseDuplicateKeyLines(stdin, (response) => stdout.write(response), { answerMalformed: options.answerMalformed === true }),
    stdout,
  );
  let settle: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    settle = resolve;
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    // Started on the next microtask so `closing` is set first: server.close() closes
    // the transport, whose onclose comes back here and must find the close under way.
    closing ??= Promise.resolve().then(async () => {
      stdin.off('end', onEnd);
      stdin.off('error', onEnd);
      stdout.off('error', onEnd);
      try {
        await server.close();
      } finally {
        settle();
      }
    });
    return closing;
  };
  const onEnd = (): void => void close();
  // Set before connect: the protocol chains its own close handling after this one.
  transport.onclose = () => void close();
  stdin.once('end', onEnd);
  stdin.once('error', onEnd);
  stdout.once('error', onEnd);
  await server.connect(transport);
  return Object.freeze({ closed, close });
}
