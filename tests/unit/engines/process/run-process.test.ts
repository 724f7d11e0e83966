import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runProcess } from '../../../../src/engines/process/run-process.js';
import type { ProcessResult, RunProcessOptions } from '../../../../src/engines/process/run-process.js';
import { DAEMONIZING_ENGINE, killLeftovers, readEngineReport, within } from '../../../support/daemonizing-engine.js';
import type { EngineReport } from '../../../support/daemonizing-engine.js';

const NODE = process.execPath;
const BOUNDS: RunProcessOptions = { timeoutMs: 20_000, maxStdoutBytes: 1_048_576, maxStderrBytes: 65_536 };

/** Runs a Node script as the child, the way an adapter runs an engine binary. */
function node(script: string, options: Partial<RunProcessOptions> = {}, args: readonly string[] = []): Promise<ProcessResult> {
  return runProcess(NODE, ['-e', script, ...args], { ...BOUNDS, ...options });
}

/** Alive and not a zombie: a killed process whose parent died may linger as a zombie until PID 1 reaps it. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * A child that starts a grandchild in its own process group (as engines start
 * helpers), prints the grandchild's pid, then does `then`. The grandchild sleeps
 * for a minute: long after any test.
 */
function parentOfSleeper(then: string): string {
  return `
    const { spawn } = require('node:child_process');
    const grandchild = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    process.stdout.write(String(grandchild.pid) + '\\n', () => { ${then} });
  `;
}

function pidIn(result: ProcessResult): number {
  const pid = Number.parseInt(result.stdout.trim(), 10);
  expect(Number.isSafeInteger(pid) && pid > 0, `a pid on stdout, got ${JSON.stringify(result.stdout)}`).toBe(true);
  return pid;
}

