import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readBundleFiles } from '../../../../src/engines/opa/bundle-tar.js';
import { createOpaWasmAdapter } from '../../../../src/engines/opa/opa-wasm-adapter.js';
import { engineSkipReason } from '../support.js';
import { DECISIONS, INSTALL_OPA, S3_BINDING, S3_FAIL_VIOLATIONS, fixture } from './fixtures.js';

const opa = createOpaWasmAdapter();
const skip = await engineSkipReason(opa, `${INSTALL_OPA}, and npm install @open-policy-agent/opa-wasm`);
const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});
const scratchDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'tierguard-opa-wasm-test-'));
  scratch.push(dir);
  return dir;
};

describe('bundle tar reader', () => {
  it('refuses what is not a bounded gzip tar', () => {
    expect(() => readBundleFiles(Buffer.from('not gzip'), new Set(['policy.wasm']), { maxBytes: 1_000, maxEntries: 10 })).toThrow(
      'the bundle is not a gzip archive',
    );
    expect(() => readBundleFiles(gzipSync(Buffer.alloc(1_000_000)), new Set(['policy.wasm']), { maxBytes: 1_000, maxEntries: 10 })).toThrow(
      'the bundle inflates to more than 1000 bytes',
    );
    const header = Buffer.alloc(512);
    header.write('policy.wasm', 0);
    header.write('77777777777', 124);
    expect(() => readBundleFiles(gzipSync(header), new Set(['policy.wasm']), { maxBytes: 10_000, maxEntries: 10 })).toThrow(
      'the bundle is truncated',
    );
    header.write('zz', 124);
    expect(() => readBundleFiles(gzipSync(header), new Set(['policy.wasm']), { maxBytes: 10_000, maxEntries: 10 })).toThrow(
      'malformed tar header',
    );
  });
});

describe('opa Wasm adapter: without the engine', () => {
  it('is not available without opa, and says prebuilt policies still work', async () => {
    const missing = createOpaWasmAdapter({ command: 'tierguard-no-such-opa' });
    const availability = await missing.available();
    expect(availability.ok).toBe(false);
    expect(availability.reason).toContain('prebuilt .wasm and .tar.gz policies work without it');
    expect((await missing.evaluate({ content: {} }, S3_BINDING)).error?.code).toBe('ENGINE_UNAVAILABLE');
  });
});

