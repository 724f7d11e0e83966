import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ROOT } from './paths.js';

const DEADLINE_MS = 30_000;
const LISTENING = /listening on (http:\/\/\S+)\n/;

/** Polls `condition` every 25 ms until it holds; rejects naming `what` after 30 s. */
export async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A `tierguard gateway --http` process and the URL it printed. */
export interface HttpGatewayProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly url: URL;
  /** Everything it wrote on stderr so far. */
  readonly stderr: () => string;
}

/**
 * Starts `node <args>` (the built CLI's gateway with `--http --port 0`) from the
 * project root and waits for its `listening on <url>` line. The caller kills
 * `child` when done.
 */
export async function spawnHttpGateway(args: readonly string[]): Promise<HttpGatewayProcess> {
  const child = spawn(process.execPath, [...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  try {
    await waitFor('the listening line', () => LISTENING.test(stderr));
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  return { child, url: new URL(LISTENING.exec(stderr)?.[1] ?? ''), stderr: () => stderr };
}
