import { stopEngineRuns } from '../engines/process/live-runs.js';
import { DEFAULT_SHUTDOWN_WAIT_MS } from '../limits.js';
import { Interrupted } from './interrupted.js';

/**
 * The signals that stop a command that may run engines. SIGHUP is among them:
 * for a one-shot command a closed terminal means nobody waits for the answer, and
 * Node's default would exit at once, leaving engines running and their files behind.
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = Object.freeze(['SIGINT', 'SIGTERM', 'SIGHUP']);

/**
 * How long an interrupted command may take to exit once its engine runs are
 * over, before it is made to: the command itself may still wait on something
 * the signal did not stop (standard input, a file read).
 */
const EXIT_AFTER_MS = 1_000;

/**
 * Runs a command that may start engine processes so that SIGINT, SIGTERM and
 * SIGHUP stop it cleanly instead of killing it on the spot: the engine runs in
 * flight are killed (their daemons included) and no new one starts, their
 * temporary directories are removed, waiting at most `waitMs`, and the command
 * rejects with {@link Interrupted}. A second signal during that wait changes
 * nothing: the wait is bounded. Should something keep the process alive after
 * that, it is exited with the signal's code.
 */
export async function stoppableBySignals<T>(run: () => Promise<T>, waitMs: number = DEFAULT_SHUTDOWN_WAIT_MS): Promise<T> {
  let stopping = false;
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const interrupted = new Promise<never>((_resolve, reject) => {
    onSignal = (signal) => {
      if (stopping) return;
      stopping = true;
      void stopEngineRuns(waitMs).then(({ settled }) => {
        const stopped = new Interrupted(signal, settled, waitMs);
        setTimeout(() => process.exit(stopped.exitCode), EXIT_AFTER_MS).unref();
        reject(stopped);
      });
    };
  });
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  const running = run();
  // Once interrupted, the command's own outcome no longer matters; a late rejection must not crash the exit.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, interrupted]);
  } finally {
    // Only when the command ended on its own; while stopping, a repeated signal must still be ignored.
    if (!stopping) for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}
