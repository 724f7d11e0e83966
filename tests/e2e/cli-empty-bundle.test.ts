import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/paths.js';

/** The built CLI on a bundle with no policies: an error unless `--allow-empty`, since no policies allow everything. */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
let directory = '';

function run(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
}

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-cli-empty-'));
  mkdirSync(join(directory, 'empty'));
  mkdirSync(join(directory, 'torn'));
  writeFileSync(join(directory, 'torn', 'p.yaml'), '');
  writeFileSync(join(directory, 'action.json'), JSON.stringify({ tool: 'payments.transfer', arguments: { amount: 1_000_000 } }));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('tierguard check on an empty bundle', () => {
  it.each(['empty', 'torn'])('refuses the %s bundle with exit 2 and EMPTY_BUNDLE', (bundle) => {
    const result = run(['check', '--policies', join(directory, bundle), '--action', join(directory, 'action.json')]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^tierguard: EMPTY_BUNDLE: /);
  });

  it('allows with --allow-empty, as the user asked', () => {
    const result = run(['check', '--policies', join(directory, 'empty'), '--action', join(directory, 'action.json'), '--allow-empty']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
