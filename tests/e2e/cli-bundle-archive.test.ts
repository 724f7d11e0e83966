import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleServer } from '../unit/bundle/bundle-server.js';
import { startBundleServer } from '../unit/bundle/bundle-server.js';
import { spawnHttpGateway, waitFor } from '../support/gateway-process.js';
import { ROOT, requireBuild } from '../support/paths.js';

/**
 * `tierguard bundle build | verify | sign` with .tar.gz bundles, and a bundle
 * URL given to `--policies`, as a fleet's operator runs them: the built CLI,
 * keys made with node:crypto (as openssl would), a loopback server for the URL,
 * and a gateway that reports on /healthz and /metrics the bundle hash it serves.
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const POLICIES = join(ROOT, 'examples', 'policies');
const DROP_TABLE = join(ROOT, 'examples', 'actions', 'drop-table.json');
const ECHO_SERVER = join(ROOT, 'tests', 'fixtures', 'gateway', 'echo-server.mjs');
let directory = '';
let server: BundleServer;
const children: ChildProcess[] = [];

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI without blocking this process, which serves the bundle URLs it fetches. */
function run(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ status, stdout, stderr });
    });
  });
}

const path = (name: string): string => join(directory, name);

beforeAll(async () => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-cli-archive-'));
  for (const [name, pair] of [
    ['signer', generateKeyPairSync('ed25519')],
    ['stranger', generateKeyPairSync('ed25519')],
  ] as const) {
    writeFileSync(path(`${name}.pem`), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(path(`${name}.pub.pem`), pair.publicKey.export({ format: 'pem', type: 'spki' }));
  }
  server = await startBundleServer();
});

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await server.close();
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('tierguard bundle build --out <file.tar.gz>', () => {
  it('writes the same archive twice, signed with --sign-key, and check decides from it as from the directory', async () => {
    const first = await run(['bundle', 'build', POLICIES, '--out', path('a.tar.gz')]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^wrote .*a\.tar\.gz: sha256:[0-9a-f]{64} \(\d+ policies, 1 referenced files, unsigned\)\n$/);
    expect((await run(['bundle', POLICIES, '--out', path('b.tar.gz')])).status).toBe(0);
    expect(readFileSync(path('b.tar.gz')).equals(readFileSync(path('a.tar.gz')))).toBe(true);
    const signed = await run(['bundle', 'build', POLICIES, '--out', path('signed.tgz'), '--sign-key', path('signer.pem')]);
    expect(signed.stdout).toContain(', signed)');

    const fromDirectory = await run(['check', '--policies', POLICIES, '--action', DROP_TABLE, '--json']);
    const fromArchive = await run(['check', '--policies', path('signed.tgz'), '--action', DROP_TABLE, '--json']);
    expect(fromArchive.status).toBe(1);
    expect(JSON.parse(fromArchive.stdout)).toEqual(JSON.parse(fromDirectory.stdout));
  });

  it('refuses --sign-key for a JSON bundle, a format its name contradicts, and a key that is not Ed25519 private', async () => {
    const json = await run(['bundle', 'build', POLICIES, '--out', path('x.json'), '--sign-key', path('signer.pem')]);
    expect(json.status).toBe(2);
    expect(json.stderr).toContain('--sign-key signs a .tar.gz bundle');
    expect((await run(['bundle', 'build', POLICIES, '--out', path('x.tar.gz'), '--format', 'json'])).stderr).toContain('contradicts');
    const publicKey = await run(['bundle', 'build', POLICIES, '--out', path('x.tar.gz'), '--sign-key', path('signer.pub.pem')]);
    expect(publicKey.status).toBe(2);
    expect(publicKey.stderr).toContain('INVALID_OPTIONS');
  });
});

describe('tierguard bundle verify and sign', () => {
  it('verifies a signed archive with its key (0), refuses another key or no signature (1), and reports as JSON', async () => {
    await run(['bundle', 'build', POLICIES, '--out', path('v.tar.gz'), '--sign-key', path('signer.pem')]);
    await run(['bundle', 'build', POLICIES, '--out', path('unsigned.tar.gz')]);
    const good = await run(['bundle', 'verify', path('v.tar.gz'), '--public-key', path('signer.pub.pem'), '--require-signature']);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(
      /^verified .*v\.tar\.gz: sha256:[0-9a-f]{64} \(tar\.gz, \d+ policies, 1 referenced files; signature verified with the public key\)\n$/,
    );
    const stranger = await run(['bundle', 'verify', path('v.tar.gz'), '--public-key', path('stranger.pub.pem')]);
    expect(stranger.status).toBe(1);
    expect(stranger.stdout).toContain('manifest.sig does not verify');
    const unsigned = await run(['bundle', 'verify', path('unsigned.tar.gz'), '--public-key', path('signer.pub.pem'), '--json']);
    expect(unsigned.status).toBe(1);
    expect(JSON.parse(unsigned.stdout)).toMatchObject({ verified: false, error: { code: 'INVALID_BUNDLE' } });
    const report = JSON.parse((await run(['bundle', 'verify', path('v.tar.gz'), '--json'])).stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      verified: true,
      format: 'tar.gz',
      signature: 'unchecked',
      version: expect.stringMatching(/^sha256:/) as unknown,
    });
    expect(report['files']).toEqual([
      {
        path: 'shapes/support-ticket.ttl',
        bytes: expect.any(Number) as unknown,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      },
    ]);
  });

  it('refuses --require-signature without --public-key, and a directory, as usage mistakes (2)', async () => {
    const noKey = await run(['bundle', 'verify', path('v.tar.gz'), '--require-signature']);
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toContain('--require-signature needs --public-key');
    const folder = await run(['bundle', 'verify', POLICIES]);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toContain('is not a bundle');
  });

  it('signs an unsigned archive into the archive build --sign-key writes', async () => {
    await run(['bundle', 'build', POLICIES, '--out', path('later.tar.gz')]);
    await run(['bundle', 'build', POLICIES, '--out', path('at-build.tar.gz'), '--sign-key', path('signer.pem')]);
    const signed = await run(['bundle', 'sign', path('later.tar.gz'), '--sign-key', path('signer.pem')]);
    expect(signed.status).toBe(0);
    expect(signed.stdout).toMatch(/^signed .*later\.tar\.gz: sha256:[0-9a-f]{64}\n$/);
    expect(readFileSync(path('later.tar.gz')).equals(readFileSync(path('at-build.tar.gz')))).toBe(true);
  });
});

