import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DAEMONIZING_ENGINE, gone, killLeftovers, readEngineReport, within } from '../support/daemonizing-engine.js';
import { requireBuild, ROOT } from '../support/paths.js';

/**
 * The built CLI stopped by a signal while an engine runs: a fake `semgrep` on
 * PATH (the daemonising stand-in engine) hangs, holding its daemon, until the
 * CLI gets SIGTERM, SIGINT or SIGHUP. The CLI must kill both, remove the
 * engine's temporary directory, and exit with 128 + the signal's number
 * (`tierguard mcp`, a server, exits 0 as it always does on SIGTERM).
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const RULE = join(ROOT, 'tests', 'fixtures', 'enforcement', 'engine-policies', 'no-eval.yaml');
const ARTIFACT = join(ROOT, 'tests', 'fixtures', 'enforcement', 'artifacts', 'app-clean.js');
const EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

let scratch = '';
let fakeBin = '';
let policies = '';
const started: number[] = [];

beforeAll(() => {
  requireBuild();
  scratch = mkdtempSync(join(tmpdir(), 'tierguard-cli-signals-'));
  fakeBin = join(scratch, 'bin');
  mkdirSync(fakeBin);
  // An extensionless file is loaded as CommonJS; the shebang names this Node, so PATH needs no other.
  writeFileSync(join(fakeBin, 'semgrep'), `#!${process.execPath}\nrequire(${JSON.stringify(DAEMONIZING_ENGINE)});\n`);
  chmodSync(join(fakeBin, 'semgrep'), 0o755);
  policies = join(scratch, 'policies');
  mkdirSync(join(policies, 'fixtures', 'code.hangs', 'allow'), { recursive: true });
  writeFileSync(
    join(policies, 'policies.json'),
    JSON.stringify([{ id: 'code.hangs', enforcement: [{ engine: 'semgrep', policy: RULE }] }]),
  );
  copyFileSync(ARTIFACT, join(policies, 'fixtures', 'code.hangs', 'allow', 'app.js'));
});

afterEach(() => killLeftovers(started.splice(0)));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the CLI stopped by a signal while an engine that daemonises runs', () => {
  const cases: [string, keyof typeof EXIT_CODES][] = [
    ['validate', 'SIGTERM'],
    ['validate', 'SIGINT'],
    ['validate', 'SIGHUP'],
    ['test', 'SIGTERM'],
    ['test', 'SIGINT'],
  ];
  for (const [command, signal] of cases) {
    it(`tierguard ${command} on ${signal}: kills the engine and its daemon, removes the temporary directory, exits ${EXIT_CODES[signal]}`, async () => {
      const run = join(scratch, `${command}-${signal}`);
      const temp = join(run, 'tmp');
      mkdirSync(temp, { recursive: true });
      const report = join(run, 'report');
      const args = command === 'validate' ? ['validate', '--policies', policies, '--artifact', ARTIFACT] : ['test', '--policies', policies];
      const cli = spawn(process.execPath, [BIN, ...args], {
        cwd: ROOT,
        env: { ...process.env, PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ''}`, TMPDIR: temp, FAKE_ENGINE_REPORT: report },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      cli.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        cli.on('exit', (code, by) => resolve({ code, signal: by })),
      );
      try {
        const { engine, daemon, args: engineArgs } = await readEngineReport(report, true);
        started.push(engine, daemon);
        expect(engineArgs[0]).toBe('scan');
        expect(readdirSync(temp).filter((name) => name.startsWith('tierguard-engine-'))).toHaveLength(1);

        cli.kill(signal);
        const outcome = await within(exited, 20_000);
        expect(outcome).toEqual({ code: EXIT_CODES[signal], signal: null });
        expect(stderr).toContain(`tierguard: stopped by ${signal}: engine runs were killed and their temporary directories removed`);
        expect(await gone(engine)).toBe(true);
        expect(await gone(daemon)).toBe(true);
        expect(readdirSync(temp)).toEqual([]);
      } finally {
        if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
      }
    });
  }
});

describe('tierguard mcp stopped by SIGTERM while a validate call runs an engine that daemonises', () => {
  it('kills the engine and its daemon and removes the temporary directory before it exits 0', async () => {
    const run = join(scratch, 'mcp-SIGTERM');
    const temp = join(run, 'tmp');
    mkdirSync(temp, { recursive: true });
    const report = join(run, 'report');
    const server = spawn(process.execPath, [BIN, 'mcp', '--policies', policies, '--http', '--port', '0', '--reload-interval', '0'], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ''}`, TMPDIR: temp, FAKE_ENGINE_REPORT: report },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    server.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      server.on('exit', (code, by) => resolve({ code, signal: by })),
    );
    const client = new Client({ name: 'e2e-agent', version: '0.0.0' });
    try {
      for (let attempt = 0; attempt < 200 && !/listening on http/.test(stderr); attempt += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const url = /tierguard mcp: listening on (http:\/\/\S+)\n/.exec(stderr)?.[1];
      expect(url, stderr).toBeDefined();
      await client.connect(new StreamableHTTPClientTransport(new URL(url ?? '')));
      // Not awaited: the engine hangs, and the server is stopped while the call waits for it.
      const call = client.callTool({ name: 'validate', arguments: { artifact: { content: 'console.log(1);\n', name: 'app.js' } } });
      call.catch(() => undefined);
      const { engine, daemon } = await readEngineReport(report, true);
      started.push(engine, daemon);
      expect(readdirSync(temp).filter((name) => name.startsWith('tierguard-engine-'))).toHaveLength(1);

      server.kill('SIGTERM');
      expect(await within(exited, 20_000)).toEqual({ code: 0, signal: null });
      expect(await gone(engine)).toBe(true);
      expect(await gone(daemon)).toBe(true);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      await client.close().catch(() => undefined);
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
  });
});
