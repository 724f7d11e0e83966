import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnHttpGateway, waitFor } from '../support/gateway-process.js';
import { ROOT, requireBuild } from '../support/paths.js';

/**
 * `tierguard gateway` as a user runs it: the built CLI in front of a real MCP
 * server process (the echo fixture), driven by the SDK's own Client over stdio
 * and over Streamable HTTP, with real policy files.
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const ECHO_SERVER = join(ROOT, 'tests', 'fixtures', 'gateway', 'echo-server.mjs');
const POLICY = {
  id: 'marker.no-forbidden',
  tools: ['write_marker'],
  assert: { not: { field: 'arguments.path', op: 'glob', value: '**/forbidden-*' } },
  message: 'writing {actual} is not allowed',
};

type Child = ChildProcessByStdio<Writable | null, Readable, Readable>;

let directory = '';
let policies = '';
const clients: Client[] = [];
const children: Child[] = [];

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-gateway-e2e-'));
  policies = join(directory, 'policies');
  mkdirSync(policies);
  writeFileSync(join(policies, 'markers.json'), JSON.stringify(POLICY));
});
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  for (const child of children.splice(0)) child.kill('SIGTERM');
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function gatewayArgs(...extra: string[]): string[] {
  return [BIN, 'gateway', '--policies', policies, ...extra, '--', process.execPath, ECHO_SERVER];
}

interface OverStdio {
  readonly client: Client;
  readonly stderr: () => string;
  /** The gateway's process id. */
  readonly pid: number | null;
}

async function overStdio(...extra: string[]): Promise<OverStdio> {
  return overStdioWith(gatewayArgs(...extra));
}

