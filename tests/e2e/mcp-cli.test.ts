import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/paths.js';

/**
 * `tierguard mcp` as a user runs it: the built CLI spawned by the SDK's own
 * client transports (stdio, Streamable HTTP), real policy files, real signals.
 * `npm test` builds before vitest runs.
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const POLICIES = join(ROOT, 'examples', 'policies');
const ACTIONS = join(ROOT, 'examples', 'actions');
const STACK_LINE = /^\s+at /m;
const MCP_USAGE =
  'tierguard mcp (--policies <file|dir|url> [--public-key <pem> [--require-signature]] | --config <file> [--strict]) [--http] [--host 127.0.0.1] [--port 8765] [--reload-interval <seconds>] [--allow-empty]';
// Reloads and process start-up on a busy two-core machine: generous, and only the failure case waits this long.
const DEADLINE_MS = 30_000;

type Child = ChildProcessByStdio<null, Readable, Readable>;

interface Served {
  readonly child: Child;
  readonly url: URL;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
}

interface ToolAnswer {
  readonly structured: Record<string, unknown>;
  readonly text: string;
}

let directory = '';
const children: Child[] = [];
const clients: Client[] = [];

function action(name: string): unknown {
  return JSON.parse(readFileSync(join(ACTIONS, name), 'utf8'));
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const [content] = result.content as { type: string; text?: string }[];
  expect(content?.type).toBe('text');
  expect(result.structuredContent).toBeDefined();
  return { structured: result.structuredContent as Record<string, unknown>, text: content?.text ?? '' };
}

async function connected(transport: StdioClientTransport | StreamableHTTPClientTransport): Promise<Client> {
  const client = new Client({ name: 'e2e-agent', version: '0.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** Starts `tierguard mcp --http --port 0` and resolves once it prints the URL it listens on. */