describe('runProcess', () => {
  it('runs an argument array without a shell and reports exit code, stdout and stderr', async () => {
    const hostile = ['$(echo pwned)', '; exit 3', '`id`', '\'quoted\' "double"', '*'];
    const result = await node(
      "process.stdout.write(JSON.stringify(process.argv.slice(1))); process.stderr.write('to stderr'); process.exitCode = 4",
      {},
      hostile,
    );
    expect(result).toMatchObject({ status: 'exited', exitCode: 4, stderr: 'to stderr' });
    expect(JSON.parse(result.stdout)).toEqual(hostile);
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('writes stdin, then closes it', async () => {
    const result = await node(
      "let s = ''; process.stdin.on('data', (d) => { s += d; }).on('end', () => process.stdout.write(s.toUpperCase()))",
      { stdin: 'héllo' },
    );
    expect(result).toMatchObject({ status: 'exited', exitCode: 0, stdout: 'HÉLLO' });
  });

  it('passes the given environment and working directory, and nothing else of ours', async () => {
    const result = await node('process.stdout.write(JSON.stringify([process.cwd(), process.env.ONLY, process.env.HOME]))', {
      cwd: '/',
      env: { ONLY: 'this' },
    });
    expect(JSON.parse(result.stdout)).toEqual(['/', 'this', null]);
  });

  it('is not bothered by a child that never reads its stdin', async () => {
    const result = await node('process.exit(0)', { stdin: 'x'.repeat(4 * 1_048_576) });
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
  });

  it('kills the whole process tree on timeout, grandchild included', async () => {
    const result = await node(parentOfSleeper('setTimeout(() => {}, 60000)'), { timeoutMs: 1_500 });
    expect(result).toMatchObject({ status: 'failed', code: 'TIMEOUT' });
    expect(result.status === 'failed' && result.message).toMatch(/timed out after 1500 ms and was killed/);
    expect(await gone(pidIn(result))).toBe(true);
  });

  it('kills a grandchild left behind by a child that exited, which would otherwise hold the run open', async () => {
    // The grandchild inherits stdout here, as a naive helper would: without the
    // group kill on exit the pipe stays open and the run lasts a minute.
    const script = `
      const { spawn } = require('node:child_process');
      const grandchild = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'inherit' });
      process.stdout.write(String(grandchild.pid) + '\\n', () => process.exit(0));
    `;
    const result = await node(script, { timeoutMs: 30_000 });
    // Without the group kill on exit this is a TIMEOUT: the sleeping grandchild holds stdout open.
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(await gone(pidIn(result))).toBe(true);
  });

  it('stops reading and kills the tree when stdout passes its cap', async () => {
    const flood = `
      const chunk = Buffer.alloc(65536, 120);
      (function write() { while (process.stdout.write(chunk)); process.stdout.once('drain', write); })();
    `;
    const result = await node(flood, { maxStdoutBytes: 200_000 });
    expect(result).toMatchObject({ status: 'failed', code: 'LIMIT_EXCEEDED' });
    expect(result.status === 'failed' && result.message).toMatch(/more than 200000 bytes to stdout/);
    expect(result.stdout.length).toBe(200_000);
  });

  it('caps stderr the same way', async () => {
    const flood = "const c = 'e'.repeat(65536); (function w() { while (process.stderr.write(c)); process.stderr.once('drain', w); })();";
    const result = await node(flood, { maxStderrBytes: 100_000 });
    expect(result).toMatchObject({ status: 'failed', code: 'LIMIT_EXCEEDED' });
    expect(result.stderr.length).toBeLessThanOrEqual(100_000);
  });

  it('keeps a time limit longer than Node timers hold as a long limit, instead of firing at once', async () => {
    const result = await node("setTimeout(() => process.stdout.write('done'), 50)", { timeoutMs: 3_000_000_000 });
    expect(result).toMatchObject({ status: 'exited', exitCode: 0, stdout: 'done' });
  });

  it('accepts output of exactly the cap', async () => {
    const result = await node("process.stdout.write('x'.repeat(1000))", { maxStdoutBytes: 1000 });
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(result.stdout).toHaveLength(1000);
  });

  it('kills the tree when the signal aborts', async () => {
    const controller = new AbortController();
    const running = node(parentOfSleeper('setTimeout(() => {}, 60000)'), { signal: controller.signal });
    setTimeout(() => controller.abort(), 1_000);
    const result = await running;
    expect(result).toMatchObject({ status: 'failed', code: 'ABORTED' });
    expect(await gone(pidIn(result))).toBe(true);
  });

  it('does not start a process for a signal that has already aborted', async () => {
    const result = await node("require('node:fs').writeFileSync('/dev/stderr', 'ran')", { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ status: 'failed', code: 'ABORTED', stderr: '' });
  });

  it('says clearly when the binary is missing', async () => {
    const result = await runProcess('tierguard-no-such-engine', ['--version'], BOUNDS);
    expect(result).toEqual({
      status: 'failed',
      code: 'ENGINE_UNAVAILABLE',
      message: 'tierguard-no-such-engine was not found (is it installed and on PATH?)',
      stdout: '',
      stderr: '',
      durationMs: expect.any(Number) as number,
    });
  });

  it('reports a child killed by a signal as an engine failure', async () => {
    const result = await node("process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000)");
    expect(result).toMatchObject({ status: 'failed', code: 'ENGINE_FAILED', message: `${NODE} was killed by SIGTERM` });
  });

  it('reports an argument spawn refuses as an engine failure', async () => {
    const result = await runProcess(NODE, ['-e', 'nul\u0000byte'], BOUNDS);
    expect(result).toMatchObject({ status: 'failed', code: 'ENGINE_FAILED' });
  });
});

describe('runProcess with an engine that daemonises (a grandchild in its own session, holding stdout)', () => {
  let dir = '';
  let report = '';
  const started: number[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tierguard-daemon-test-'));
    report = join(dir, 'report');
  });
  afterEach(async () => {
    // Whatever a failing test left running goes, so it cannot disturb the next.
    killLeftovers(started.splice(0));
    await rm(dir, { recursive: true, force: true });
  });

  function engine(env: Record<string, string>, options: Partial<RunProcessOptions> = {}): Promise<ProcessResult> {
    return runProcess(NODE, [DAEMONIZING_ENGINE], { ...BOUNDS, env: { ...process.env, FAKE_ENGINE_REPORT: report, ...env }, ...options });
  }
  async function reported(daemonReady = true): Promise<EngineReport> {
    const found = await readEngineReport(report, daemonReady);
    started.push(found.engine, found.daemon);
    return found;
  }

  it('settles TIMEOUT and kills the engine and its daemon', async () => {
    const running = engine({}, { timeoutMs: 1_500 });
    const { engine: pid, daemon } = await reported();
    const result = await within(running, 10_000);
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'failed', code: 'TIMEOUT' });
    expect(await gone(pid)).toBe(true);
    expect(await gone(daemon)).toBe(true);
  });

  it('settles ABORTED and kills the engine and its daemon when the signal aborts', async () => {
    const controller = new AbortController();
    const running = engine({}, { signal: controller.signal });
    const { engine: pid, daemon } = await reported();
    controller.abort();
    const result = await within(running, 10_000);
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'failed', code: 'ABORTED' });
    expect(await gone(pid)).toBe(true);
    expect(await gone(daemon)).toBe(true);
  });

  it('kills the daemon of an engine that exited, and reports the exit instead of waiting for the daemon', async () => {
    const running = engine({ FAKE_ENGINE_MODE: 'exit' }, { timeoutMs: 30_000 });
    const result = await within(running, 10_000);
    // The daemon may be killed before it is ready: the engine exits at once.
    const { daemon } = await reported(false);
    expect(result).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(await gone(daemon)).toBe(true);
  });

  it('asks the daemon to stop with SIGTERM first', async () => {
    const running = engine({ FAKE_DAEMON_ON_TERM: 'record' }, { timeoutMs: 1_500 });
    const { daemon } = await reported();
    expect(await within(running, 10_000)).toMatchObject({ status: 'failed', code: 'TIMEOUT' });
    expect(await gone(daemon)).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('terminated\n');
  });

  it('kills a daemon that ignores SIGTERM with SIGKILL after killGraceMs', async () => {
    const running = engine({ FAKE_DAEMON_ON_TERM: 'ignore' }, { timeoutMs: 1_500, killGraceMs: 500 });
    const { daemon } = await reported();
    expect(await within(running, 10_000)).toMatchObject({ status: 'failed', code: 'TIMEOUT' });
    expect(await gone(daemon)).toBe(true);
  });

  it('still settles on timeout when a daemon that cleared its environment (so cannot be found) holds stdout', async () => {
    const running = engine({ FAKE_DAEMON_ENV: 'empty' }, { timeoutMs: 1_500 });
    const { engine: pid } = await reported();
    const result = await within(running, 10_000);
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'failed', code: 'TIMEOUT' });
    expect(await gone(pid)).toBe(true);
  });
});
