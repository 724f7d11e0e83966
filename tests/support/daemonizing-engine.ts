import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The stand-in engine that daemonises (see the fixture's header for what it does). */
export const DAEMONIZING_ENGINE = fileURLToPath(new URL('../fixtures/engines/daemonizing/engine.cjs', import.meta.url));

/** What the daemonizing engine reported: its pid and its daemon's, and every line of the report. */
export interface EngineReport {
  readonly engine: number;
  readonly daemon: number;
  readonly args: readonly string[];
  readonly lines: readonly string[];
}

/** Waits (up to 10 s) for the engine's report in `file`, and for its daemon to say it is ready when `daemonReady`. */
export async function readEngineReport(file: string, daemonReady: boolean): Promise<EngineReport> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const lines = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => line.length > 0)
      : [];
    const first = lines[0];
    if (first !== undefined && (!daemonReady || lines.includes('daemon ready'))) {
      const { engine, daemon, args } = JSON.parse(first) as { engine: number; daemon: number; args: string[] };
      return { engine, daemon, args, lines };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the engine never reported in ${file}`);
}

/** Alive and not a zombie: a killed process whose parent died may linger as a zombie until PID 1 reaps it. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** True once `pid` is gone, waiting up to 5 s for it to go. */
export async function gone(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Sends SIGKILL to each pid still there: cleanup after a test that failed and left its processes running. */
export function killLeftovers(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The promise's value, or 'still running' when it has not settled within `ms` (a hang, not a slow run). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still running'> {
  return Promise.race([promise, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms).unref())]);
}
