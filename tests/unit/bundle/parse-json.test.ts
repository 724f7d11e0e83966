import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, readJsonFile } from '../../../src/bundle/read-json.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';

let directory = '';

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tierguard-parse-json-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('parseJson and readJsonFile', () => {
  it('refuse a duplicate key, naming the source', async () => {
    expect(() => parseJson('{"a":1,"a":2}', 'in.json')).toThrow(/^in\.json: not valid JSON: line 1, column 8: duplicate key "a" at \/a /);
    const file = join(directory, 'twice.json');
    await writeFile(file, '{"a":1,"a":2}');
    await expect(readJsonFile(file, 100)).rejects.toMatchObject({ code: 'IO_ERROR', details: { file, key: 'a', pointer: '/a' } });
  });

  it('bound the bytes by the limit the caller read with, not by the default', async () => {
    const file = join(directory, 'large.json');
    await writeFile(file, JSON.stringify({ tool: 'a', blob: 'x'.repeat(DEFAULT_LIMITS.maxFileBytes) }));
    await expect(readJsonFile(file, 2 * DEFAULT_LIMITS.maxFileBytes)).resolves.toMatchObject({ tool: 'a' });
  });
});
