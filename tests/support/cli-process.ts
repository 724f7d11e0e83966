import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './paths.js';

/** The built CLI, as the package's `bin` runs it. */
export const CLI_BIN = join(ROOT, 'dist', 'cli', 'bin.js');

/** Runs the built CLI in `cwd` as a real process, with `input` on standard input; a minute at most. */
export function runCli(cwd: string, args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI_BIN, ...args], { cwd, encoding: 'utf8', input, timeout: 60_000 });
}

/** Writes `content` (JSON-encoded unless a string) to `name` under `directory`, creating folders; returns `name`. */
export function writeUnder(directory: string, name: string, content: unknown): string {
  const file = join(directory, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return name;
}
