import { spawn, spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/paths.js';

/** `--config` on the built CLI, with real config, policy, fixture and adapter files in a temporary directory. */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
let directory = '';

function run(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
}

function write(name: string, content: unknown): string {
  const file = join(directory, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const cap = (id: string, value: number) => ({ id, tools: ['payments.transfer'], assert: { field: 'arguments.amount', op: 'lte', value } });
const sources = (team: string) => `sources:
  - { name: org, path: org, precedence: 100 }
  - { name: team, path: ${team}, precedence: 50 }
`;

let tighter = '';
let weaker = '';
let action = '';

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-cli-config-'));
  write('org/caps.json', cap('cap', 1000));
  write('tight/caps.json', cap('cap', 500));
  write('tight/fixtures/cap/deny/over.json', { tool: 'payments.transfer', arguments: { amount: 700 } });
  write('tight/fixtures/cap/allow/under.json', { tool: 'payments.transfer', arguments: { amount: 100 } });
  write('loose/caps.json', cap('cap', 5000));
  tighter = write('tighter.config.yaml', sources('tight'));
  weaker = write('weaker.config.yaml', sources('loose'));
  action = write('action.json', { tool: 'payments.transfer', arguments: { amount: 2000 } });
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('tierguard check --config', () => {
  it('serves the tighter lower rule under its namespaced id, with no warning', () => {
    const result = run([
      'check',
      '--config',
      tighter,
      '--action',
      write('700.json', { tool: 'payments.transfer', arguments: { amount: 700 } }),
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    expect((JSON.parse(result.stdout) as { violations: { policyId: string }[] }).violations.map((v) => v.policyId)).toEqual(['team/cap']);
  });

  it('prints a weaker lower rule as a conflict on stderr and keeps the higher in force', () => {
    const result = run(['check', '--config', weaker, '--action', action, '--json']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^tierguard: warning: precedence conflict: team\/cap \(.*loose.*caps\.json, source team, precedence 50\) may relax org\/cap \(.*org.*caps\.json/,
    );
    expect(result.stderr).toMatch(/lte 1000 became lte 5000/);
    expect((JSON.parse(result.stdout) as { violations: { policyId: string }[] }).violations.map((v) => v.policyId)).toEqual(['org/cap']);
  });

  it('exits 2 on the conflict under --strict', () => {
    const result = run(['check', '--config', weaker, '--strict', '--action', action]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^tierguard: INVALID_POLICY: 1 precedence conflict \(strict\):\nteam\/cap/);
  });

  it('refuses --policies with --config as a usage error', () => {
    const result = run(['check', '--config', tighter, '--policies', join(directory, 'org'), '--action', action]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^tierguard: give --policies or --config, not both/);
  });

  it('names the file, pointer and nearest key of a mistake in the config', () => {
    const file = write('typo.config.yaml', 'sources:\n  - { name: org, path: org, precedance: 1 }\n');
    const result = run(['check', '--config', file, '--action', action]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      `tierguard: INVALID_OPTIONS: ${file}: /sources/0/precedance: unknown key "precedance" (did you mean "precedence"?`,
    );
  });

  it('drops an invalid soft policy with a warning, and fails on an invalid hard one', () => {
    write('soft/bad.json', [{ id: 'typo', effect: 'warn', asert: {} }, cap('cap', 500)]);
    write('hard/bad.json', [{ id: 'typo', asert: {} }, cap('cap', 500)]);
    const soft = run(['check', '--config', write('soft.config.yaml', sources('soft')), '--action', action]);
    expect(soft.status).toBe(1);
    expect(soft.stderr).toMatch(/^tierguard: warning: invalid policy left out \(not hard\): .*bad\.json: policy "team\/typo"/);
    const hard = run(['check', '--config', write('hard.config.yaml', sources('hard')), '--action', action]);
    expect(hard.status).toBe(2);
    expect(hard.stderr).toMatch(/^tierguard: INVALID_POLICY: .*bad\.json: policy "team\/typo"/);
    const strict = run(['check', '--config', join(directory, 'soft.config.yaml'), '--strict', '--action', action]);
    expect(strict.status).toBe(2);
  });
});

describe('tierguard test, compile and validate --config', () => {
  it('runs each source’s fixtures against the merged set', () => {
    const result = run(['test', '--config', tighter]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/2 passed/);
    expect(result.status).toBe(0);
  });

  it('test --config takes the report formats, with conflicts still on stderr', () => {
    write('loose/fixtures/cap/deny/over.json', { tool: 'payments.transfer', arguments: { amount: 7000 } });
    const result = run(['test', '--config', weaker, '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^tierguard: warning: precedence conflict: team\/cap/);
    expect(JSON.parse(result.stdout)).toMatchObject({ passed: 1, failed: 0 });
  });

  it('compile prints conflicts and exits 2 under --strict', () => {
    const out = join(directory, 'out');
    const lenient = run(['compile', '--config', weaker, '--out', out]);
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toMatch(/^tierguard: warning: precedence conflict/);
    expect(run(['compile', '--config', weaker, '--strict', '--out', out]).status).toBe(2);
  });

  it('validate uses an adapter module the config names', () => {
    write(
      'adapters/stub.mjs',
      "export default { name: 'stub', available: async () => ({ ok: true }), evaluate: async (_artifact, binding) => ({ engine: 'stub', policy: binding.policy, durationMs: 0, verdict: 'pass', violations: [] }) };\n",
    );
    write('bound/p.json', { id: 'bound', enforcement: [{ engine: 'stub', policy: 'rules.txt' }] });
    write('bound/rules.txt', 'rules');
    const file = write(
      'bound.config.yaml',
      'sources:\n  - { name: b, path: bound, precedence: 1 }\nadapters:\n  - { name: stub, module: adapters/stub.mjs }\n',
    );
    const artifact = write('artifact.json', '{}');
    const result = run(['validate', '--config', file, '--artifact', artifact, '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ result: 'pass', engines: [{ engine: 'stub', verdict: 'pass' }] });
  });
});

describe('tierguard mcp --config', () => {
  it('serves the merged set and logs the conflicts', async () => {
    const child = spawn(process.execPath, [BIN, 'mcp', '--config', weaker], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mcp did not start: ${stderr}`)), 20_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('serving on stdio')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.stdin.end();
    await new Promise((resolve) => child.on('exit', resolve));
    expect(stderr).toMatch(/tierguard mcp: precedence conflict: team\/cap .* may relax org\/cap/);
    expect(stderr).toMatch(/serving 1 policies .* from the sources of .*weaker\.config\.yaml/);
  });
});