describe.skipIf(skip !== undefined)(`opa Wasm adapter${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it('compiles the Rego once and maps violations as the CLI does', async () => {
    const verdict = await opa.evaluate({ path: fixture('s3-fail.json') }, S3_BINDING);
    expect(verdict).toMatchObject({ verdict: 'fail', engine: 'opa', policy: S3_BINDING.policy });
    expect(verdict.violations).toEqual(S3_FAIL_VIOLATIONS);
    expect((await opa.evaluate({ path: fixture('s3-fail.yaml') }, S3_BINDING)).violations.map((v) => v.constraint)).toEqual([
      's3-public-acl',
    ]);
    expect((await opa.evaluate({ path: fixture('s3-pass.json') }, S3_BINDING)).verdict).toBe('pass');
  });

  it('starts no process once compiled: removing opa afterwards changes nothing', async () => {
    const dir = await scratchDir();
    const real = (process.env['PATH'] ?? '')
      .split(delimiter)
      .map((folder) => join(folder, 'opa'))
      .find((candidate) => existsSync(candidate));
    const command = join(dir, 'opa');
    await symlink(real ?? 'opa', command);
    const adapter = createOpaWasmAdapter({ command });
    const binding = { ...DECISIONS, options: { result: 'allow' } };
    expect((await adapter.evaluate({ content: { limit: 5 } }, binding)).verdict).toBe('pass');
    await rm(command);
    for (let n = 0; n < 20; n += 1) expect((await adapter.evaluate({ content: { limit: 500 } }, binding)).verdict).toBe('fail');
  });

  it('recompiles when the policy content changes, whatever its size, and notices it is gone', async () => {
    const dir = await scratchDir();
    const policy = join(dir, 'limit.rego');
    await writeFile(policy, 'package limit\n\nimport rego.v1\n\ndefault allow := false\n\nallow if input.limit <= 100\n');
    const binding = { engine: 'opa', policy, query: 'data.limit.allow', policyId: 'p', options: { result: 'allow' } };
    expect((await opa.evaluate({ content: { limit: 500 } }, binding)).verdict).toBe('fail');
    await writeFile(policy, 'package limit\n\nimport rego.v1\n\ndefault allow := false\n\nallow if input.limit <= 1000\n');
    expect((await opa.evaluate({ content: { limit: 500 } }, binding)).verdict).toBe('pass');
    // The same size, written at once: the stat may not differ, but a policy changed this recently is read again.
    await writeFile(policy, 'package limit\n\nimport rego.v1\n\ndefault allow := false\n\nallow if input.limit <= 10.0\n');
    expect((await opa.evaluate({ content: { limit: 500 } }, binding)).verdict).toBe('fail');
    await rm(policy);
    expect((await opa.evaluate({ content: { limit: 500 } }, binding)).error?.code).toBe('POLICY_NOT_FOUND');
  });

  it('reads boolean and string results; an undefined document is an error', async () => {
    expect(
      (await opa.evaluate({ content: { limit: 500 } }, { ...DECISIONS, query: 'data.decisions.deny', options: { result: 'deny' } }))
        .verdict,
    ).toBe('fail');
    const strings = await opa.evaluate({ content: { limit: 500 } }, { ...DECISIONS, query: 'data.decisions.messages' });
    expect(strings.violations.map((v) => [v.constraint, v.message])).toEqual([['data.decisions.messages', 'limit 500 is over 100']]);
    const undefinedDoc = await opa.evaluate(
      { content: { limit: 5 } },
      { ...DECISIONS, query: 'data.decisions.over_limit', options: { result: 'deny' } },
    );
    expect(undefinedDoc.error).toEqual({
      code: 'INVALID_BINDING',
      message: 'the query data.decisions.over_limit is undefined for this policy and input (is the package or rule name right?)',
    });
  });

  it('evaluates a policy directory, and reads its data documents', async () => {
    const verdict = await opa.evaluate(
      { content: { limit: 500 } },
      { ...S3_BINDING, policy: fixture('with-lib'), query: 'data.withlib.deny' },
    );
    expect(verdict.violations.map((v) => v.message)).toEqual(['limit too big']);
    const dir = await scratchDir();
    await writeFile(join(dir, 'p.rego'), 'package withdata\n\nimport rego.v1\n\ndeny contains "flagged" if data.withdata.flag\n');
    await writeFile(join(dir, 'data.json'), '{"withdata": {"flag": true}}');
    expect(
      (await opa.evaluate({ content: {} }, { ...S3_BINDING, policy: dir, query: 'data.withdata.deny' })).violations.map((v) => v.message),
    ).toEqual(['flagged']);
  });

  it('takes a prebuilt bundle or .wasm module as the policy', async () => {
    const dir = await scratchDir();
    const bundle = join(dir, 'bundle.tar.gz');
    await promisify(execFile)('opa', ['build', '-t', 'wasm', '-e', 's3/deny', '-o', bundle, fixture('s3.rego')]);
    const fromBundle = await opa.evaluate({ path: fixture('s3-fail.json') }, { ...S3_BINDING, policy: bundle });
    expect(fromBundle.violations).toEqual(S3_FAIL_VIOLATIONS);
    const wasm = readBundleFiles(await readFile(bundle), new Set(['policy.wasm']), { maxBytes: 16_000_000, maxEntries: 100 }).get(
      'policy.wasm',
    );
    const module = join(dir, 'policy.wasm');
    await writeFile(module, wasm ?? Buffer.alloc(0));
    const withoutOpa = createOpaWasmAdapter({ command: 'tierguard-no-such-opa' });
    expect((await withoutOpa.evaluate({ path: fixture('s3-fail.json') }, { ...S3_BINDING, policy: module })).violations).toEqual(
      S3_FAIL_VIOLATIONS,
    );
    const wrongEntrypoint = await withoutOpa.evaluate({ content: {} }, { ...S3_BINDING, policy: module, query: 'data.s3.nope' });
    expect(wrongEntrypoint.error?.code).toBe('INVALID_BINDING');
    expect(wrongEntrypoint.error?.message).toMatch(/^the Wasm policy has no entrypoint s3\/nope \(it has: .*s3\/deny/);
    await writeFile(join(dir, 'junk.wasm'), 'not wasm');
    expect((await opa.evaluate({ content: {} }, { ...S3_BINDING, policy: join(dir, 'junk.wasm') })).error?.code).toBe('ENGINE_FAILED');
  });

  it('is an ENGINE_FAILED error for Rego that does not compile, and INVALID_ARTIFACT for malformed JSON', async () => {
    const broken = await opa.evaluate({ content: {} }, { ...S3_BINDING, policy: fixture('broken.rego'), query: 'data.broken.deny' });
    expect(broken.error?.code).toBe('ENGINE_FAILED');
    expect(broken.error?.message).toMatch(/^opa build exited with 1: .*unexpected } token/s);
    expect(JSON.stringify(broken)).not.toContain('tierguard-engine-');
    expect((await opa.evaluate({ content: '{"a":', format: 'json' }, S3_BINDING)).error?.code).toBe('INVALID_ARTIFACT');
    expect((await opa.evaluate({ content: {} }, { ...S3_BINDING, query: 'data.s3.deny[x]' })).error?.code).toBe('INVALID_BINDING');
  });

  it('cannot interrupt a slow evaluation, but reports it as TIMEOUT once it returns', async () => {
    const binding = { ...S3_BINDING, policy: fixture('slow.rego'), query: 'data.slow.deny' };
    const adapter = createOpaWasmAdapter();
    expect((await adapter.evaluate({ content: { n: 10 } }, binding)).verdict).toBe('fail');
    const verdict = await adapter.evaluate({ content: { n: 200_000 } }, binding, { timeoutMs: 5 });
    expect(verdict.error?.code).toBe('TIMEOUT');
    expect(verdict.error?.message).toContain('cannot be interrupted');
    const aborted = await adapter.evaluate({ content: { n: 10 } }, binding, { signal: AbortSignal.abort() });
    expect(aborted.error?.code).toBe('ABORTED');
  });
});
