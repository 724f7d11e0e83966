import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { materializeArtifact } from '../../../../src/engines/artifact/materialize-artifact.js';
import type { Artifact } from '../../../../src/engines/types.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierguard-materialize-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const MAX = 1_000;

async function written(artifact: Artifact): Promise<{ file: string; shownAs: string; text: string; format?: string }> {
  const outcome = await materializeArtifact(artifact, dir, MAX);
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  const { file, shownAs, format } = outcome.artifact;
  return { file, shownAs, text: await readFile(file, 'utf8'), ...(format === undefined ? {} : { format }) };
}

async function refused(artifact: unknown, max = MAX): Promise<string> {
  const outcome = await materializeArtifact(artifact as Artifact, dir, max);
  if (outcome.ok) throw new Error('expected INVALID_ARTIFACT');
  expect(outcome.error.code).toBe('INVALID_ARTIFACT');
  return outcome.error.message;
}

describe('materializeArtifact', () => {
  it('writes text content under its name, privately', async () => {
    const result = await written({ content: 'resource "a" "b" {}', name: 'main.tf' });
    expect(result).toEqual({ file: join(dir, 'main.tf'), shownAs: 'main.tf', text: 'resource "a" "b" {}' });
    expect((await stat(result.file)).mode & 0o777).toBe(0o600);
  });

  it('names content by its format when it has no name, and serialises JSON values', async () => {
    expect(await written({ content: 'eval(1)', format: 'javascript' })).toMatchObject({ shownAs: 'artifact.js', format: 'javascript' });
    expect(await written({ content: { a: [1, 'two'] } })).toMatchObject({
      shownAs: 'artifact.json',
      text: '{"a":[1,"two"]}',
      format: 'json',
    });
    expect(await written({ content: { resource_changes: [] }, format: 'terraform-plan' })).toMatchObject({ shownAs: 'tfplan.json' });
    expect(await written({ content: 'FROM node:20', format: 'dockerfile' })).toMatchObject({ shownAs: 'Dockerfile' });
  });

  it('uses a file artifact in place and names it as given', async () => {
    const file = join(dir, 'given.yaml');
    await writeFile(file, 'a: 1');
    const outcome = await materializeArtifact({ path: file, format: 'yaml' }, dir, MAX);
    expect(outcome).toEqual({ ok: true, artifact: { file: resolve(file), shownAs: file, format: 'yaml' } });
  });

  it('refuses a missing file, a directory, and a file over the limit', async () => {
    expect(await refused({ path: join(dir, 'missing.json') })).toMatch(/does not exist or cannot be read/);
    expect(await refused({ path: dir })).toMatch(/is not a file/);
    const big = join(dir, 'big.json');
    await writeFile(big, 'x'.repeat(MAX + 1));
    expect(await refused({ path: big })).toBe(`the artifact ${big} has ${MAX + 1} bytes, more than the limit of ${MAX}`);
  });

  it('refuses content over the limit, counting bytes rather than characters', async () => {
    expect((await written({ content: 'x'.repeat(MAX), format: 'text' })).text).toHaveLength(MAX);
    expect(await refused({ content: 'é'.repeat(MAX / 2 + 1), format: 'text' })).toMatch(/has 1002 bytes, more than the limit of 1000/);
  });

  it('refuses names that leave the directory, and malformed artifacts', async () => {
    for (const name of ['../x.js', 'a/b.js', 'a\\b.js', '..', '.', '', 'nul\0.js', 'x'.repeat(256)]) {
      expect(await refused({ content: 'x', name })).toMatch(/must be a plain file name/);
    }
    expect(await refused(null)).toMatch(/must be an object/);
    expect(await refused({})).toMatch(/exactly one of path and content/);
    expect(await refused({ path: 'a', content: 'b' })).toMatch(/exactly one of path and content/);
    expect(await refused({ path: '' })).toMatch(/non-empty string/);
    expect(await refused({ content: 'x', format: 'cobol' })).toMatch(/unknown artifact format "cobol"/);
    expect(await refused({ content: 'x' })).toMatch(/needs a format or a name/);
    expect(await refused({ content: [1], format: 'yaml' })).toMatch(/cannot be given as format yaml/);
  });

  it('refuses to overwrite a file already in the directory', async () => {
    await writeFile(join(dir, 'app.js'), 'old');
    expect(await refused({ content: 'new', name: 'app.js' })).toMatch(/could not be prepared/);
  });
});

describe('materializeArtifact and repeated keys', () => {
  // Every adapter that hands an engine a file comes through here, Semgrep included.
  it('refuses JSON and YAML text with a key repeated in one object, naming the key and its line and column', async () => {
    expect(await refused({ content: '{\n  "acl": "public-read",\n  "acl": "private"\n}', format: 'terraform-plan' })).toBe(
      'tfplan.json is not valid JSON: line 3, column 3: duplicate key "acl" at /acl (first at line 2, column 3)',
    );
    expect(await refused({ content: '{"a":{"acl":1,"acl":2}}', name: 'plan.json' })).toContain(
      'line 1, column 15: duplicate key "acl" at /a/acl',
    );
    expect(await refused({ content: 'a:\n  acl: 1\n  acl: 2\n', name: 'values.yml' })).toBe(
      'values.yml is not valid YAML: line 3, column 3: duplicate key "acl"',
    );
  });

  it('refuses a JSON or YAML file with a repeated key, naming it by the path given', async () => {
    const file = join(dir, 'plan.json');
    await writeFile(file, '{"acl":"public-read","acl":"private"}');
    expect(await refused({ path: file })).toBe(
      `${file} is not valid JSON: line 1, column 22: duplicate key "acl" at /acl (first at line 1, column 2)`,
    );
    const yaml = join(dir, 'plan.txt');
    await writeFile(yaml, 'acl: a\nacl: b\n');
    expect(await refused({ path: yaml, format: 'yaml' })).toBe(`${yaml} is not valid YAML: line 2, column 1: duplicate key "acl"`);
  });

  it('leaves text that is not JSON or YAML, and JSON values, alone', async () => {
    expect(await written({ content: '{"a":1,"a":2}', format: 'javascript' })).toMatchObject({ shownAs: 'artifact.js' });
    expect(await written({ content: { acl: 'private' }, format: 'terraform-plan' })).toMatchObject({ text: '{"acl":"private"}' });
  });
});
