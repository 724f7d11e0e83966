import { DEFAULT_SHUTDOWN_WAIT_MS } from '../../limits.js';
import { timerDelay } from './timer-delay.js';

/** One engine process or temporary directory in flight. */
interface LiveRun {
  /** Stops it now (kills the process); a temporary directory has nothing to stop and waits for the run inside it. */
  readonly stop: () => void;
  /** Settles once it is over: the process killed and reaped, the directory removed. */
  readonly settled: Promise<unknown>;
}

// Process-wide on purpose: a signal is delivered to the whole process, so what it
// must stop is every engine run of the process, whoever started it.
const live = new Set<LiveRun>();
let shuttingDown = false;

/**
 * Registers a run until `settled` settles, so {@link stopEngineRuns} can stop it.
 * `stop` must make `settled` settle promptly.
 */
export function trackRun(stop: () => void, settled: Promise<unknown>): void {
  const run: LiveRun = { stop, settled };
  live.add(run);
  const untrack = (): void => void live.delete(run);
  settled.then(untrack, untrack);
  if (shuttingDown) stop();
}

/** True once {@link stopEngineRuns} was called: no new engine process may start. */
export function engineRunsStopping(): boolean {
  return shuttingDown;
}

/** What {@link stopEngineRuns} found. */
export interface StopOutcome {
  /** False when some run had not settled when the wait ran out. */
  readonly settled: boolean;
}

/**
 * For a process that is about to exit on a signal: refuses new engine runs from
 * now on (they fail as `ABORTED` without starting), stops every one in flight
 * (killing its processes, daemons included) and waits, at most `waitMs`, until
 * each is over and each temporary directory is removed. One-way: the process is
 * expected to exit afterwards.
 */
export async function stopEngineRuns(waitMs: number = DEFAULT_SHUTDOWN_WAIT_MS): Promise<StopOutcome> {
  shuttingDown = true;
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<'out of time'>((resolve) => {
    timer = setTimeout(() => resolve('out of time'), timerDelay(waitMs));
  });
  try {
    // Runs can register while others finish (a temporary directory whose run is then refused), so look again until none is left.
    while (live.size > 0) {
      const runs = [...live];
      for (const run of runs) run.stop();
      const done = await Promise.race([Promise.allSettled(runs.map((run) => run.settled)), outOfTime]);
      if (done === 'out of time') return { settled: false };
    }
    return { settled: true };
  } finally {
    clearTimeout(timer);
  }
}
