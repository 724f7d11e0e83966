import { execFileSync, spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/paths.js';

/**
 * The built CLI given a FIFO where it expects a file: a `shapesFile`, the
 * `--action` path, the `--policies` path. Each must end with a clear error, not
 * wait for a writer forever. The spawn's generous timeout only detects a hang;
 * a run it kills has `signal` set, which the assertions reject.
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const HANG_BOUND_MS = 20_000;
let directory = '';

function run(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: HANG_BOUND_MS, killSignal: 'SIGKILL' });
}

function write(name: string, content: unknown): string {
  const file = join(directory, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function fifo(name: string): string {
  const file = join(directory, name);
  mkdirSync(join(file, '..'), { recursive: true });
  execFileSync('mkfifo', [file]);
  return file;
}

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-cli-fifo-'));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('tierguard check with a FIFO for a file', () => {
  it('refuses a shapesFile that is a FIFO with exit 2, naming it', () => {
    const policies = write('formal/policy.json', { id: 'ticket', tools: ['ticket'], shapesFile: 'shapes.ttl' });
    const shapes = fifo('formal/shapes.ttl');
    const action = write('formal-action.json', { tool: 'ticket', arguments: {} });
    const result = run(['check', '--policies', policies, '--action', action]);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${shapes}: cannot read: a FIFO, not a regular file`);
  });

  it('refuses an --action path that is a FIFO', () => {
    const policies = write('plain/policy.json', { id: 'p', tools: ['t'], assert: { field: 'arguments.a', op: 'eq', value: 1 } });
    const action = fifo('action.json');
    const result = run(['check', '--policies', policies, '--action', action]);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${action}: cannot read: a FIFO, not a regular file`);
  });

  it('refuses a --policies path that is a FIFO', () => {
    const policies = fifo('policies.json');
    const action = write('plain-action.json', { tool: 't', arguments: { a: 1 } });
    const result = run(['check', '--policies', policies, '--action', action]);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${policies}: cannot read: a FIFO, not a regular file`);
  });
});
