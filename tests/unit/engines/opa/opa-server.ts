import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A real `opa run --server` on a free loopback port, for tests. */
export interface RunningOpaServer {
  readonly url: string;
  /** Kills the server (its process group) and waits for it to go. */
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts `opa run --server` and waits until /health answers; `undefined` when
 * opa cannot be started (not installed), so the tests can skip.
 */
export async function startOpaServer(command = 'opa'): Promise<RunningOpaServer | undefined> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess;
  try {
    child = spawn(command, ['run', '--server', `--addr=127.0.0.1:${port}`, '--log-level=error'], { stdio: 'ignore', detached: true });
  } catch {
    return undefined;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true));
    const poll = async (tries: number): Promise<void> => {
      try {
        if ((await fetch(`${url}/health`)).status === 200) return resolve(false);
      } catch {
        // Not listening yet.
      }
      if (tries <= 0 || child.exitCode !== null) return resolve(true);
      setTimeout(() => void poll(tries - 1), 50);
    };
    void poll(200);
  });
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    }
  };
  if (failed) {
    await stop();
    return undefined;
  }
  return { url, stop };
}
