import { createWriteStream } from 'node:fs';
import { TierguardError } from '../errors.js';
import type { AuditEvent } from '../types.js';

/** Options of {@link createJsonLinesSink}. */
export interface JsonLinesSinkOptions {
  /** Receives every I/O failure and every dropped event; default: one line to stderr. */
  readonly onError?: (error: Error) => void;
}

/** An append-only JSON-lines audit log; pass `sink.write` as the engine's `onDecision`. */
export interface JsonLinesSink {
  /**
   * Queues one event as one line. Never throws: a failure (the file cannot be
   * opened or written, the sink is closed, the event cannot be serialised) goes
   * to `onError`. A property rather than a method, so it can be passed on unbound.
   */
  readonly write: (event: AuditEvent) => void;
  /**
   * Resolves once every event written so far has been handed to the operating
   * system (readable by other processes; not fsync'd). Never rejects: failures
   * went to `onError`.
   */
  flush(): Promise<void>;
  /** Writes what is queued, closes the file and resolves; later writes are reported, not thrown. Never rejects. */
  close(): Promise<void>;
}

/**
 * Appends audit events to `file`, one `JSON.stringify(event)` per
 * `\n`-terminated line, through a `fs.WriteStream` opened with flag `a`. The file
 * is opened asynchronously, so creating a sink never blocks the event loop; an
 * I/O error is reported through `onError` and never crashes the process. Events
 * queue in memory while the disk is slower than the engine.
 */
export function createJsonLinesSink(file: string, options: JsonLinesSinkOptions = {}): JsonLinesSink {
  const report = reporter(options.onError);
  const stream = createWriteStream(file, { flags: 'a', encoding: 'utf8' });
  let queued = 0;
  let settled = 0;
  let failure: Error | undefined;
  let closing: Promise<void> | undefined;
  // Write callbacks run in write order, so a flush only needs to know how many writes to wait for.
  const waiters: { readonly target: number; readonly resolve: () => void }[] = [];

  const release = (all: boolean): void => {
    while (waiters.length > 0 && (all || (waiters[0]?.target ?? Infinity) <= settled)) waiters.shift()?.resolve();
  };

  // Without an 'error' listener a failed open or write would be an uncaught exception.
  stream.on('error', (error) => {
    if (failure !== undefined) return;
    failure = error;
    report(new TierguardError('IO_ERROR', `audit log ${file} failed: ${error.message}`, { file }, { cause: error }));
  });
  // After 'close' no write callback is still to come, whatever happened before it.
  stream.on('close', () => release(true));

  const onWritten = (): void => {
    settled += 1;
    release(false);
  };

  const write = (event: AuditEvent): void => {
    if (closing !== undefined || failure !== undefined || stream.destroyed) {
      const why = closing !== undefined ? 'the sink is closed' : `the file failed${failure === undefined ? '' : `: ${failure.message}`}`;
      report(new TierguardError('IO_ERROR', `audit event dropped: ${why}`, { file }, failure === undefined ? {} : { cause: failure }));
      return;
    }
    let line: string | undefined;
    try {
      line = JSON.stringify(event);
    } catch (error) {
      report(new TierguardError('IO_ERROR', 'audit event dropped: it cannot be serialised as JSON', { file }, { cause: error }));
      return;
    }
    if (line === undefined) {
      report(new TierguardError('IO_ERROR', 'audit event dropped: it is not a JSON value', { file }));
      return;
    }
    queued += 1;
    stream.write(`${line}\n`, onWritten);
  };

  const flush = (): Promise<void> =>
    new Promise((resolve) => {
      if (settled >= queued || stream.closed) resolve();
      else waiters.push({ target: queued, resolve });
    });

  const close = (): Promise<void> =>
    (closing ??= new Promise((resolve) => {
      if (stream.closed) {
        resolve();
        return;
      }
      stream.once('close', () => resolve());
      stream.end();
    }));

  return Object.freeze({ write, flush, close });
}

/** Calls the handler without letting it throw into a stream callback, where it would crash the process. */
function reporter(onError: ((error: Error) => void) | undefined): (error: Error) => void {
  return (error) => {
    if (onError !== undefined) {
      try {
        onError(error);
        return;
      } catch {
        // A failing handler leaves stderr as the last place to say it.
      }
    }
    try {
      process.stderr.write(`tierguard: ${error.message.replace(/[\r\n]+/g, ' ')}\n`);
    } catch {
      // Nowhere left to report to; the process keeps running.
    }
  };
}
