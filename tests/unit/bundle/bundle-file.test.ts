import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPolicyBundle, createEngine, loadPolicies } from '../../../src/index.js';
import type { LoadedPolicies } from '../../../src/index.js';
import { makeBundleTree, LONG_SUMMARY } from './support-bundles.js';
import { makeTree, removeTrees, summaryShapes, writeText } from './support.js';

afterEach(removeTrees);

const engineOf = (loaded: LoadedPolicies) => createEngine({ policies: loaded.definitions, sources: loaded.sources });

/** Writes `text` as a bundle file in a folder of its own, away from any policy tree. */
async function bundleFile(text: string): Promise<string> {
  const path = join(await makeTree({}), 'bundle.json');
  await writeFile(path, text);
  return path;
}

describe('tierguard bundle (buildPolicyBundle)', () => {
  it('writes the same bytes for the same policies, wherever the tree lies, with no absolute path', async () => {
    const first = await makeBundleTree();
    const second = await makeBundleTree();
    const built = await buildPolicyBundle(first.policies);
    expect((await buildPolicyBundle(first.policies)).text).toBe(built.text);
    expect((await buildPolicyBundle(second.policies)).text).toBe(built.text);
    expect(built.text).not.toContain(first.root);
    const document = JSON.parse(built.text) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(['tierguardBundle', 'version', 'policies', 'sources', 'files']);
    expect(document.tierguardBundle).toBe(1);
    // Load order (files sorted by path), each definition with its source; every referenced file, sorted.
    expect(document.sources).toEqual(['policies/infra.json', 'policies/infra.json', 'policies/payments.json', 'policies/support.json']);
    expect(Object.keys(document.files as object)).toEqual([
      'conftest/deployment.rego',
      'conftest/lib/util.rego',
      'rego/s3.rego',
      'shapes/summary.ttl',
    ]);
  });

  it('states the version the engine reports for the same policies', async () => {
    const { policies } = await makeBundleTree();
    const built = await buildPolicyBundle(policies);
    const fromDirectory = await engineOf(await loadPolicies(policies));
    expect(built.bundle.version).toBe(fromDirectory.version);
    expect(JSON.parse(built.text)).toMatchObject({ version: fromDirectory.version });
  });

  it('refuses an invalid policy set, a reference by absolute path and an empty referenced folder', async () => {
    const invalid = await makeTree({ 'p.json': JSON.stringify({ id: 'p', tools: ['t'], assert: { field: 'a', op: 'nope', value: 1 } }) });
    await expect(buildPolicyBundle(invalid)).rejects.toMatchObject({ code: 'INVALID_POLICY' });
    const tree = await makeTree({ 'shapes/s.ttl': summaryShapes(5) });
    await writeText(join(tree, 'p/a.json'), JSON.stringify({ id: 'a', tools: ['t'], shapesFile: join(tree, 'shapes/s.ttl') }));
    await expect(buildPolicyBundle(join(tree, 'p'))).rejects.toMatchObject({ code: 'INVALID_BUNDLE', details: { pointer: '/shapesFile' } });
    const empty = await makeTree({ 'p.json': JSON.stringify({ id: 'k', enforcement: [{ engine: 'conftest', policy: 'rules' }] }) });
    await writeText(join(empty, 'rules/.keep/x'), '');
    await rm(join(empty, 'rules/.keep'), { recursive: true });
    await expect(buildPolicyBundle(empty)).rejects.toMatchObject({
      code: 'INVALID_BUNDLE',
      message: expect.stringContaining('empty folder') as string,
    });
  });

  it('keeps namespaced ids from a list of sources, and loads back to the same version', async () => {
    const { policies } = await makeBundleTree();
    const built = await buildPolicyBundle([{ path: policies, namespace: 'acme' }]);
    expect(built.bundle.policies.map((policy) => policy.id)).toEqual([
      'acme/infra.s3',
      'acme/infra.k8s',
      'acme/payments.limit',
      'acme/support.summary',
    ]);
    const loaded = await loadPolicies(await bundleFile(built.text));
    expect((await engineOf(loaded)).version).toBe(built.bundle.version);
  });
});

describe('loading a bundle file', () => {
  it('gives an engine of the same version, whose decisions carry the same policyVersion as the directory', async () => {
    const { policies } = await makeBundleTree();
    const built = await buildPolicyBundle(policies);
    const file = await bundleFile(built.text);
    const loaded = await loadPolicies(file);
    expect(loaded.files).toEqual([file]);
    expect(loaded.bundle).toMatchObject({ file, version: built.bundle.version, sources: built.bundle.sources });
    const fromBundle = await engineOf(loaded);
    const fromDirectory = await engineOf(await loadPolicies(policies));
    expect(fromBundle.version).toBe(built.bundle.version);
    expect(fromBundle.policyIds).toEqual(fromDirectory.policyIds);
    const [bundleDecision, directoryDecision] = await Promise.all([
      fromBundle.evaluate(LONG_SUMMARY),
      fromDirectory.evaluate(LONG_SUMMARY),
    ]);
    expect(bundleDecision.verdict).toBe('deny');
    expect(bundleDecision.policyVersion).toBe(directoryDecision.policyVersion);
    expect(bundleDecision.violations).toEqual(directoryDecision.violations);
  });

  it('reads referenced files from the bundle, never from the disk beside it', async () => {
    const { root, policies } = await makeBundleTree();
    const built = await buildPolicyBundle(policies);
    // The bundle sits where the policies' relative paths would find files on disk: edited, deleted, they must not matter.
    const file = join(root, 'policies', 'bundle.json');
    await writeFile(file, built.text);
    await writeText(join(root, 'shapes/summary.ttl'), summaryShapes(1000));
    await rm(join(root, 'rego'), { recursive: true });
    await rm(join(root, 'conftest'), { recursive: true });
    const loaded = await loadPolicies(file);
    expect(loaded.sources.every((source) => source.startsWith(loaded.bundle?.root ?? '?'))).toBe(true);
    const engine = await engineOf(loaded);
    expect(engine.version).toBe(built.bundle.version);
    expect((await engine.evaluate(LONG_SUMMARY)).verdict).toBe('deny');
    expect(await readFile(join(loaded.bundle?.root ?? '', 'shapes/summary.ttl'), 'utf8')).toBe(
      built.bundle.files.get('shapes/summary.ttl'),
    );
  });

  it('bundles a loaded bundle to the same bytes', async () => {
    const { policies } = await makeBundleTree();
    const built = await buildPolicyBundle(policies);
    expect((await buildPolicyBundle(await bundleFile(built.text))).text).toBe(built.text);
  });

  it('honours allowEmpty for a bundle with no policies', async () => {
    const empty = await makeTree({ 'keep.txt': '' });
    await expect(buildPolicyBundle(empty)).rejects.toMatchObject({ code: 'EMPTY_BUNDLE' });
    const built = await buildPolicyBundle(empty, { allowEmpty: true });
    const file = await bundleFile(built.text);
    await expect(loadPolicies(file)).rejects.toMatchObject({ code: 'EMPTY_BUNDLE', details: { file } });
    const loaded = await loadPolicies(file, {}, { allowEmpty: true });
    expect(loaded.definitions).toEqual([]);
    expect((await engineOf(loaded)).version).toBe(built.bundle.version);
  });
});
