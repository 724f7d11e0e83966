import type { Writable } from 'node:stream';
import { TierguardError } from '../errors.js';
import { resolveAuditSinkLimits, type AuditSinkLimits } from '../limits.js';
import type { AuditEvent } from '../types.js';
import { openAuditDestination } from './open-audit-destination.js';
import { sinkErrorReporter } from './sink-error-reporter.js';

/** Options of {@link createJsonLinesSink}. */
export interface JsonLinesSinkOptions {
  /** Receives every I/O failure and every dropped event; default: one line to stderr. */
  readonly onError?: (error: Error) => void;
  /** Queue and timeout bounds; unset ones keep `DEFAULT_AUDIT_SINK_LIMITS`. */
  readonly limits?: Partial<AuditSinkLimits>;
}

/** Counts of a {@link JsonLinesSink}'s events so far, to watch its backlog. */
export interface JsonLinesSinkStats {
  /** Events handed to the operating system. */
  readonly written: number;
  /** Events accepted and not yet written. */
  readonly queued: number;
  /** Bytes of the queued events, bounded by `limits.maxQueuedBytes`. */
  readonly queuedBytes: number;
  /** Events that will never be written: queue full, sink closed or failed, not serialisable, or given up by `close`. */
  readonly dropped: number;
}

/** An append-only JSON-lines audit log; pass `sink.write` as the engine's `onDecision`. */
export interface JsonLinesSink {
  /**
   * Queues one event as one line. Never throws and never blocks: a failure (the
   * file cannot be opened or written, the sink is closed, the event cannot be
   * serialised, the queue already holds `limits.maxQueuedBytes`) drops the event,
   * counts it in `stats().dropped` and goes to `onError` (a run of drops on a
   * full queue is reported once). A property rather than a method, so it can be
   * passed on unbound.
   */
  readonly write: (event: AuditEvent) => void;
  /**
   * Resolves once every event written so far has been handed to the operating
   * system (readable by other processes; not fsync'd), or could never be (a
   * failure, already reported). Rejects with `AUDIT_BACKLOG` when that has not
   * happened within `limits.drainTimeoutMs`; the events stay queued.
   */
  flush(): Promise<void>;
  /**
   * Writes what is queued, closes the file and resolves; later writes are
   * reported, not thrown. When the destination has not taken everything within
   * `limits.drainTimeoutMs`, it is closed anyway and the promise rejects with
   * `AUDIT_BACKLOG`, whose `details.unwritten` says how many events were lost.
   */
  close(): Promise<void>;
  /** The sink's counts now. */
  stats(): JsonLinesSinkStats;
}

// setTimeout fires at once for a delay it cannot hold.
const MAX_TIMER_MS = 2_147_483_647;

interface Waiter {
  /** How many events must have settled. */
  readonly target: number;
  readonly resolve: () => void;
}

/**
 * Appends audit events to `file`, one `JSON.stringify(event)` per
 * `\n`-terminated line. The file is opened asynchronously, so creating a sink
 * never blocks the event loop; an I/O error is reported through `onError` and
 * never crashes the process. Events queue in memory while the destination is
 * slower than the engine, up to `limits.maxQueuedBytes`; past that they are
 * dropped and counted, so a stuck destination costs neither memory nor decisions.
 *
 * @throws {TierguardError} `INVALID_OPTIONS` when `limits` holds an unknown key or a value that is not a positive integer.
 */
