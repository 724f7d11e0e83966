import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpaCliAdapter } from '../../../../src/engines/opa/opa-cli-adapter.js';
import { buildBundleArchive, createEngine, loadPolicies } from '../../../../src/index.js';
import type { LoadedPolicies } from '../../../../src/index.js';
import type { BundleServer } from '../../bundle/bundle-server.js';
import { startBundleServer } from '../../bundle/bundle-server.js';
import { engineSkipReason } from '../support.js';
import { INSTALL_OPA } from './fixtures.js';

/**
 * An OPA bundle (`opa build` output: .rego and data.json in a .tar.gz) bound
 * by an OPA binding, with the real opa: the CLI adapter loads it as OPA loads
 * bundles, and it travels byte for byte in a tierguard bundle archive fetched
 * over HTTP, deciding there as it does from disk.
 */

const opa = createOpaCliAdapter();
const skip = await engineSkipReason(opa, INSTALL_OPA);

const REGO = `package s3
import rego.v1

deny contains msg if {
  input.public == true
  msg := sprintf("bucket %v is public (policy allows %v public buckets)", [input.name, data.limits.public])
}
`;

let root = '';
let server: BundleServer | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tierguard-opa-bundle-'));
  if (skip !== undefined) return;
  await mkdir(join(root, 'src'), { recursive: true });
  await writeFile(join(root, 'src/s3.rego'), REGO);
  await writeFile(join(root, 'src/data.json'), JSON.stringify({ limits: { public: 0 } }));
  await mkdir(join(root, 'set/opa'), { recursive: true });
  execFileSync('opa', ['build', '--bundle', join(root, 'src'), '--output', join(root, 'set/opa/s3.tar.gz')], { stdio: 'ignore' });
  await mkdir(join(root, 'set/policies'));
  await writeFile(
    join(root, 'set/policies/infra.json'),
    JSON.stringify({
      id: 'infra.s3',
      artifacts: ['*.json'],
      enforcement: [{ engine: 'opa', policy: '../opa/s3.tar.gz', query: 'data.s3.deny' }],
    }),
  );
  server = await startBundleServer();
});

afterAll(async () => {
  await server?.close();
  if (root !== '') await rm(root, { recursive: true, force: true });
});

const PUBLIC = { content: { name: 'site', public: true }, name: 'bucket.json' } as const;
const engineOf = (loaded: LoadedPolicies) => createEngine({ policies: loaded.definitions, sources: loaded.sources });

describe.skipIf(skip !== undefined)(`an OPA bundle bound by an OPA binding${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it('is loaded as OPA loads bundles: its data.json is there for the Rego', async () => {
    const verdict = await opa.evaluate(PUBLIC, {
      engine: 'opa',
      policy: join(root, 'set/opa/s3.tar.gz'),
      query: 'data.s3.deny',
      policyId: 'infra.s3',
    });
    expect(verdict.error).toBeUndefined();
    expect(verdict.verdict).toBe('fail');
    expect(verdict.violations.map((violation) => violation.message)).toEqual(['bucket site is public (policy allows 0 public buckets)']);
    const passing = await opa.evaluate(
      { content: { name: 'site', public: false }, name: 'bucket.json' },
      { engine: 'opa', policy: join(root, 'set/opa/s3.tar.gz'), query: 'data.s3.deny', policyId: 'infra.s3' },
    );
    expect(passing.verdict).toBe('pass');
  });

  it('travels byte for byte in a bundle archive fetched over HTTP, and decides there as from disk', async () => {
    const built = await buildBundleArchive(join(root, 'set/policies'));
    server?.set('/infra.tar.gz', { kind: 'bundle', bytes: built.bytes });
    const loaded = await loadPolicies(server?.url('/infra.tar.gz') ?? '');
    const original = await readFile(join(root, 'set/opa/s3.tar.gz'));
    expect((await readFile(join(loaded.bundle?.root ?? '', 'opa/s3.tar.gz'))).equals(original)).toBe(true);
    const fromUrl = await engineOf(loaded);
    const fromDisk = await engineOf(await loadPolicies(join(root, 'set/policies')));
    expect(fromUrl.version).toBe(fromDisk.version);
    expect(fromUrl.version).toBe(built.bundle.version);
    const remote = await fromUrl.validate(PUBLIC);
    const local = await fromDisk.validate(PUBLIC);
    expect(remote.result).toBe('fail');
    expect(remote.verdict).toBe('deny');
    expect(remote.violations.map((violation) => violation.message)).toEqual(local.violations.map((violation) => violation.message));
    expect(remote.violations.map((violation) => violation.message)).toEqual(['bucket site is public (policy allows 0 public buckets)']);
  });
});
