import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildAuditEvent } from '../../../src/effects/audit-event.js';
import { createJsonLinesSink, type JsonLinesSink } from '../../../src/effects/json-lines-sink.js';
import { isTierguardError, type TierguardError } from '../../../src/errors.js';
import { DEFAULT_AUDIT_SINK_LIMITS } from '../../../src/limits.js';
import type { AuditEvent } from '../../../src/types.js';
import { thrownBy } from '../../support/thrown-by.js';
import { FACTS, makeDecision } from './make-decision.js';

// A destination that stops draining must cost neither unbounded memory nor a
// flush or close that never settles. FIFOs are real (mkfifo), so is their reader.

let directory: string;
const cleanups: (() => void)[] = [];
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tierguard-sink-backlog-'));
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  rmSync(directory, { recursive: true, force: true });
});

/** An event padded to about `size` bytes as a line. */
function event(index: number, size = 200): AuditEvent {
  const base = buildAuditEvent(makeDecision(), { ...FACTS, labels: { index, padding: '' } });
  const padding = 'x'.repeat(Math.max(0, size - JSON.stringify(base).length - 1));
  return { ...base, labels: { index, padding } };
}
const lineBytes = (written: AuditEvent): number => Buffer.byteLength(`${JSON.stringify(written)}\n`);

function collector(): { errors: Error[]; onError: (error: Error) => void } {
  const errors: Error[] = [];
  return { errors, onError: (error) => errors.push(error) };
}

/** What a promise came to within a generous bound: a hang shows as `pending`, never as a slow pass. */
async function outcomeWithin(promise: Promise<unknown>, ms = 5_000): Promise<'resolved' | 'pending' | TierguardError | Error> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => 'resolved' as const,
        (error: Error) => error,
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function fifo(): string {
  const path = join(directory, 'audit.fifo');
  execFileSync('mkfifo', [path]);
  return path;
}

/** A reader that holds the FIFO open and reads only while not paused. */
function reader(path: string): { socket: Socket; text: () => string } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const socket = new Socket({ fd, readable: true, writable: false });
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
  });
  cleanups.push(() => socket.destroy());
  return { socket, text: () => received };
}

/** Writes until the sink drops, so the queue is known to be full. */
function fillUntilDropping(sink: JsonLinesSink, size: number, start = 0): number {
  let written = start;
  while (sink.stats().dropped === 0 && written < start + 100_000) sink.write(event(written++, size));
  return written;
}

describe('createJsonLinesSink: a bounded queue', () => {
  it('accepts an event that fills limits.maxQueuedBytes exactly and drops the next, counting each and reporting the run once', async () => {
    const file = join(directory, 'audit.jsonl');
    const first = event(1);
    const { errors, onError } = collector();
    // Written in one turn, while the file is still opening: everything is queued.
    const sink = createJsonLinesSink(file, { onError, limits: { maxQueuedBytes: lineBytes(first) } });
    sink.write(first);
    expect(sink.stats()).toEqual({ written: 0, queued: 1, queuedBytes: lineBytes(first), dropped: 0 });
    sink.write(event(2));
    sink.write(event(3));
    expect(sink.stats()).toEqual({ written: 0, queued: 1, queuedBytes: lineBytes(first), dropped: 2 });
    expect(errors).toHaveLength(1);
    expect(isTierguardError(errors[0], 'AUDIT_BACKLOG')).toBe(true);
    expect(errors[0]?.message).toMatch(/audit event dropped: .* is not keeping up/);
    await sink.flush();
    // Drained: room again, and a new run of drops would be reported again.
    sink.write(event(4));
    await sink.close();
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    expect(lines.map((line) => (JSON.parse(line) as AuditEvent).labels?.['index'])).toEqual([1, 4]);
    expect(sink.stats()).toEqual({ written: 2, queued: 0, queuedBytes: 0, dropped: 2 });
  });

  it('rejects limits that are unknown or not positive integers', () => {
    const file = join(directory, 'audit.jsonl');
    for (const limits of [{ maxQueuedByte: 1 }, { maxQueuedBytes: 0 }, { drainTimeoutMs: 1.5 }]) {
      const error = thrownBy(() => createJsonLinesSink(file, { limits }));
      expect(isTierguardError(error, 'INVALID_OPTIONS')).toBe(true);
    }
  });

  it('documents frozen defaults', () => {
    expect(Object.isFrozen(DEFAULT_AUDIT_SINK_LIMITS)).toBe(true);
    expect(DEFAULT_AUDIT_SINK_LIMITS).toEqual({ maxQueuedBytes: 16 * 1_048_576, drainTimeoutMs: 5_000 });
  });
});