export function createJsonLinesSink(file: string, options: JsonLinesSinkOptions = {}): JsonLinesSink {
  const limits = resolveAuditSinkLimits(options.limits);
  const timeoutMs = Math.min(limits.drainTimeoutMs, MAX_TIMER_MS);
  const report = sinkErrorReporter(options.onError);
  let destination: Writable | undefined;
  // Lines accepted while the file is still opening.
  const early: { readonly text: string; readonly bytes: number }[] = [];
  let accepted = 0;
  let settled = 0;
  let written = 0;
  let dropped = 0;
  let queuedBytes = 0;
  let failure: Error | undefined;
  let closing: Promise<void> | undefined;
  // Once true, the destination is gone: no write callback counts any more.
  let finished = false;
  let overflowReported = false;
  // Write callbacks run in write order, so a flush only needs to know how many writes to wait for.
  const waiters: Waiter[] = [];
  const onFinished: (() => void)[] = [];

  const release = (): void => {
    while (waiters.length > 0 && (waiters[0]?.target ?? Infinity) <= settled) waiters.shift()?.resolve();
  };

  const settleOne = (bytes: number, ok: boolean): void => {
    if (finished) return;
    settled += 1;
    queuedBytes -= bytes;
    if (ok) written += 1;
    else dropped += 1;
    release();
  };

  /** Everything still queued is lost: the destination closed, failed to open, or `close` gave up on it. */
  const finish = (): void => {
    if (finished) return;
    dropped += accepted - settled;
    settled = accepted;
    queuedBytes = 0;
    early.length = 0;
    finished = true;
    release();
    for (const callback of onFinished.splice(0)) callback();
  };

  const fail = (error: Error): void => {
    if (failure !== undefined) return;
    failure = error;
    report(new TierguardError('IO_ERROR', `audit log ${file} failed: ${error.message}`, { file }, { cause: error }));
  };

  const hand = (target: Writable, text: string, bytes: number): void => {
    target.write(text, (error) => settleOne(bytes, error === undefined || error === null));
  };

  openAuditDestination(file).then(
    (opened) => {
      if (finished) {
        // `close` gave up while the file was opening.
        opened.destroy();
        return;
      }
      destination = opened;
      // Without an 'error' listener a failed write would be an uncaught exception.
      opened.on('error', fail);
      // After 'close' no write callback is still to come, whatever happened before it.
      opened.on('close', finish);
      for (const { text, bytes } of early.splice(0)) hand(opened, text, bytes);
      if (closing !== undefined) opened.end();
    },
    (error: Error) => {
      fail(error);
      finish();
    },
  );

  const drop = (error: TierguardError): void => {
    dropped += 1;
    report(error);
  };

  const write = (event: AuditEvent): void => {
    if (closing !== undefined || failure !== undefined || finished) {
      const why = failure !== undefined ? `the file failed: ${failure.message}` : 'the sink is closed';
      drop(new TierguardError('IO_ERROR', `audit event dropped: ${why}`, { file }, failure === undefined ? {} : { cause: failure }));
      return;
    }
    let line: string | undefined;
    try {
      line = JSON.stringify(event);
    } catch (error) {
      drop(new TierguardError('IO_ERROR', 'audit event dropped: it cannot be serialised as JSON', { file }, { cause: error }));
      return;
    }
    if (line === undefined) {
      drop(new TierguardError('IO_ERROR', 'audit event dropped: it is not a JSON value', { file }));
      return;
    }
    const text = `${line}\n`;
    const bytes = Buffer.byteLength(text);
    if (queuedBytes + bytes > limits.maxQueuedBytes) {
      dropped += 1;
      // One report per run of drops: a stuck destination must not flood stderr as well.
      if (!overflowReported) {
        overflowReported = true;
        report(
          new TierguardError(
            'AUDIT_BACKLOG',
            `audit event dropped: audit log ${file} is not keeping up (${queuedBytes} bytes queued, limits.maxQueuedBytes ${limits.maxQueuedBytes}); further drops are counted in stats().dropped`,
            { file, queuedBytes, maxQueuedBytes: limits.maxQueuedBytes },
          ),
        );
      }
      return;
    }
    overflowReported = false;
    accepted += 1;
    queuedBytes += bytes;
    if (destination === undefined) early.push({ text, bytes });
    else hand(destination, text, bytes);
  };

  const backlog = (message: string, unwritten: number): TierguardError =>
    new TierguardError('AUDIT_BACKLOG', `audit log ${file}: ${message}`, { file, unwritten, drainTimeoutMs: limits.drainTimeoutMs });

  const flush = (): Promise<void> => {
    if (settled >= accepted) return Promise.resolve();
    const target = accepted;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = waiters.indexOf(waiter);
        if (index >= 0) waiters.splice(index, 1);
        const unwritten = Math.max(0, target - settled);
        reject(
          backlog(`flush gave up after ${limits.drainTimeoutMs} ms: ${unwritten} events written before it are not written yet`, unwritten),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      waiters.push(waiter);
    });
  };

  const close = (): Promise<void> =>
    (closing ??= new Promise((resolve, reject) => {
      if (finished) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        const unwritten = accepted - settled;
        // Rejected before `finish` runs the resolve below, so the rejection is what the caller sees.
        reject(backlog(`close gave up after ${limits.drainTimeoutMs} ms: ${unwritten} events were not written`, unwritten));
        finish();
        destination?.destroy();
      }, timeoutMs);
      onFinished.push(() => {
        clearTimeout(timer);
        resolve();
      });
      destination?.end();
    }));

  const stats = (): JsonLinesSinkStats => ({ written, queued: accepted - settled, queuedBytes, dropped });

  return Object.freeze({ write, flush, close, stats });
}
