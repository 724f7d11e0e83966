import { spawnSync } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnHttpGateway, waitFor } from '../support/gateway-process.js';
import { ROOT, requireBuild } from '../support/paths.js';

/**
 * What `tierguard gateway` checks and reports around the decisions: the
 * policies against the downstream server's own tool schemas at start-up, and
 * `/metrics` on the HTTP port. Against the echo fixture, whose `write_marker`
 * tool takes `path`.
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const ECHO_SERVER = join(ROOT, 'tests', 'fixtures', 'gateway', 'echo-server.mjs');

let directory = '';
const children: ChildProcessByStdio<null, Readable, Readable>[] = [];
const clients: Client[] = [];

function policiesWith(name: string, policy: object): string {
  const folder = join(directory, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'policy.json'), JSON.stringify(policy));
  return folder;
}

const TYPO = {
  id: 'marker.typo',
  tools: ['write_marker'],
  assert: { not: { field: 'arguments.pth', op: 'glob', value: '**/forbidden-*' } },
};
const SOUND = {
  id: 'marker.no-forbidden',
  tools: ['write_marker'],
  assert: { not: { field: 'arguments.path', op: 'glob', value: '**/forbidden-*' } },
};

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-gateway-checks-'));
});
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  for (const child of children.splice(0)) child.kill('SIGTERM');
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('tierguard gateway checks the policies against the server’s tool schemas', () => {
  it('refuses to start when a policy reads a field the tool does not have, naming the policy, the field and the fix', () => {
    const policies = policiesWith('typo', TYPO);
    const run = spawnSync(process.execPath, [BIN, 'gateway', '--policies', policies, '--', process.execPath, ECHO_SERVER], {
      cwd: ROOT,
      encoding: 'utf8',
      input: '',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('marker.typo');
    expect(run.stderr).toContain('arguments.pth');
    expect(run.stderr).toContain('write_marker');
    expect(run.stderr).toContain('did you mean "path"');
  });

  it('starts with --lenient and logs the mismatch as a warning instead', async () => {
    const policies = policiesWith('lenient', TYPO);
    const { child, url, stderr } = await spawnHttpGateway([
      BIN,
      'gateway',
      '--policies',
      policies,
      '--lenient',
      '--http',
      '--port',
      '0',
      '--',
      process.execPath,
      ECHO_SERVER,
    ]);
    children.push(child);
    // The check runs per session, when its downstream connection is made.
    const client = new Client({ name: 'e2e-lenient', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(url));
    clients.push(client);
    await waitFor('the warning', () => stderr().includes('arguments.pth'));
    expect(stderr()).toContain('marker.typo');
  });
});

describe('tierguard gateway --http --metrics', () => {
  it('serves decision counts and evaluation times at /metrics in the Prometheus text format', async () => {
    const policies = policiesWith('metrics', SOUND);
    const { child, url } = await spawnHttpGateway([
      BIN,
      'gateway',
      '--policies',
      policies,
      '--http',
      '--port',
      '0',
      '--metrics',
      '--',
      process.execPath,
      ECHO_SERVER,
    ]);
    children.push(child);
    const client = new Client({ name: 'e2e-metrics', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(url));
    clients.push(client);
    await client.callTool({ name: 'echo', arguments: { text: 'counted' } });
    expect((await client.callTool({ name: 'write_marker', arguments: { path: join(directory, 'forbidden-metrics') } })).isError).toBe(true);

    const response = await fetch(new URL('/metrics', url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toContain('# TYPE policy_eval_ms histogram');
    expect(text).toMatch(/^tierguard_decisions_total\{[^}]*method="tools\/call"[^}]*verdict="allow"[^}]*\} 1$/m);
    expect(text).toMatch(/^tierguard_decisions_total\{[^}]*method="tools\/call"[^}]*verdict="deny"[^}]*\} 1$/m);
    expect(text).toMatch(/^policy_eval_ms_count\{method="tools\/call"\} 2$/m);
  });

  it('is refused without --http, where there is no port to serve it on', () => {
    const run = spawnSync(process.execPath, [BIN, 'gateway', '--policies', directory, '--metrics', '--', process.execPath, ECHO_SERVER], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--metrics apply to --http only');
  });
});
