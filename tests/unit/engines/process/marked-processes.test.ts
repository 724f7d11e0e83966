import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findMarkedProcesses,
  killMarkedProcesses,
  newRunMarker,
  RUN_MARKER_VARIABLE,
} from '../../../../src/engines/process/marked-processes.js';
import { gone, killLeftovers } from '../../../support/daemonizing-engine.js';

const started: number[] = [];
afterEach(() => killLeftovers(started.splice(0)));

/** A sleeping Node process in a session of its own, with `env`; resolves to its pid once it runs. */
async function sleeper(env: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { detached: true, stdio: 'ignore', env });
  child.unref();
  await new Promise((resolve) => child.once('spawn', resolve));
  const pid = child.pid ?? -1;
  started.push(pid);
  return pid;
}

describe.skipIf(process.platform !== 'linux')('marked processes (Linux: /proc)', () => {
  it('finds the processes that carry the marker, and only those', async () => {
    const marker = newRunMarker();
    const marked = await sleeper({ [RUN_MARKER_VARIABLE]: marker });
    const other = await sleeper({ [RUN_MARKER_VARIABLE]: newRunMarker() });
    // A value that merely starts with the marker is another run's.
    const longer = await sleeper({ [RUN_MARKER_VARIABLE]: `${marker}x` });
    const found = await findMarkedProcesses(marker);
    expect(found).toContain(marked);
    expect(found).not.toContain(other);
    expect(found).not.toContain(longer);
    expect(found).not.toContain(process.pid);
  });

  it('kills them, and leaves the others alone', async () => {
    const marker = newRunMarker();
    const marked = await sleeper({ [RUN_MARKER_VARIABLE]: marker });
    const other = await sleeper({ [RUN_MARKER_VARIABLE]: newRunMarker() });
    await killMarkedProcesses(marker, 1_000);
    expect(await gone(marked)).toBe(true);
    expect(process.kill(other, 0)).toBe(true);
  });

  it('finds nothing, and kills nothing, for a marker no process carries', async () => {
    await expect(findMarkedProcesses(newRunMarker())).resolves.toEqual([]);
    await expect(killMarkedProcesses(newRunMarker(), 1_000)).resolves.toBeUndefined();
  });
});