describe('--policies <bundle URL>', () => {
  it('check fetches and verifies the bundle, and refuses a 404 and plain http to another host', async () => {
    await run(['bundle', 'build', POLICIES, '--out', path('served.tar.gz'), '--sign-key', path('signer.pem')]);
    server.set('/served.tar.gz', { kind: 'bundle', bytes: readFileSync(path('served.tar.gz')) });
    const fetched = await run(['check', '--policies', server.url('/served.tar.gz'), '--action', DROP_TABLE]);
    expect(fetched.status).toBe(1);
    expect(fetched.stdout).toContain('database.no-drop');
    const missing = await run(['check', '--policies', server.url('/none.tar.gz'), '--action', DROP_TABLE]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('the server answered 404');
    const plain = await run(['check', '--policies', 'http://example.com/b.tar.gz', '--action', DROP_TABLE]);
    expect(plain.status).toBe(2);
    expect(plain.stderr).toContain('use https');
  });

  it('gateway serves a signed bundle URL, follows it to the next one, and names its hash on /healthz and /metrics', async () => {
    const versions = new Map<string, string>();
    // Policies for the echo fixture's one tool: the gateway refuses policies that name tools its server lacks.
    for (const [name, word] of [
      ['fleet-1', 'secret'],
      ['fleet-2', 'apple'],
    ] as const) {
      const tree = mkdtempSync(join(directory, `${name}-`));
      const policy = { id: 'echo.no-word', tools: ['echo'], assert: { field: 'arguments.text', op: 'neq', value: word } };
      writeFileSync(join(tree, 'echo.json'), JSON.stringify(policy));
      const built = await run(['bundle', 'build', tree, '--out', path(`${name}.tar.gz`), '--sign-key', path('signer.pem')]);
      versions.set(name, (/sha256:[0-9a-f]{64}/.exec(built.stdout) ?? [''])[0]);
      if (name === 'fleet-2')
        await run(['bundle', 'build', tree, '--out', path('fleet-forged.tar.gz'), '--sign-key', path('stranger.pem')]);
    }
    server.set('/fleet.tar.gz', { kind: 'bundle', bytes: readFileSync(path('fleet-1.tar.gz')) });
    const gateway = await spawnHttpGateway([
      BIN,
      'gateway',
      '--policies',
      server.url('/fleet.tar.gz'),
      '--public-key',
      path('signer.pub.pem'),
      '--require-signature',
      '--http',
      '--port',
      '0',
      '--metrics',
      '--reload-interval',
      '0.05',
      '--',
      process.execPath,
      ECHO_SERVER,
    ]);
    children.push(gateway.child);
    const health = async (): Promise<{ policyVersion: string; policySource: string }> =>
      (await (await fetch(new URL('/healthz', gateway.url))).json()) as { policyVersion: string; policySource: string };
    const first = await health();
    expect(first.policySource).toBe(server.url('/fleet.tar.gz'));
    expect(first.policyVersion).toBe(versions.get('fleet-1'));
    const metrics = async (): Promise<string> => (await fetch(new URL('/metrics', gateway.url))).text();
    expect(await metrics()).toContain(`tierguard_policy_version_info{policy_version="${first.policyVersion}"} 1`);

    // A bundle signed by another key is refused and logged; the signed one after it is served.
    server.set('/fleet.tar.gz', { kind: 'bundle', bytes: readFileSync(path('fleet-forged.tar.gz')) });
    await waitFor('the refusal in the log', () => gateway.stderr().includes('policies not reloaded'));
    expect((await health()).policyVersion).toBe(first.policyVersion);
    server.set('/fleet.tar.gz', { kind: 'bundle', bytes: readFileSync(path('fleet-2.tar.gz')) });
    const next = versions.get('fleet-2');
    let served = first.policyVersion;
    await waitFor('the next bundle', () => {
      void health().then((report) => (served = report.policyVersion));
      return served === next;
    });
    expect(await metrics()).toContain(`tierguard_policy_version_info{policy_version="${next}"} 1`);
    expect(gateway.stderr()).toContain(`policies reloaded: ${next}`);
  });
});
