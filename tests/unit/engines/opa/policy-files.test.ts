import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPolicyReader, readPolicyFiles } from '../../../../src/engines/opa/policy-files.js';
import type { PolicyFiles } from '../../../../src/engines/opa/policy-files.js';

const BOUNDS = { maxFiles: 10, maxBytes: 10_000 };
const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});
const scratchDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'tierguard-policy-files-test-'));
  scratch.push(dir);
  return dir;
};

/** A reader that trusts stats at once (no settle window), counting the fresh reads it makes. */
function countingReader(settleMs = Number.NEGATIVE_INFINITY): {
  reader: ReturnType<typeof createPolicyReader<PolicyFiles>>;
  reads: () => number;
} {
  let reads = 0;
  const reader = createPolicyReader({
    bounds: BOUNDS,
    settleMs,
    keep: (files) => {
      reads += 1;
      return files;
    },
  });
  return { reader, reads: () => reads };
}

/** Sets a file's mtime to `seconds` after the epoch: a distinct, known timestamp, whatever the file system's clock tick. */
const touch = (path: string, seconds: number): Promise<void> => utimes(path, seconds, seconds);

describe('createPolicyReader', () => {
  it('reads a settled policy once, and again when an edit changes its size or its timestamps', async () => {
    const dir = await scratchDir();
    const policy = join(dir, 'p.rego');
    await writeFile(policy, 'package p\n\nallow := 1\n');
    const { reader, reads } = countingReader();
    const first = await reader.read(policy);
    const fresh = await readPolicyFiles(policy, BOUNDS);
    expect(first).toEqual(fresh.ok ? { ok: true, value: fresh.policy } : fresh);
    for (let n = 0; n < 5; n += 1) expect(await reader.read(policy)).toEqual(first);
    expect(reads()).toBe(1);

    await writeFile(policy, 'package p\n\nallow := 22\n');
    const longer = await reader.read(policy);
    expect(reads()).toBe(2);
    expect(longer.ok && longer.value.files[0]?.content.toString()).toBe('package p\n\nallow := 22\n');

    // The same size, with the mtime set to a value it never had: the stat differs, so the content is read.
    await writeFile(policy, 'package p\n\nallow := 33\n');
    await touch(policy, 1_000_000);
    const same = await reader.read(policy);
    expect(reads()).toBe(3);
    expect(same.ok && same.value.files[0]?.content.toString()).toBe('package p\n\nallow := 33\n');
  });

  it('reads a policy changed within the settle window on every call, so a same-size edit in the same clock tick is seen', async () => {
    const dir = await scratchDir();
    const policy = join(dir, 'p.rego');
    await writeFile(policy, 'package p\n\nallow := 1\n');
    const { reader, reads } = countingReader(60_000);
    expect((await reader.read(policy)).ok).toBe(true);
    expect((await reader.read(policy)).ok).toBe(true);
    expect(reads()).toBe(2);
    await writeFile(policy, 'package p\n\nallow := 2\n');
    const edited = await reader.read(policy);
    expect(edited.ok && edited.value.files[0]?.content.toString()).toBe('package p\n\nallow := 2\n');
  });

  it('sees files added, removed and edited anywhere in a directory, and ignores hidden ones', async () => {
    const dir = await scratchDir();
    await mkdir(join(dir, 'lib'));
    await writeFile(join(dir, 'main.rego'), 'package main\n');
    await writeFile(join(dir, 'lib', 'helpers.rego'), 'package lib\n');
    const { reader, reads } = countingReader();
    const names = async (): Promise<string[]> => {
      const read = await reader.read(dir);
      return read.ok ? read.value.files.map((file) => file.name) : [read.error.code];
    };
    expect(await names()).toEqual(['lib/helpers.rego', 'main.rego']);
    await writeFile(join(dir, '.hidden.rego'), 'package hidden\n');
    expect(await names()).toEqual(['lib/helpers.rego', 'main.rego']);
    expect(reads()).toBe(1);
    await writeFile(join(dir, 'lib', 'more.rego'), 'package lib.more\n');
    expect(await names()).toEqual(['lib/helpers.rego', 'lib/more.rego', 'main.rego']);
    await writeFile(join(dir, 'lib', 'helpers.rego'), 'package lib.h\n');
    await touch(join(dir, 'lib', 'helpers.rego'), 2_000_000);
    const edited = await reader.read(dir);
    expect(edited.ok && edited.value.files[0]?.content.toString()).toBe('package lib.h\n');
    await rm(join(dir, 'lib', 'more.rego'));
    expect(await names()).toEqual(['lib/helpers.rego', 'main.rego']);
    expect(reads()).toBe(4);
  });

  it('reports a missing policy, a directory past the bounds, and finds the policy once it is there', async () => {
    const dir = await scratchDir();
    const policy = join(dir, 'later.rego');
    const { reader } = countingReader();
    expect(await reader.read(policy)).toEqual({
      ok: false,
      error: { code: 'POLICY_NOT_FOUND', message: `the policy ${policy} does not exist or cannot be read` },
    });
    await writeFile(policy, 'package later\n');
    expect((await reader.read(policy)).ok).toBe(true);
    await rm(policy);
    expect((await reader.read(policy)).ok).toBe(false);

    const crowded = join(dir, 'crowded');
    await mkdir(crowded);
    await Promise.all(Array.from({ length: BOUNDS.maxFiles + 1 }, (_, n) => writeFile(join(crowded, `f${n}.rego`), 'package f\n')));
    expect(await reader.read(crowded)).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    const big = join(dir, 'big.rego');
    await writeFile(big, 'x'.repeat(BOUNDS.maxBytes + 1));
    expect(await reader.read(big)).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
  });
});
