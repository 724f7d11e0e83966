import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTierguardError } from '../../src/errors.js';
import { readRegularFile, readRegularText } from '../../src/read-regular-file.js';

/**
 * The one reader of files a policy or a user names. A FIFO must be refused, not
 * waited on: the bounded race below detects a hang without asserting a speed.
 */

let directory = '';

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tierguard-read-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Resolves to what `promise` settled with, or to 'hung' if it has not settled within 5 s. */
async function settle(promise: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise((resolve) => {
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

describe('readRegularFile', () => {
  it('reads a regular file, and one behind a symbolic link', async () => {
    const file = join(directory, 'policy.json');
    await writeFile(file, '{"id":"a"}');
    await symlink(file, join(directory, 'link.json'));
    expect(await readRegularText(file, 100)).toBe('{"id":"a"}');
    expect(await readRegularText(join(directory, 'link.json'), 100)).toBe('{"id":"a"}');
  });

  it('refuses a FIFO with an IO_ERROR instead of waiting for a writer', async () => {
    const fifo = join(directory, 'shapes.ttl');
    execFileSync('mkfifo', [fifo]);
    const outcome = await settle(readRegularFile(fifo, 100));
    expect(outcome).not.toBe('hung');
    const { error } = outcome as { error: unknown };
    expect(isTierguardError(error, 'IO_ERROR')).toBe(true);
    expect((error as Error).message).toBe(`${fifo}: cannot read: a FIFO, not a regular file`);
  });

  it('refuses a symbolic link to a FIFO', async () => {
    const fifo = join(directory, 'pipe');
    execFileSync('mkfifo', [fifo]);
    await symlink(fifo, join(directory, 'pipe.json'));
    const outcome = (await settle(readRegularFile(join(directory, 'pipe.json'), 100))) as { error?: unknown };
    expect(isTierguardError(outcome.error, 'IO_ERROR')).toBe(true);
  });

  it('refuses a device and a directory', async () => {
    const device = (await settle(readRegularFile('/dev/zero', 100))) as { error?: Error };
    expect(device.error?.message).toBe('/dev/zero: cannot read: a device, not a regular file');
    await mkdir(join(directory, 'folder.json'));
    const folder = (await settle(readRegularFile(join(directory, 'folder.json'), 100))) as { error?: Error };
    expect(folder.error?.message).toContain('a directory, not a regular file');
  });

  it('reads a file of exactly maxBytes and refuses one byte more, naming the limit', async () => {
    const file = join(directory, 'sized.json');
    await writeFile(file, 'x'.repeat(10));
    expect((await readRegularFile(file, 10)).length).toBe(10);
    const outcome = (await settle(readRegularFile(file, 9))) as { error?: unknown };
    expect(isTierguardError(outcome.error, 'IO_ERROR')).toBe(true);
    expect((outcome.error as { details: unknown }).details).toEqual({ file, limit: 'maxFileBytes' });
  });

  it('reports a missing file as IO_ERROR', async () => {
    const missing = join(directory, 'missing.json');
    const outcome = (await settle(readRegularFile(missing, 10))) as { error?: Error };
    expect(outcome.error?.message).toBe(`${missing}: cannot read: no such file or directory`);
  });
});
