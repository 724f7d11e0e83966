import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRunsStopping, stopEngineRuns, trackRun } from '../../../../src/engines/process/live-runs.js';
import { runProcess } from '../../../../src/engines/process/run-process.js';
import type { ProcessResult } from '../../../../src/engines/process/run-process.js';
import { withTempDir } from '../../../../src/engines/process/temp-dir.js';
import { DAEMONIZING_ENGINE, gone, killLeftovers, readEngineReport, within } from '../../../support/daemonizing-engine.js';

const BOUNDS = { timeoutMs: 60_000, maxStdoutBytes: 65_536, maxStderrBytes: 65_536 };

// stopEngineRuns is one-way for the whole process (the CLI exits after it), and
// vitest gives each test file a process of its own: the tests below run in order,
// the first one shutting down, the others relying on it.
describe('stopEngineRuns', () => {
  let scratch = '';
  const started: number[] = [];
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'tierguard-live-runs-test-'));
  });
  afterAll(async () => {
    killLeftovers(started);
    await rm(scratch, { recursive: true, force: true });
  });

  it('kills a live engine run and its daemon, and resolves only once its temporary directory is removed', async () => {
    const report = join(scratch, 'report');
    let tempDir = '';
    const running = withTempDir(async (dir): Promise<ProcessResult> => {
      tempDir = dir;
      return runProcess(process.execPath, [DAEMONIZING_ENGINE], {
        ...BOUNDS,
        cwd: dir,
        env: { ...process.env, FAKE_ENGINE_REPORT: report },
      });
    });
    const { engine, daemon } = await readEngineReport(report, true);
    started.push(engine, daemon);
    expect(existsSync(tempDir)).toBe(true);

    expect(await within(stopEngineRuns(), 10_000)).toEqual({ settled: true });
    expect(existsSync(tempDir)).toBe(false);
    expect(await gone(engine)).toBe(true);
    expect(await gone(daemon)).toBe(true);
    expect(await running).toMatchObject({
      status: 'failed',
      code: 'ABORTED',
      message: `${process.execPath} was stopped and killed: tierguard is shutting down`,
    });
  });

  it('refuses new engine runs from then on: they fail as ABORTED without starting', async () => {
    expect(engineRunsStopping()).toBe(true);
    const result = await runProcess(process.execPath, ['-e', "require('node:fs').writeFileSync('/dev/stderr', 'ran')"], BOUNDS);
    expect(result).toMatchObject({
      status: 'failed',
      code: 'ABORTED',
      message: `${process.execPath} was not started: tierguard is shutting down`,
      stderr: '',
    });
  });

  it('gives up after waitMs on a run that does not settle, and says so', async () => {
    let stops = 0;
    trackRun(
      () => {
        stops += 1;
      },
      new Promise<void>(() => undefined),
    );
    expect(await within(stopEngineRuns(300), 5_000)).toEqual({ settled: false });
    expect(stops).toBeGreaterThan(0);
  });
});
