import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildPolicyBundle, loadPolicies } from '../../../src/index.js';
import { makeBundleTree } from './support-bundles.js';
import { makeTree, rejectionOf, removeTrees } from './support.js';

/**
 * Bundles written by someone else, or damaged on the way: each is refused
 * whole, with the pointer of what is wrong, before any of it is used.
 */

afterEach(removeTrees);

type Document = Record<string, unknown> & { policies: Record<string, unknown>[]; sources: string[]; files: Record<string, string> };
let valid = '';

beforeAll(async () => {
  const { policies } = await makeBundleTree();
  valid = (await buildPolicyBundle(policies)).text;
  await removeTrees();
});

/** A fresh, parsed copy of the valid bundle. */
const copy = (): Document => JSON.parse(valid) as Document;

async function load(text: string, limits = {}) {
  const path = join(await makeTree({}), 'bundle.json');
  await writeFile(path, text);
  return rejectionOf(loadPolicies(path, limits));
}

describe('a bundle that does not match its hash', () => {
  it('is refused when a referenced file was edited', async () => {
    const edited = copy();
    edited.files['rego/s3.rego'] = 'package tierguard.s3\n\ndeny := []\n';
    const error = await load(JSON.stringify(edited));
    expect(error).toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer: '/version', version: copy().version } });
    expect(error.message).toContain('hashes to sha256:');
  });

  it('is refused when a definition was edited, or the stated version changed', async () => {
    const loosened = copy();
    (loosened.policies[2] as { assert: { value: number } }).assert.value = 1_000_000;
    expect(await load(JSON.stringify(loosened))).toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer: '/version' } });
    const restated = copy();
    restated.version = `sha256:${'0'.repeat(64)}`;
    expect(await load(JSON.stringify(restated))).toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer: '/version' } });
  });
});

describe('a malformed bundle file', () => {
  it('is an IO_ERROR with the position when it is not JSON, or repeats a key', async () => {
    expect(await load(valid.slice(0, valid.length / 2))).toMatchObject({
      code: 'IO_ERROR',
      details: { line: expect.any(Number) as number },
    });
    const repeated = valid.replace('"tierguardBundle": 1,', '"tierguardBundle": 1,\n  "tierguardBundle": 1,');
    expect(await load(repeated)).toMatchObject({ code: 'IO_ERROR', details: { key: 'tierguardBundle', pointer: '/tierguardBundle' } });
  });

  it('is bounded by limits.maxFileBytes', async () => {
    expect(await load(valid, { maxFileBytes: 1000 })).toMatchObject({ code: 'IO_ERROR', details: { limit: 'maxFileBytes' } });
  });

  const cases: [string, (document: Document) => void, string][] = [
    ['an unknown key', (d) => (d.signature = 'x'), '/signature'],
    ['another format', (d) => (d.tierguardBundle = 2), '/tierguardBundle'],
    ['a version that is not a sha256', (d) => (d.version = 'v1'), '/version'],
    ['policies that are not an array', (d) => (d.policies = {} as never), '/policies'],
    ['sources that are not an array', (d) => (d.sources = 'a.json' as never), '/sources'],
    ['one source too few', (d) => d.sources.pop(), '/sources'],
    ['a source that is not a string', (d) => (d.sources[1] = 3 as never), '/sources/1'],
    ['files that are not an object', (d) => (d.files = [] as never), '/files'],
    ['a file that is not text', (d) => (d.files['rego/s3.rego'] = 7 as never), '/files/rego~1s3.rego'],
  ];
  it.each(cases)('names the pointer of %s', async (_, edit, pointer) => {
    const document = copy();
    edit(document);
    expect(await load(JSON.stringify(document))).toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer } });
  });
});

describe('paths in a bundle', () => {
  const unsafe = ['../escape.ttl', '/etc/passwd', 'C:/x.ttl', 'a\\b.ttl', 'a\u0000b', './a.ttl', 'a//b.ttl', ''];
  it.each(unsafe)('refuses the file path %j', async (path) => {
    const document = copy();
    document.files[path] = 'x';
    const error = await load(JSON.stringify(document));
    expect(error).toMatchObject({
      code: 'INVALID_BUNDLE',
      details: { pointer: `/files/${path.replaceAll('~', '~0').replaceAll('/', '~1')}` },
    });
  });

  it.each(['../p.json', '/abs/p.json', 'p\u0000.json'])('refuses the source path %j', async (path) => {
    const document = copy();
    document.sources[0] = path;
    expect(await load(JSON.stringify(document))).toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer: '/sources/0' } });
  });

  it('refuses a reference that leads outside the bundle, or to a file it does not hold', async () => {
    const outside = copy();
    (outside.policies[3] as { shapesFile: string }).shapesFile = '../../shapes/summary.ttl';
    expect(await load(JSON.stringify(outside))).toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer: '/policies/3/shapesFile' } });
    const absolute = copy();
    (absolute.policies[3] as { shapesFile: string }).shapesFile = '/etc/shapes.ttl';
    expect(await load(JSON.stringify(absolute))).toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer: '/policies/3/shapesFile' } });
    const missing = copy();
    delete missing.files['conftest/deployment.rego'];
    delete missing.files['conftest/lib/util.rego'];
    expect(await load(JSON.stringify(missing))).toMatchObject({
      code: 'INVALID_BUNDLE',
      details: { pointer: '/policies/1/enforcement/0/policy' },
    });
  });

  it('refuses a file no policy references, and a path that is both a file and a folder', async () => {
    const extra = copy();
    extra.files['notes/readme.txt'] = 'not a policy file';
    expect(await load(JSON.stringify(extra))).toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer: '/files/notes~1readme.txt' } });
    const both = copy();
    both.files.conftest = 'a file where a folder is';
    expect(await load(JSON.stringify(both))).toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer: '/files/conftest' } });
  });

  it('reads a file named like an Object.prototype member as a file, never as the member', async () => {
    const document = copy();
    (document.policies[3] as { shapesFile: string }).shapesFile = 'constructor';
    // The version is stale too, but the reference is checked first: `constructor` is not a file the bundle holds.
    expect(await load(JSON.stringify(document))).toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer: '/policies/3/shapesFile' } });
  });
});

describe('where a bundle may be given', () => {
  it('loads alone: inside a directory or a list of sources it is refused, never merged', async () => {
    const tree = await makeTree({ 'bundle.json': valid, 'other.json': JSON.stringify({ id: 'o', tools: ['t'] }) });
    expect(await rejectionOf(loadPolicies(tree))).toMatchObject({ code: 'INVALID_BUNDLE', details: { file: join(tree, 'bundle.json') } });
    expect(await rejectionOf(loadPolicies([join(tree, 'bundle.json')]))).toMatchObject({ code: 'INVALID_BUNDLE' });
  });
});
