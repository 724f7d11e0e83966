import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/gateway-process.js';
import { ROOT, requireBuild } from '../support/paths.js';

/**
 * `tierguard gateway --otel <setup.mjs>` as an operator runs it: the built CLI
 * imports examples/otel/otel-setup.mjs (the real SDK with exporters that write a file),
 * guards the echo fixture over stdio, and exports every decision as a log
 * record and metrics, flushed when the client goes away.
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const ECHO_SERVER = join(ROOT, 'tests', 'fixtures', 'gateway', 'echo-server.mjs');
const SETUP = join(ROOT, 'examples', 'otel', 'otel-setup.mjs');
const SECRET = 'sk-live-gateway-secret-0042';
const POLICIES = [
  { id: 'echo.no-shouting', tools: ['echo'], assert: { not: { field: 'arguments.loud', op: 'eq', value: true } } },
  // Proposed only: the secret reaches the server, and must reach no exported record.
  { id: 'echo.watch-text', tools: ['echo'], mode: 'monitor', rewrite: [{ op: 'mask_field', field: 'arguments.text' }] },
  { id: 'echo.known-text', tools: ['echo'], effect: 'warn', assert: { field: 'arguments.text', op: 'eq', value: 'hello' } },
];

let directory = '';
let policies = '';

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-gateway-otel-'));
  policies = join(directory, 'policies');
  mkdirSync(policies);
  writeFileSync(join(policies, 'echo.json'), JSON.stringify(POLICIES));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

interface Exported {
  readonly signal: 'log' | 'metric';
  readonly name?: string;
  readonly attributes?: Record<string, unknown>;
  readonly body?: { tool?: string; outcome?: string; warnings?: { policyId: string; actual?: unknown }[] };
  readonly points?: { attributes: Record<string, unknown>; value: number }[];
}

describe('tierguard gateway --otel', () => {
  it('exports every decision through the SDK the setup module registers, masked values left out', async () => {
    const output = join(directory, 'exported.jsonl');
    const inherited = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'gateway', '--policies', policies, '--otel', SETUP, '--', process.execPath, ECHO_SERVER],
      cwd: ROOT,
      stderr: 'pipe',
      env: { ...inherited, TIERGUARD_OTEL_FILE: output },
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const client = new Client({ name: 'e2e-agent', version: '0.0.0' });
    await client.connect(transport);
    expect((await client.callTool({ name: 'echo', arguments: { text: SECRET } })).content).toEqual([{ type: 'text', text: SECRET }]);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'hi', loud: true } })).isError).toBe(true);
    await client.close();
    await waitFor('the exported records', () => existsSync(output) && readFileSync(output, 'utf8').includes('"signal":"metric"'));
    await waitFor('the gateway to stop', () => stderr.includes('stopped'));

    const text = readFileSync(output, 'utf8');
    expect(text).not.toContain(SECRET);
    const exported = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Exported);
    const records = exported.filter((item) => item.signal === 'log');
    expect(records.map((record) => [record.body?.tool, record.body?.outcome])).toEqual([
      ['initialize', 'allow'],
      ['echo', 'allow'],
      ['echo', 'deny'],
    ]);
    expect(records[2]?.attributes).toMatchObject({
      'tierguard.verdict': 'deny',
      'tierguard.policy_ids': ['echo.no-shouting', 'echo.known-text', 'echo.watch-text'],
    });
    // The warn policy did quote the secret's field: its violation is there, with the value withheld.
    expect(records[1]?.body?.warnings?.map((warning) => [warning.policyId, 'actual' in warning])).toEqual([['echo.known-text', false]]);
    const decisions = exported.find((item) => item.name === 'tierguard_decisions');
    expect(decisions?.points?.map((point) => [point.attributes['method'], point.attributes['verdict'], point.value]).sort()).toEqual([
      ['initialize', 'allow', 1],
      ['tools/call', 'allow', 1],
      ['tools/call', 'deny', 1],
    ]);
    expect(exported.some((item) => item.name === 'policy_eval_ms')).toBe(true);
  });

  it('refuses a setup module that registers no provider, and one that cannot be imported, with exit 2', () => {
    const empty = join(directory, 'registers-nothing.mjs');
    writeFileSync(empty, 'export {};\n');
    for (const [setup, expected] of [
      [empty, /--otel: .*registers-nothing\.mjs registered no OpenTelemetry logger provider/],
      [join(directory, 'missing.mjs'), /--otel: cannot import .*missing\.mjs/],
    ] as const) {
      const run = spawnSync(
        process.execPath,
        [BIN, 'gateway', '--policies', policies, '--otel', setup, '--', process.execPath, ECHO_SERVER],
        {
          cwd: ROOT,
          encoding: 'utf8',
          input: '',
        },
      );
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(expected);
    }
  });
});