describe('createJsonLinesSink on a FIFO', () => {
  it('with no reader: a clear IO_ERROR, every event dropped and counted, flush and close settle', async () => {
    const path = fifo();
    const { errors, onError } = collector();
    const sink = createJsonLinesSink(path, { onError });
    for (let index = 0; index < 10; index += 1) sink.write(event(index));
    expect(await outcomeWithin(sink.flush())).toBe('resolved');
    expect(isTierguardError(errors[0], 'IO_ERROR')).toBe(true);
    expect((errors[0]?.cause as NodeJS.ErrnoException | undefined)?.code).toBe('ENXIO');
    sink.write(event(10));
    expect(await outcomeWithin(sink.close())).toBe('resolved');
    expect(sink.stats()).toEqual({ written: 0, queued: 0, queuedBytes: 0, dropped: 11 });
  });

  it('whose reader never reads: memory stays within maxQueuedBytes, flush and close reject in time saying how many were lost', async () => {
    const path = fifo();
    reader(path).socket.pause();
    const maxQueuedBytes = 2 * 1_048_576;
    const { errors, onError } = collector();
    const sink = createJsonLinesSink(path, { onError, limits: { maxQueuedBytes, drainTimeoutMs: 200 } });
    const total = fillUntilDropping(sink, 4_096);
    // Keep writing well past the bound: the queue does not grow.
    for (let index = 0; index < 500; index += 1) sink.write(event(total + index, 4_096));
    expect(sink.stats().queuedBytes).toBeLessThanOrEqual(maxQueuedBytes);
    expect(errors.filter((error) => isTierguardError(error, 'AUDIT_BACKLOG'))).toHaveLength(1);

    const flushed = await outcomeWithin(sink.flush());
    expect(isTierguardError(flushed, 'AUDIT_BACKLOG')).toBe(true);
    expect((flushed as TierguardError).message).toMatch(/flush gave up after 200 ms: \d+ events/);
    const { queued } = sink.stats();
    expect(queued).toBeGreaterThan(0);

    const closed = await outcomeWithin(sink.close());
    expect(isTierguardError(closed, 'AUDIT_BACKLOG')).toBe(true);
    expect((closed as TierguardError).details['unwritten']).toBe(queued);
    expect((closed as TierguardError).message).toContain(`${queued} events were not written`);
    const after = sink.stats();
    expect(after.queued).toBe(0);
    expect(after.written + after.dropped).toBe(total + 500);
  });

  it('whose reader stops: lines arrive while it reads; once it stops, the backlog is bounded and close gives up in time', async () => {
    const path = fifo();
    const { socket, text } = reader(path);
    const sink = createJsonLinesSink(path, { limits: { maxQueuedBytes: 2 * 1_048_576, drainTimeoutMs: 200 } });
    for (let index = 0; index < 20; index += 1) sink.write(event(index));
    expect(await outcomeWithin(sink.flush())).toBe('resolved');
    await vi.waitFor(() => expect(text().split('\n')).toHaveLength(21));
    expect(
      text()
        .split('\n')
        .slice(0, -1)
        .map((line) => (JSON.parse(line) as AuditEvent).labels?.['index']),
    ).toEqual(Array.from({ length: 20 }, (_, index) => index));

    socket.pause();
    const total = fillUntilDropping(sink, 4_096, 20);
    expect(sink.stats().queuedBytes).toBeLessThanOrEqual(2 * 1_048_576);
    const closed = await outcomeWithin(sink.close());
    expect(isTierguardError(closed, 'AUDIT_BACKLOG')).toBe(true);
    const after = sink.stats();
    expect(after.written + after.dropped).toBe(total);
    expect(after.dropped).toBeGreaterThan(0);
  });
});
