import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';

/**
 * A `shapesFile` that is not a regular file must be an invalid policy, not a
 * compile that waits forever for a FIFO's writer. The 5 s race detects a hang;
 * it asserts no speed.
 */

let directory = '';

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'tierguard-shapes-special-'));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

async function settled(promise: Promise<unknown>): Promise<{ value?: unknown; error?: unknown } | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), 5_000);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('shapesFile that is not a regular file', () => {
  it('is INVALID_POLICY at /shapesFile for a FIFO, without waiting for a writer', async () => {
    execFileSync('mkfifo', [join(directory, 'shapes.ttl')]);
    writeFileSync(join(directory, 'policy.json'), '{}');
    const outcome = await settled(
      createEngine({
        policies: [{ id: 'ticket', tools: ['ticket'], shapesFile: 'shapes.ttl' }],
        sources: [join(directory, 'policy.json')],
      }),
    );
    expect(outcome).not.toBe('hung');
    const { error } = outcome as { error?: { code?: string; message?: string } };
    expect(error?.code).toBe('INVALID_POLICY');
    expect(error?.message).toContain(`${join(directory, 'shapes.ttl')}: cannot read: a FIFO, not a regular file`);
  });

  it('is INVALID_POLICY for a device', async () => {
    const outcome = await settled(createEngine({ policies: [{ id: 'ticket', tools: ['ticket'], shapesFile: '/dev/zero' }] }));
    const { error } = outcome as { error?: { code?: string; message?: string } };
    expect(error?.code).toBe('INVALID_POLICY');
    expect(error?.message).toContain('/dev/zero: cannot read: a device, not a regular file');
  });
});
