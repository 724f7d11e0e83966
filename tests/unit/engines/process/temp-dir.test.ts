import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../../../src/engines/process/run-process.js';
import type { RunProcessOptions } from '../../../../src/engines/process/run-process.js';
import { TEMP_DIR_PREFIX, withTempDir } from '../../../../src/engines/process/temp-dir.js';
import { DAEMONIZING_ENGINE, gone, killLeftovers, readEngineReport, within } from '../../../support/daemonizing-engine.js';

describe('withTempDir', () => {
  it('hands over a fresh private directory and removes it with its contents afterwards', async () => {
    let seen = '';
    const result = await withTempDir(async (dir) => {
      seen = dir;
      expect(basename(dir).startsWith(TEMP_DIR_PREFIX)).toBe(true);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      await writeFile(join(dir, 'artifact.tf'), 'resource "x" "y" {}');
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).not.toBe('');
    expect(existsSync(seen)).toBe(false);
  });

  it('removes the directory when the work throws, and passes the throw on', async () => {
    let seen = '';
    const failing = withTempDir(async (dir) => {
      seen = dir;
      await writeFile(join(dir, 'x'), 'x');
      throw new Error('engine blew up');
    });
    await expect(failing).rejects.toThrow('engine blew up');
    expect(existsSync(seen)).toBe(false);
  });

  it('gives concurrent runs different directories', async () => {
    const dirs = await Promise.all(Array.from({ length: 8 }, () => withTempDir(async (dir) => dir)));
    expect(new Set(dirs).size).toBe(8);
  });

  for (const [how, stopping] of [
    ['times out', (options: RunProcessOptions) => ({ ...options, timeoutMs: 1_500 })],
    ['is aborted', (options: RunProcessOptions) => ({ ...options, signal: AbortSignal.timeout(1_500) })],
  ] as const) {
    it(`is removed after the engine run in it ${how}, a daemon holding the engine's stdout killed first`, async () => {
      const scratch = await mkdtemp(join(tmpdir(), 'tierguard-temp-dir-test-'));
      const report = join(scratch, 'report');
      const started: number[] = [];
      try {
        let seen = '';
        const run = withTempDir(async (dir) => {
          seen = dir;
          const options: RunProcessOptions = {
            timeoutMs: 60_000,
            maxStdoutBytes: 65_536,
            maxStderrBytes: 65_536,
            cwd: dir,
            env: { ...process.env, FAKE_ENGINE_REPORT: report },
          };
          return runProcess(process.execPath, [DAEMONIZING_ENGINE], stopping(options));
        });
        const { engine, daemon } = await readEngineReport(report, true);
        started.push(engine, daemon);
        expect(await within(run, 10_000)).toMatchObject({ status: 'failed', code: how === 'times out' ? 'TIMEOUT' : 'ABORTED' });
        expect(existsSync(seen)).toBe(false);
        expect(await gone(daemon)).toBe(true);
      } finally {
        killLeftovers(started);
        await rm(scratch, { recursive: true, force: true });
      }
    });
  }
});
