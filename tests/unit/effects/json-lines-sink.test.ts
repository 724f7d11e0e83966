import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildAuditEvent } from '../../../src/effects/audit-event.js';
import { createJsonLinesSink } from '../../../src/effects/json-lines-sink.js';
import { isTierguardError } from '../../../src/errors.js';
import type { AuditEvent } from '../../../src/types.js';
import { thrownBy } from '../../support/thrown-by.js';
import { FACTS, makeDecision, makeViolation } from './make-decision.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tierguard-sink-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(directory, { recursive: true, force: true });
});

/** The n-th of a series of distinct events, each with a message that needs escaping. */
function event(index: number): AuditEvent {
  return buildAuditEvent(
    makeDecision({
      verdict: 'deny',
      outcome: 'deny',
      violations: [makeViolation({ actual: index, message: `line ${index}\nwith "quotes" and \u2028` })],
    }),
    { ...FACTS, labels: { index } },
  );
}

const linesOf = (file: string): string[] => readFileSync(file, 'utf8').split('\n');

/** Collects what a sink reports. */
function collector(): { errors: Error[]; onError: (error: Error) => void } {
  const errors: Error[] = [];
  return { errors, onError: (error) => errors.push(error) };
}

describe('createJsonLinesSink', () => {
  it('writes N events as N parseable lines, in order, each ending in a newline', async () => {
    const file = join(directory, 'audit.jsonl');
    const { errors, onError } = collector();
    const sink = createJsonLinesSink(file, { onError });
    const events = Array.from({ length: 200 }, (_, index) => event(index));
    for (const written of events) sink.write(written);
    await sink.flush();
    const lines = linesOf(file);
    expect(lines).toHaveLength(201);
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((line) => JSON.parse(line) as unknown)).toStrictEqual(events);
    await sink.close();
    expect(errors).toEqual([]);
  });

  it('appends to what the file already holds', async () => {
    const file = join(directory, 'audit.jsonl');
    writeFileSync(file, '{"earlier":true}\n');
    const sink = createJsonLinesSink(file);
    sink.write(event(1));
    await sink.close();
    const lines = linesOf(file);
    expect(lines[0]).toBe('{"earlier":true}');
    expect(JSON.parse(lines[1] ?? '')).toStrictEqual(event(1));
    expect(lines).toHaveLength(3);
  });

  it('works unbound, as the engine calls onDecision', async () => {
    const file = join(directory, 'audit.jsonl');
    const sink = createJsonLinesSink(file);
    const onDecision = sink.write;
    onDecision(event(7));
    await sink.close();
    expect(JSON.parse(linesOf(file)[0] ?? '')).toStrictEqual(event(7));
  });

  it('flush resolves at once with nothing queued, and leaves the sink open', async () => {
    const file = join(directory, 'audit.jsonl');
    const sink = createJsonLinesSink(file);
    await sink.flush();
    sink.write(event(1));
    await sink.flush();
    expect(linesOf(file)).toHaveLength(2);
    sink.write(event(2));
    await sink.flush();
    expect(linesOf(file)).toHaveLength(3);
    await sink.close();
  });

  it('flush waits for what was written before it, even while the file is still opening', async () => {
    const file = join(directory, 'audit.jsonl');
    const sink = createJsonLinesSink(file);
    sink.write(event(1));
    const first = sink.flush();
    sink.write(event(2));
    const second = sink.flush();
    await first;
    expect(linesOf(file).length).toBeGreaterThanOrEqual(2);
    await second;
    expect(linesOf(file)).toHaveLength(3);
    await sink.close();
  });

  it('flush waits for every queued write, not only the one in flight', async () => {
    const file = join(directory, 'audit.jsonl');
    const sink = createJsonLinesSink(file);
    sink.write(event(0));
    await sink.flush();
    // The first write goes out alone; the rest queue behind it and go out together later.
    const big = { ...event(1), labels: { padding: 'x'.repeat(100_000) } };
    for (let index = 0; index < 20; index += 1) sink.write(big);
    await sink.flush();
    expect(linesOf(file)).toHaveLength(22);
    await sink.close();
  });

  it('a flush does not resolve with an earlier one while later writes are still out', async () => {
    const file = join(directory, 'audit.jsonl');
    const sink = createJsonLinesSink(file);
    sink.write(event(0));
    await sink.flush();
    sink.write(event(1));
    const earlier = sink.flush();
    for (let index = 2; index < 50; index += 1) sink.write(event(index));
    let laterDone = false;
    const later = sink.flush().then(() => {
      laterDone = true;
    });
    await earlier;
    // A few microtasks: enough for a flush released together with `earlier`,
    // too few for a file write, which needs a turn of the event loop.
    for (let tick = 0; tick < 5; tick += 1) await Promise.resolve();
    expect(laterDone).toBe(false);
    await later;
    expect(linesOf(file)).toHaveLength(51);
    await sink.close();
  });

  it('close writes what is queued, can be called twice, and later writes are reported, not thrown', async () => {
    const file = join(directory, 'audit.jsonl');
    const { errors, onError } = collector();
    const sink = createJsonLinesSink(file, { onError });
    sink.write(event(1));
    sink.write(event(2));
    const closing = sink.close();
    expect(thrownBy(() => sink.write(event(3)))).toBeUndefined();
    await Promise.all([closing, sink.close()]);
    await sink.flush();
    expect(linesOf(file)).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(isTierguardError(errors[0], 'IO_ERROR')).toBe(true);
    expect(errors[0]?.message).toMatch(/dropped: the sink is closed/);
  });

  it('reports a path it cannot write (a directory) through onError, without throwing or crashing', async () => {
    const { errors, onError } = collector();
    const sink = createJsonLinesSink(directory, { onError });
    expect(thrownBy(() => sink.write(event(1)))).toBeUndefined();
    await sink.flush();
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0));
    expect(isTierguardError(errors[0], 'IO_ERROR')).toBe(true);
    expect((errors[0]?.cause as NodeJS.ErrnoException | undefined)?.code).toBe('EISDIR');
    // Once failed, every further event is reported as dropped.
    expect(thrownBy(() => sink.write(event(2)))).toBeUndefined();
    expect(errors.at(-1)?.message).toMatch(/audit event dropped: the file failed/);
    await sink.flush();
    await sink.close();
  });

  it('says so in one stderr line by default, and when onError itself throws', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const quiet = createJsonLinesSink(directory);
    quiet.write(event(1));
    await quiet.close();
    const throwing = createJsonLinesSink(directory, {
      onError: () => {
        throw new Error('handler failed');
      },
    });
    await throwing.close();
    expect(thrownBy(() => throwing.write(event(2)))).toBeUndefined();
    const written = stderr.mock.calls.map(([text]) => String(text));
    expect(written.length).toBeGreaterThanOrEqual(3);
    for (const line of written) expect(line).toMatch(/^tierguard: [^\n]*\n$/);
    expect(written.some((line) => line.includes('EISDIR'))).toBe(true);
  });

  it('reports an event it cannot serialise and goes on writing the next', async () => {
    const file = join(directory, 'audit.jsonl');
    const { errors, onError } = collector();
    const sink = createJsonLinesSink(file, { onError });
    sink.write({ ...event(1), labels: { big: 1n } } as unknown as AuditEvent);
    sink.write(undefined as unknown as AuditEvent);
    sink.write(event(2));
    await sink.close();
    expect(errors.map((error) => error.message)).toEqual([
      'audit event dropped: it cannot be serialised as JSON',
      'audit event dropped: it is not a JSON value',
    ]);
    expect(linesOf(file).map((line) => (line === '' ? line : (JSON.parse(line) as AuditEvent).labels))).toEqual([{ index: 2 }, '']);
  });
});