async function overStdioWith(args: string[], env: Record<string, string> = {}): Promise<OverStdio> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const transport = new StdioClientTransport({ command: process.execPath, args, cwd: ROOT, stderr: 'pipe', env: { ...inherited, ...env } });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'e2e-agent', version: '0.0.0' });
  await client.connect(transport);
  clients.push(client);
  return { client, stderr: () => stderr, pid: transport.pid };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('tierguard gateway over stdio', () => {
  it('serves the downstream tools, passes allowed calls and keeps denied ones from the server', async () => {
    const { client } = await overStdio();
    expect(client.getServerVersion()).toMatchObject({ name: 'echo-fixture' });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('write_marker');
    expect((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([{ type: 'text', text: 'hi' }]);
    const forbidden = join(directory, 'forbidden-stdio');
    const refused = await client.callTool({ name: 'write_marker', arguments: { path: forbidden } });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain('marker.no-forbidden');
    expect(existsSync(forbidden)).toBe(false);
    const allowed = join(directory, 'allowed-stdio');
    await client.callTool({ name: 'write_marker', arguments: { path: allowed } });
    expect(readFileSync(allowed, 'utf8')).toBe('reached');
  });

  it('in monitor mode lets the call through and logs would_deny as a JSON line at WARN, and audits to --audit', async () => {
    const auditFile = join(directory, 'audit.jsonl');
    const { client, stderr } = await overStdio('--mode', 'monitor', '--audit', auditFile);
    const marker = join(directory, 'forbidden-monitored');
    await client.callTool({ name: 'write_marker', arguments: { path: marker } });
    expect(existsSync(marker)).toBe(true);
    await waitFor('the would_deny line', () => stderr().includes('"would_deny"'));
    const line =
      stderr()
        .split('\n')
        .find((text) => text.includes('"would_deny"')) ?? '';
    expect(JSON.parse(line)).toMatchObject({
      level: 'warn',
      event: 'would_deny',
      method: 'tools/call',
      tool: 'write_marker',
      policyIds: ['marker.no-forbidden'],
    });
    await client.close();
    await waitFor('the audit lines', () => existsSync(auditFile) && readFileSync(auditFile, 'utf8').includes('would_deny'));
    const events = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text) as { tool: string; outcome: string });
    expect(events.map((event) => [event.tool, event.outcome])).toEqual([
      ['initialize', 'allow'],
      ['write_marker', 'would_deny'],
    ]);
  });

  it('answers a malformed line with a JSON-RPC parse error and keeps serving', async () => {
    const child = spawn(process.execPath, gatewayArgs(), { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    };
    child.stdin.write(`${JSON.stringify(initialize)}\n{"jsonrpc": "2.0", "id": 2, "method": \n[1, 2]\n`);
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'nope/unknown' })}\n`);
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' })}\n`);
    await waitFor('the ping answer', () => stdout.includes('"id":3'));
    const answers = stdout
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text) as { id: unknown; error?: { code: number } });
    expect(answers).toContainEqual(expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32700 }) as unknown }));
    expect(answers).toContainEqual(expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32600 }) as unknown }));
    expect(answers).toContainEqual({ jsonrpc: '2.0', id: 4, error: { code: -32601, message: 'Method not found' } });
    expect(answers).toContainEqual({ jsonrpc: '2.0', id: 3, result: {} });
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
    expect(child.exitCode).toBe(0);
  });

  it('gives policies the identity it was launched with as context.auth', async () => {
    const aliceOnly = join(directory, 'alice-only');
    mkdirSync(aliceOnly);
    const policy = {
      id: 'echo.alice-only',
      tools: ['echo'],
      assert: { field: 'context.auth.clientId', op: 'eq', value: 'alice' },
      message: 'only alice',
    };
    writeFileSync(join(aliceOnly, 'alice.json'), JSON.stringify(policy));
    const args = [BIN, 'gateway', '--policies', aliceOnly, '--', process.execPath, ECHO_SERVER];
    const alice = await overStdioWith(args, { TIERGUARD_GATEWAY_IDENTITY: JSON.stringify({ clientId: 'alice', scopes: ['echo'] }) });
    expect((await alice.client.callTool({ name: 'echo', arguments: { text: 'hi' } })).isError).toBeFalsy();
    const bob = await overStdioWith([
      BIN,
      'gateway',
      '--policies',
      aliceOnly,
      '--identity',
      '{"clientId":"bob"}',
      '--',
      process.execPath,
      ECHO_SERVER,
    ]);
    expect((await bob.client.callTool({ name: 'echo', arguments: { text: 'hi' } })).isError).toBe(true);
  });

  it('reloads the policies on SIGHUP, and on SIGTERM ends the downstream server and exits 0', async () => {
    const reloading = join(directory, 'reloading');
    mkdirSync(reloading);
    const policyFile = join(reloading, 'echo.json');
    writeFileSync(
      policyFile,
      JSON.stringify({ id: 'echo.no-secrets', tools: ['echo'], assert: { not: { field: 'arguments.text', op: 'eq', value: 'secret' } } }),
    );
    const pidFile = join(directory, 'echo.pid');
    const args = [BIN, 'gateway', '--policies', reloading, '--reload-interval', '0', '--', process.execPath, ECHO_SERVER];
    const { client, stderr, pid } = await overStdioWith(args, { ECHO_PID_FILE: pidFile });
    expect((await client.callTool({ name: 'echo', arguments: { text: 'hello' } })).isError).toBeFalsy();
    writeFileSync(
      policyFile,
      JSON.stringify({ id: 'echo.no-hello', tools: ['echo'], assert: { not: { field: 'arguments.text', op: 'eq', value: 'hello' } } }),
    );
    process.kill(pid ?? 0, 'SIGHUP');
    await waitFor('the reload', () => stderr().includes('policies reloaded'));
    expect((await client.callTool({ name: 'echo', arguments: { text: 'hello' } })).isError).toBe(true);
    const downstream = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(downstream)).toBe(true);
    process.kill(pid ?? 0, 'SIGTERM');
    await waitFor('the gateway to stop', () => stderr().includes('tierguard gateway: stopped'));
    await waitFor('the downstream server to end', () => !alive(downstream));
  });

  it('ships example policies for the filesystem server whose fixtures pass', () => {
    const result = spawnSync(process.execPath, [BIN, 'test', '--policies', join(ROOT, 'examples', 'gateway', 'policies')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.stdout).toContain('fixtures: 8 passed, 0 failed');
    expect(result.status).toBe(0);
  });

  it('refuses a command line without a server to guard, with the usage', () => {
    const result = spawnSync(process.execPath, [BIN, 'gateway', '--policies', policies], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('name the server to guard');
    expect(result.stderr).toContain(
      'tierguard gateway (--policies <file|dir|url> [--public-key <pem> [--require-signature]] | --config <file> [--strict])',
    );
    const withoutTerminator = spawnSync(process.execPath, [BIN, 'gateway', '--policies', policies, 'node', 'server.js'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(withoutTerminator.status).toBe(2);
    expect(withoutTerminator.stderr).toContain('unexpected "node": put -- before the command that starts the server');
  });

  it('exits 2 naming the command when the downstream server cannot start', () => {
    const result = spawnSync(process.execPath, [BIN, 'gateway', '--policies', policies, '--', 'tierguard-no-such-server-binary'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('IO_ERROR: cannot start the downstream server tierguard-no-such-server-binary');
  });
});

describe('examples/gateway/embed.mjs', () => {
  it('embeds createGateway in a program, its identity the user who runs it', async () => {
    const auditFile = join(directory, 'embed-audit.jsonl');
    const args = [join(ROOT, 'examples', 'gateway', 'embed.mjs'), policies, process.execPath, ECHO_SERVER];
    const { client } = await overStdioWith(args, { AUDIT_FILE: auditFile });
    expect((await client.callTool({ name: 'echo', arguments: { text: 'embedded' } })).content).toEqual([
      { type: 'text', text: 'embedded' },
    ]);
    const forbidden = join(directory, 'forbidden-embedded');
    expect((await client.callTool({ name: 'write_marker', arguments: { path: forbidden } })).isError).toBe(true);
    expect(existsSync(forbidden)).toBe(false);
    await client.close();
    await waitFor('the audit lines', () => existsSync(auditFile) && readFileSync(auditFile, 'utf8').split('\n').length > 3);
    expect(readFileSync(auditFile, 'utf8')).toContain('"tool":"write_marker"');
  });
});

describe('tierguard gateway --http', () => {
  it('serves each session its own downstream connection at the printed URL, with /healthz', async () => {
    const { child, url } = await spawnHttpGateway([
      BIN,
      'gateway',
      '--policies',
      policies,
      '--http',
      '--port',
      '0',
      '--',
      process.execPath,
      ECHO_SERVER,
    ]);
    children.push(child);
    const client = new Client({ name: 'e2e-http', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(url));
    clients.push(client);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'over http' } })).content).toEqual([
      { type: 'text', text: 'over http' },
    ]);
    const forbidden = join(directory, 'forbidden-http');
    expect((await client.callTool({ name: 'write_marker', arguments: { path: forbidden } })).isError).toBe(true);
    expect(existsSync(forbidden)).toBe(false);
    const health = await fetch(new URL('/healthz', url));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      policyVersion: expect.stringMatching(/^sha256:/) as unknown,
      downstreams: [{ state: 'connected' }],
    });
  });
});