async function serveHttp(policies: string, ...extra: string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'mcp', '--policies', policies, '--http', '--port', '0', ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${DEADLINE_MS} ms; stderr: ${stderr}`)), DEADLINE_MS);
    const onData = (): void => {
      const match = /tierguard mcp: listening on (http:\/\/\S+)\n/.exec(stderr);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      child.stderr.off('data', onData);
      resolve(new URL(match[1]));
    };
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)} before listening; stderr: ${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr };
}

function exitOf(child: Child): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

interface RawResponse {
  readonly status: number;
  readonly body: string;
}

/** A request through node:http, which (unlike fetch) sends the Host header it is given. */
function rawRequest(
  url: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body?: string | Buffer | readonly Buffer[],
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: url.hostname, port: url.port, path: url.pathname, method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    // A server that refuses a body early may close the socket while it is still being sent.
    outgoing.on('error', reject);
    // Several chunks go out chunked, with no Content-Length: the server can only count as they arrive.
    if (Array.isArray(body)) {
      for (const chunk of body as readonly Buffer[]) outgoing.write(chunk);
      outgoing.end();
    } else {
      outgoing.end(body);
    }
  });
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});
const POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

function writePolicy(dir: string, limit: number): void {
  writeFileSync(
    join(dir, 'limit.json'),
    JSON.stringify({ id: 'pay.limit', tools: ['pay.*'], assert: { field: 'arguments.amount', op: 'lte', value: limit } }),
  );
}

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-mcp-cli-'));
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('tierguard mcp over stdio', () => {
  it('serves the constraint tools for examples/policies to the SDK client, and stops when the client leaves', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--policies', POLICIES],
      cwd: ROOT,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const errors: Error[] = [];
    const client = await connected(transport);
    client.onerror = (error) => errors.push(error);
    expect(client.getServerVersion()?.name).toBe('tierguard');
    expect(client.getInstructions()).toContain('get_constraints');

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['describe_scope', 'get_constraints', 'validate']);

    const idsOf = (answer: ToolAnswer): string[] => (answer.structured.policies as { id: string }[]).map((policy) => policy.id);
    const constraints = await call(client, 'get_constraints', { tool: 'payments.transfer', kind: 'request' });
    expect(idsOf(constraints)).toEqual([
      'payments.amount-bounds',
      'payments.currency',
      'payments.not-deleted',
      'payments.large-transfer-review',
    ]);
    // The response policies of examples/policies name no tools: they sanitise every tool's output.
    const everyPhase = await call(client, 'get_constraints', { tool: 'payments.transfer' });
    expect(idsOf(everyPhase)).toEqual(['output.strip-ansi', 'output.redact-api-keys', ...idsOf(constraints)]);
    expect(constraints.text).toContain('payments.large-transfer-review  escalate  enforce  request  tools: payments.transfer');

    const denied = await call(client, 'validate', { action: action('backup-dev.json') });
    expect(denied.structured).toMatchObject({ available: true, verdict: 'deny', outcome: 'deny' });
    expect(denied.structured.violations).toEqual([
      expect.objectContaining({ policyId: 'database.backup-roles', field: 'context.user.roles', path: ['context', 'user', 'roles'] }),
    ]);
    expect(denied.text).toContain(
      'x database.backup-roles  context.user.roles  database.backup needs the role admin or dba (caller has ["dev"])',
    );

    const allowed = await call(client, 'validate', { action: action('payment-ok.json') });
    expect(allowed.structured.verdict).toBe('allow');

    await client.close();
    // Closing stdin ends the server on its own, before the transport's SIGTERM fallback.
    expect(stderr).toContain('tierguard mcp: stopping (the client closed the connection)\ntierguard mcp: stopped\n');
    expect(stderr).toMatch(
      /^tierguard mcp: serving 20 policies \(sha256:[0-9a-f]{64}\) from .*examples\/policies, reloading every 2 s and on SIGHUP\n/,
    );
    expect(stderr).not.toMatch(STACK_LINE);
    // Anything but protocol messages on stdout would have reached the client as a parse error.
    expect(errors).toEqual([]);
  });
});

describe('tierguard mcp log lines', () => {
  it('escape what they echo: a policy directory named with terminal escapes', async () => {
    const policies = join(directory, 'named\u001b[2K\u202e');
    mkdirSync(policies, { recursive: true });
    writePolicy(policies, 100);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--policies', policies],
      cwd: ROOT,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const client = await connected(transport);
    await client.listTools();
    await client.close();
    expect(stderr).toMatch(/^tierguard mcp: serving 1 policies \(sha256:[0-9a-f]{64}\) from \S*named\\x1b\[2K\\u202e, reloading/);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });
});

describe('tierguard mcp --http', () => {
  it('serves Streamable HTTP on 127.0.0.1 with a free port, in sessions, and exits 0 on SIGTERM', async () => {
    const served = await serveHttp(POLICIES);
    expect(served.url.hostname).toBe('127.0.0.1');
    expect(served.url.pathname).toBe('/mcp');
    expect(Number(served.url.port)).toBeGreaterThan(0);

    const transport = new StreamableHTTPClientTransport(served.url);
    const client = await connected(transport);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const scope = await call(client, 'describe_scope');
    expect(scope.structured).toMatchObject({ available: true, policyCount: 20, mode: 'enforce' });
    expect(scope.structured.tools).toContain('payments.*');
    const decision = await call(client, 'validate', { action: action('payment-over-limit.json') });
    expect(decision.structured.verdict).toBe('deny');

    // A second client gets a session of its own.
    const other = new StreamableHTTPClientTransport(served.url);
    await connected(other);
    expect(other.sessionId).not.toBe(transport.sessionId);

    const sessionId = transport.sessionId ?? '';
    await transport.terminateSession();
    const afterEnd = await rawRequest(
      served.url,
      'POST',
      { ...POST_HEADERS, 'mcp-session-id': sessionId },
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    );
    expect(afterEnd.status).toBe(404);

    served.child.kill('SIGTERM');
    expect(await exitOf(served.child)).toBe(0);
    expect(served.stderr()).toContain('tierguard mcp: stopping (SIGTERM)\ntierguard mcp: stopped\n');
    expect(served.stderr()).not.toMatch(STACK_LINE);
  });

  it('refuses a foreign Host header with 403, requests without a session with 400, and a body over 1 MiB with 413', async () => {
    const served = await serveHttp(POLICIES);
    const port = served.url.port;

    const rebound = await rawRequest(served.url, 'POST', { ...POST_HEADERS, host: `evil.example:${port}` }, INITIALIZE);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 }, id: null });
    expect(rebound.body).toContain('evil.example');
    const smuggled = await rawRequest(served.url, 'POST', { ...POST_HEADERS, host: `evil.example@127.0.0.1:${port}` }, INITIALIZE);
    expect(smuggled.status).toBe(403);

    // Loopback names pass the Host check; the endpoint then wants a session.
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      const noSession = await rawRequest(
        served.url,
        'POST',
        { ...POST_HEADERS, host },
        JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      );
      expect(noSession.status).toBe(400);
      expect(noSession.body).toContain('initialize');
    }
    const initialized = await rawRequest(served.url, 'POST', POST_HEADERS, INITIALIZE);
    expect(initialized.status).toBe(200);

    const tooLarge = await rawRequest(served.url, 'POST', POST_HEADERS, Buffer.alloc(1024 * 1024 + 1, 0x20));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toContain('at most 1048576 bytes');
    const streamed = await rawRequest(served.url, 'POST', POST_HEADERS, [Buffer.alloc(1024 * 1024, 0x20), Buffer.from('{}')]);
    expect(streamed.status).toBe(413);
    // Just under the bound the body is read and judged as JSON-RPC.
    const bounded = await rawRequest(served.url, 'POST', POST_HEADERS, `${INITIALIZE}${' '.repeat(1024 * 1024 - INITIALIZE.length)}`);
    expect(bounded.status).toBe(200);
    const elsewhere = await rawRequest(new URL('/other', served.url), 'POST', POST_HEADERS, INITIALIZE);
    expect(elsewhere.status).toBe(404);
  });

  it('applies a policy edit without a restart: by polling, and on SIGHUP when polling is off', async () => {
    const polled = join(directory, 'polled');
    mkdirSync(polled);
    writePolicy(polled, 100);
    const served = await serveHttp(polled, '--reload-interval', '0.1');
    const client = await connected(new StreamableHTTPClientTransport(served.url));
    const payment = { action: { tool: 'pay.send', arguments: { amount: 500 } } };
    const before = await call(client, 'validate', payment);
    expect(before.structured.verdict).toBe('deny');

    writePolicy(polled, 1000);
    const after = await until(
      'the verdict after the edit',
      async () => (await call(client, 'validate', payment)).structured,
      (structured) => structured.verdict === 'allow',
    );
    expect(after.policyVersion).not.toBe(before.structured.policyVersion);
    expect(served.stderr()).toContain(`tierguard mcp: policies reloaded: ${String(after.policyVersion)} (1 policies)`);
    const constraints = await call(client, 'get_constraints', { tool: 'pay.send' });
    expect((constraints.structured.policies as { assert: string }[])[0]?.assert).toBe('arguments.amount <= 1000');

    const signalled = join(directory, 'signalled');
    mkdirSync(signalled);
    writePolicy(signalled, 100);
    const manual = await serveHttp(signalled, '--reload-interval', '0');
    expect(manual.stderr()).toContain('reloading on SIGHUP\n');
    const manualClient = await connected(new StreamableHTTPClientTransport(manual.url));
    writePolicy(signalled, 1000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await call(manualClient, 'validate', payment)).structured.verdict).toBe('deny');
    manual.child.kill('SIGHUP');
    await until(
      'the verdict after SIGHUP',
      async () => (await call(manualClient, 'validate', payment)).structured.verdict,
      (verdict) => verdict === 'allow',
    );
  });

  it('keeps serving the last good policies when an edit breaks them, and says so on stderr', async () => {
    const broken = join(directory, 'broken');
    mkdirSync(broken);
    writePolicy(broken, 100);
    const served = await serveHttp(broken, '--reload-interval', '0.1');
    const client = await connected(new StreamableHTTPClientTransport(served.url));
    writeFileSync(
      join(broken, 'limit.json'),
      '{ "id": "pay.limit", "assert": { "field": "arguments.amount", "op": "equals", "value": 1 } }',
    );
    await until(
      'the reload error on stderr',
      async () => served.stderr(),
      (stderr) => stderr.includes('policies not reloaded'),
    );
    expect(served.stderr()).toContain('INVALID_POLICY');
    const decision = await call(client, 'validate', { action: { tool: 'pay.send', arguments: { amount: 500 } } });
    expect(decision.structured).toMatchObject({ available: true, verdict: 'deny' });
  });
});

describe('tierguard mcp usage', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: DEADLINE_MS });

  it.each([
    [['mcp'], '--policies is required'],
    [['mcp', '--policies', POLICIES, '--port', '80'], '--host and --port apply to --http only'],
    [['mcp', '--policies', POLICIES, '--http', '--port', '70000'], '--port must be a whole number from 0 to 65535'],
    [['mcp', '--policies', POLICIES, '--reload-interval', 'soon'], '--reload-interval must be 0 (no polling) or a number of seconds'],
    [['mcp', '--policies', POLICIES, '--stdio'], "Unknown option '--stdio'"],
  ])('%j exits 2 with the message and the usage', (args, message) => {
    const result = run(...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`tierguard: ${message}`);
    expect(result.stderr).toContain(`  ${MCP_USAGE}\n`);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('exits 2 naming the policy when the policies are invalid', () => {
    const invalid = join(directory, 'invalid');
    mkdirSync(invalid);
    writeFileSync(join(invalid, 'bad.json'), '{ "id": "bad", "assert": { "field": "a", "op": "equals", "value": 1 } }');
    const result = run('mcp', '--policies', invalid);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^tierguard: INVALID_POLICY: .*policy "bad"/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('exits 2 when the port is taken, naming the address', async () => {
    const first = await serveHttp(POLICIES);
    const result = run('mcp', '--policies', POLICIES, '--http', '--port', first.url.port);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`tierguard: cannot listen on 127.0.0.1 port ${first.url.port}: `);
    expect(result.stderr).toContain('EADDRINUSE');
  });

  it('never loads the MCP SDK or zod for other commands', () => {
    const record = join(directory, 'loads.txt');
    writeFileSync(record, '');
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        join(ROOT, 'tests/support/record-loads.mjs'),
        BIN,
        'check',
        '--policies',
        POLICIES,
        '--action',
        join(ACTIONS, 'payment-ok.json'),
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RECORD_LOADS: record } },
    );
    expect(result.status, result.stderr).toBe(0);
    const loads = readFileSync(record, 'utf8').split('\n');
    expect(loads.some((url) => url.endsWith('/dist/cli/mcp-command.js'))).toBe(true);
    expect(loads.filter((url) => url.includes('/node_modules/@modelcontextprotocol/') || url.includes('/node_modules/zod/'))).toEqual([]);
  });

  it('without the SDK installed, explains how to install it and exits 2, and check still works', () => {
    // A copy of the built package whose node_modules has everything but the SDK.
    const installed = join(directory, 'without-sdk');
    cpSync(join(ROOT, 'dist'), join(installed, 'dist'), {
      recursive: true,
      filter: (source) => !source.endsWith('.map') && !source.endsWith('.d.ts'),
    });
    for (const shipped of ['package.json', 'schema', 'shapes']) cpSync(join(ROOT, shipped), join(installed, shipped), { recursive: true });
    mkdirSync(join(installed, 'node_modules'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name !== '@modelcontextprotocol' && name !== '.bin')
        symlinkSync(join(ROOT, 'node_modules', name), join(installed, 'node_modules', name));
    }
    const bin = join(installed, 'dist', 'cli', 'bin.js');
    const mcp = spawnSync(process.execPath, [bin, 'mcp', '--policies', POLICIES], { encoding: 'utf8', timeout: DEADLINE_MS });
    expect(mcp.status).toBe(2);
    expect(mcp.stdout).toBe('');
    expect(mcp.stderr.split('\n')[0]).toBe(
      'tierguard: tierguard mcp needs @modelcontextprotocol/sdk: npm install @modelcontextprotocol/sdk zod',
    );
    const check = spawnSync(process.execPath, [bin, 'check', '--policies', POLICIES, '--action', join(ACTIONS, 'payment-ok.json')], {
      encoding: 'utf8',
    });
    expect(check.status, check.stderr).toBe(0);
  });
});
