import { randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';

/**
 * The environment variable `runProcess` sets in every engine process,
 * holding a value unique to the run. Every descendant inherits it unless it
 * rewrites its own environment, so it finds processes the process-group kill
 * misses: a daemon that called `setsid()` leaves the group but keeps the variable.
 */
export const RUN_MARKER_VARIABLE = 'TIERGUARD_ENGINE_RUN';

/** How often a stopping sweep looks again whether the processes it signalled are gone. */
const POLL_MS = 50;

/** A fresh marker value for one run. */
export function newRunMarker(): string {
  return randomUUID();
}

/**
 * The pids of this user's processes whose environment holds
 * `TIERGUARD_ENGINE_RUN=<marker>`, found by reading `/proc/<pid>/environ`.
 *
 * Why the environment and not the tree of children: a double-forking daemon is
 * re-parented to init (or a subreaper) the moment its parent exits, so a walk of
 * `/proc/<pid>/task/<tid>/children`, even polled while the run lasts, can miss
 * it; the inherited environment survives re-parenting and `setsid()`. A process
 * that clears or replaces its environment escapes, as does one run under
 * another user. Elsewhere than Linux there is no `/proc` and this finds nothing.
 */
export async function findMarkedProcesses(marker: string): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const entry = `${RUN_MARKER_VARIABLE}=${marker}`;
  const uid = process.getuid?.();
  const found = await Promise.all(
    entries.map(async (name) => {
      const pid = Number(name);
      if (!/^[0-9]+$/.test(name) || pid === process.pid) return undefined;
      try {
        if (uid !== undefined && (await stat(`/proc/${name}`)).uid !== uid) return undefined;
        const environ = await readFile(`/proc/${name}/environ`, 'latin1');
        return environ.split('\0').includes(entry) ? pid : undefined;
      } catch {
        // Gone meanwhile, or not ours to read.
        return undefined;
      }
    }),
  );
  return found.filter((pid): pid is number => pid !== undefined);
}

/**
 * Stops every process carrying the run's marker: `SIGTERM`, then, for any still
 * there after `graceMs` (or started meanwhile), `SIGKILL`. Resolves once none
 * is left or the `SIGKILL` is sent, so at most about `graceMs` later. Each round
 * signals only pids it has just found marked, so a pid reused by an unrelated
 * process after its owner died is not signalled by a stale list.
 */
export async function killMarkedProcesses(marker: string, graceMs: number): Promise<void> {
  let marked = await findMarkedProcesses(marker);
  if (marked.length === 0) return;
  signalEach(marked, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    marked = await findMarkedProcesses(marker);
    if (marked.length === 0) return;
  }
  signalEach(await findMarkedProcesses(marker), 'SIGKILL');
}

function signalEach(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // ESRCH: it exited meanwhile.
    }
  }
}
