import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { readTar } from '../../../src/bundle/tar-read.js';
import { writeTar } from '../../../src/bundle/tar-write.js';
import { buildBundleArchive, buildPolicyBundle, createEngine, loadPolicies } from '../../../src/index.js';
import type { LoadedPolicies } from '../../../src/index.js';
import { SIGNER } from './support-archives.js';
import { LONG_SUMMARY, makeBundleTree } from './support-bundles.js';
import { makeTree, rejectionOf, removeTrees, watchClosedAfterEach } from './support.js';

afterEach(removeTrees);
const watch = watchClosedAfterEach();

const engineOf = (loaded: LoadedPolicies) => createEngine({ policies: loaded.definitions, sources: loaded.sources });

/** Writes `bytes` as `bundle.tar.gz` in a folder of its own. */
async function archiveFile(bytes: Uint8Array, name = 'bundle.tar.gz'): Promise<string> {
  const path = join(await makeTree({}), name);
  await writeFile(path, bytes);
  return path;
}

/** The archive's entries, changed by `edit`, packed again as a valid tar.gz (so only the manifest can tell). */
function repacked(bytes: Uint8Array, edit: (entries: Map<string, Buffer>) => void): Buffer {
  const entries = readTar(gunzipSync(bytes), { maxEntries: 1000, maxEntryBytes: 1 << 24 }, 'test');
  edit(entries);
  return gzipSync(writeTar([...entries].map(([path, content]) => ({ path, content }))));
}

describe('buildBundleArchive', () => {
  it('writes the same bytes for the same policies, wherever the tree lies, stating the directory engine version', async () => {
    const first = await makeBundleTree();
    const second = await makeBundleTree();
    const built = await buildBundleArchive(first.policies);
    expect(Buffer.from((await buildBundleArchive(second.policies)).bytes).equals(Buffer.from(built.bytes))).toBe(true);
    expect(built.bundle.version).toBe((await engineOf(await loadPolicies(first.policies))).version);
    expect(built.signed).toBe(false);
    expect(Buffer.from(built.bytes).includes(Buffer.from(first.root))).toBe(false);
    const entries = readTar(gunzipSync(built.bytes), { maxEntries: 100, maxEntryBytes: 1 << 20 }, 'test');
    expect([...entries.keys()]).toEqual([
      'manifest.json',
      'files/conftest/deployment.rego',
      'files/conftest/lib/util.rego',
      'files/rego/s3.rego',
      'files/shapes/summary.ttl',
      'policies.json',
    ]);
    const manifest = JSON.parse(entries.get('manifest.json')?.toString('utf8') ?? '') as Record<string, unknown>;
    expect(Object.keys(manifest)).toEqual(['tierguardBundleManifest', 'version', 'sources', 'entries']);
    expect(manifest).toMatchObject({ tierguardBundleManifest: 1, version: built.bundle.version });
    expect(manifest['entries']).toContainEqual({
      path: 'policies.json',
      size: entries.get('policies.json')?.length,
      sha256: createHash('sha256')
        .update(entries.get('policies.json') ?? '')
        .digest('hex'),
    });
  });

  it('signs the manifest: the same content gives the same manifest, signed or not, and a deterministic signature', async () => {
    const { policies } = await makeBundleTree();
    const unsigned = readTar(gunzipSync((await buildBundleArchive(policies)).bytes), { maxEntries: 100, maxEntryBytes: 1 << 20 }, 'u');
    const signed = await buildBundleArchive(policies, { signingKey: SIGNER.privateKey });
    expect(signed.signed).toBe(true);
    const entries = readTar(gunzipSync(signed.bytes), { maxEntries: 100, maxEntryBytes: 1 << 20 }, 's');
    expect(entries.get('manifest.json')?.equals(unsigned.get('manifest.json') ?? Buffer.alloc(0))).toBe(true);
    expect(entries.get('manifest.sig')).toHaveLength(64);
    const again = await buildBundleArchive(policies, { signingKey: SIGNER.privateKey.export({ format: 'pem', type: 'pkcs8' }) });
    expect(Buffer.from(again.bytes).equals(Buffer.from(signed.bytes))).toBe(true);
    await expect(buildBundleArchive(policies, { signingKey: SIGNER.publicKey })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});

describe('loadPolicies(<archive>)', () => {
  it("decides as the directory does, reading the archive's own files from a private copy", async () => {
    const { policies } = await makeBundleTree();
    const path = await archiveFile((await buildBundleArchive(policies, { signingKey: SIGNER.privateKey })).bytes);
    const loaded = await loadPolicies(path, {}, { publicKey: SIGNER.publicKey });
    expect(loaded.bundle).toMatchObject({ file: path, format: 'tar.gz', signature: 'verified' });
    const fromArchive = await engineOf(loaded);
    const fromDirectory = await engineOf(await loadPolicies(policies));
    expect(fromArchive.version).toBe(loaded.bundle?.version);
    expect(fromArchive.version).toBe(fromDirectory.version);
    expect(await fromArchive.evaluate(LONG_SUMMARY)).toEqual(await fromDirectory.evaluate(LONG_SUMMARY));
    expect(loaded.sources.every((source) => source.startsWith(loaded.bundle?.root ?? '?'))).toBe(true);
  });

  it('refuses an entry whose bytes the manifest does not vouch for, an entry it does not list, and one it lists that is missing', async () => {
    const { bytes } = await buildBundleArchive((await makeBundleTree()).policies);
    const edited = repacked(bytes, (entries) => entries.set('policies.json', Buffer.from('[]\n')));
    const changed = await rejectionOf(loadPolicies(await archiveFile(edited)));
    expect(changed.code).toBe('INVALID_BUNDLE');
    expect(changed.message).toContain('policies.json does not match its size or SHA-256');
    const extra = repacked(bytes, (entries) => entries.set('files/rego/extra.rego', Buffer.from('package extra\n')));
    expect((await rejectionOf(loadPolicies(await archiveFile(extra)))).message).toContain('files/rego/extra.rego is not in the manifest');
    const missing = repacked(bytes, (entries) => entries.delete('files/rego/s3.rego'));
    expect((await rejectionOf(loadPolicies(await archiveFile(missing)))).message).toContain('files/rego/s3.rego is missing');
    const noManifest = repacked(bytes, (entries) => entries.delete('manifest.json'));
    expect((await rejectionOf(loadPolicies(await archiveFile(noManifest)))).message).toContain('has no manifest');
  });

  it("refuses a manifest whose version is not the content's, and a signed one altered after signing", async () => {
    const { policies } = await makeBundleTree();
    const { bytes } = await buildBundleArchive(policies, { signingKey: SIGNER.privateKey });
    const lying = repacked(bytes, (entries) => {
      const text = entries.get('manifest.json')?.toString('utf8') ?? '';
      entries.set('manifest.json', Buffer.from(text.replace(/"sha256:[0-9a-f]{64}"/, `"sha256:${'0'.repeat(64)}"`)));
    });
    const hash = await rejectionOf(loadPolicies(await archiveFile(lying)));
    expect(hash.message).toContain('its content hashes to');
    const signature = await rejectionOf(loadPolicies(await archiveFile(lying), {}, { publicKey: SIGNER.publicKey }));
    expect(signature.message).toContain('manifest.sig does not verify');
    // A signature that is not 64 bytes is no signature of anything, checked or not.
    const malformed = repacked(bytes, (entries) => entries.set('manifest.sig', Buffer.from('not a signature')));
    expect((await rejectionOf(loadPolicies(await archiveFile(malformed)))).message).toContain('it holds 15 bytes');
  });

  it('refuses a damaged or truncated gzip stream, and a gzip bomb, before reading any entry', async () => {
    const { bytes } = await buildBundleArchive((await makeBundleTree()).policies);
    const truncated = await rejectionOf(loadPolicies(await archiveFile(bytes.subarray(0, Math.floor(bytes.length / 2)))));
    expect(truncated.code).toBe('INVALID_BUNDLE');
    expect(truncated.message).toContain('damaged or truncated');
    const bomb = gzipSync(Buffer.alloc(8 * 1_048_576));
    expect(bomb.length).toBeLessThan(65_536);
    const error = await rejectionOf(loadPolicies(await archiveFile(bomb), { maxFileBytes: 1_048_576 }));
    expect(error.message).toContain('inflates to at most 1048576 bytes');
  });

  it('refuses policies that are not a signed archive when a public key is given', async () => {
    const { policies } = await makeBundleTree();
    const json = join(await makeTree({}), 'bundle.json');
    await writeFile(json, (await buildPolicyBundle(policies)).text);
    expect((await rejectionOf(loadPolicies(json, {}, { publicKey: SIGNER.publicKey }))).message).toContain(
      'a JSON bundle, which carries no signature',
    );
    expect((await rejectionOf(loadPolicies(policies, {}, { publicKey: SIGNER.publicKey }))).message).toContain(
      'policy files, not a bundle',
    );
  });
});

describe('binary files in bundles', () => {
  // Two byte strings that are not UTF-8 and decode to the same text with replacement characters.
  const FIRST = Buffer.from([0x1f, 0x8b, 0xff, 0x00, 0x41]);
  const SECOND = Buffer.from([0x1f, 0x8b, 0xfe, 0x00, 0x41]);

  async function binaryTree(content: Buffer): Promise<string> {
    const root = await makeTree({
      'policies/bin.json': JSON.stringify({
        id: 'bin.opa',
        artifacts: ['*.json'],
        enforcement: [{ engine: 'opa', policy: '../opa/bundle.tar.gz', query: 'data.x.deny' }],
      }),
    });
    await mkdir(join(root, 'opa'));
    await writeFile(join(root, 'opa/bundle.tar.gz'), content);
    return join(root, 'policies');
  }

  it('versions a binary engine policy by its bytes: two that decode to the same text differ', async () => {
    expect(FIRST.toString('utf8')).toBe(SECOND.toString('utf8'));
    const first = await engineOf(await loadPolicies(await binaryTree(FIRST)));
    const second = await engineOf(await loadPolicies(await binaryTree(SECOND)));
    expect(first.version).not.toBe(second.version);
  });

  it('carries a binary file byte for byte in an archive, and refuses it in a JSON bundle', async () => {
    const policies = await binaryTree(FIRST);
    const built = await buildBundleArchive(policies);
    expect(built.bundle.files.get('opa/bundle.tar.gz')).toEqual(Uint8Array.from(FIRST));
    const loaded = await loadPolicies(await archiveFile(built.bytes));
    expect((await readFile(join(loaded.bundle?.root ?? '', 'opa/bundle.tar.gz'))).equals(FIRST)).toBe(true);
    expect((await engineOf(loaded)).version).toBe(built.bundle.version);
    const json = await rejectionOf(buildPolicyBundle(policies));
    expect(json.code).toBe('INVALID_BUNDLE');
    expect(json.message).toContain('opa/bundle.tar.gz is binary, which a JSON bundle cannot carry');
  });
});

describe('watchPolicies(<archive>)', () => {
  it('reloads a replaced archive and keeps the last good one when the next is damaged', async () => {
    const tree = await makeBundleTree();
    const path = await archiveFile((await buildBundleArchive(tree.policies)).bytes);
    const errors: unknown[] = [];
    const watcher = await watch(path, { intervalMs: 60_000, settleMs: 0, onError: (error) => errors.push(error) });
    const first = watcher.engine.version;
    await writeFile(
      join(tree.root, 'shapes/summary.ttl'),
      (await readFile(join(tree.root, 'shapes/summary.ttl'), 'utf8')).replace('20', '25'),
    );
    const next = await buildBundleArchive(tree.policies);
    // Replaced in one step, as a deployment would.
    await writeFile(`${path}.tmp`, next.bytes);
    await rename(`${path}.tmp`, path);
    expect((await watcher.reload()).version).toBe(next.bundle.version);
    expect(next.bundle.version).not.toBe(first);
    await writeFile(path, Buffer.from(next.bytes).subarray(0, 100));
    expect((await watcher.reload()).version).toBe(next.bundle.version);
    expect(errors).toHaveLength(1);
  });
});
