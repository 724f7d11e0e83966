import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, ROOT } from '../support/paths.js';

/** `tierguard doctor` as CI runs it: the built CLI on real policy trees. */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const CAP = { id: 'orders.cap', tools: ['orders.*'], assert: { field: 'arguments.total', op: 'lte', value: 100 } };
const SCOPE = { providers: ['aws', 'gcp'], environments: ['all'], relationship: { sourceLayer: ['ui'], sourceDomain: ['billing'] } };
const order = (total: number): unknown => ({ tool: 'orders.create', arguments: { total } });

let directory = '';

function run(args: readonly string[], env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, 'doctor', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env });
}

/** A policy directory holding `files` (JSON values are serialised). */
function tree(name: string, files: Record<string, unknown>): string {
  const root = join(directory, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

interface Report {
  readonly ok: boolean;
  readonly checks: readonly { name: string; status: string; findings: readonly string[] }[];
}

const statuses = (report: Report): Record<string, string> => Object.fromEntries(report.checks.map(({ name, status }) => [name, status]));

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-doctor-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('tierguard doctor', () => {
  it('finds the shipped examples healthy, the constraint tools included', () => {
    const result = run(['--policies', 'examples/policies']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ok {4}schema: 20 policies compile$/m);
    expect(result.stdout).toMatch(/^ok {4}fixtures: 68 fixtures match$/m);
    expect(result.stdout).toMatch(/^ok {4}constraint-tools: the three tools are listed with output schemas and answered \d+ calls/m);
    expect(result.stdout).toMatch(/^healthy/m);
  });

  it('fails a set that does not compile and skips what needs it', () => {
    const root = tree('invalid', {
      'p.json': { id: 'p', assert: { field: 'arguments.x', op: 'lesser', value: 10 } },
      'fixtures/p/allow/a.json': order(1),
    });
    const result = run(['--policies', root, '--json']);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(statuses(report)).toEqual({
      precedence: 'skip',
      schema: 'fail',
      fixtures: 'skip',
      reach: 'skip',
      scope: 'skip',
      engines: 'skip',
      'constraint-tools': 'skip',
    });
    expect(report.checks.find((check) => check.name === 'schema')?.findings.join('\n')).toContain('/assert/op');
  });

  it('fails on a fixture that does not match, naming it, and warns of a policy without fixtures', () => {
    const root = tree('mismatch', {
      'p.json': [CAP, { id: 'orders.untested', tools: ['orders.*'], assert: { field: 'arguments.total', op: 'gte', value: 0 } }],
      'fixtures/orders.cap/deny/small.json': order(5),
    });
    const result = run(['--policies', root]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}fixtures: 1 of 1 fixtures do not match$/m);
    expect(result.stdout).toContain('fixtures/orders.cap/deny/small.json: expected deny, got allow');
    expect(result.stdout).toContain('orders.untested has no fixtures');
  });

  it('warns, and passes, when there are no fixtures at all', () => {
    const root = tree('bare', { 'p.json': CAP });
    const result = run(['--policies', root, '--json']);
    expect(result.status).toBe(0);
    expect(statuses(JSON.parse(result.stdout) as Report)).toMatchObject({
      schema: 'pass',
      fixtures: 'warn',
      reach: 'skip',
      'constraint-tools': 'pass',
    });
  });

  it('fails a deny artifact fixture its policy would never select, and an engine that is not installed', () => {
    const root = tree('unreached', {
      'policies/p.json': { id: 'code.no-eval', enforcement: [{ engine: 'semgrep', policy: '../rules/rules.yaml' }], artifacts: ['*.py'] },
      'rules/rules.yaml': 'rules: []\n',
      'policies/fixtures/code.no-eval/deny/eval.js': 'eval(x)\n',
    });
    // Only node on PATH: no engine can be found.
    const result = run(['--policies', join(root, 'policies'), '--json'], { ...process.env, PATH: dirname(process.execPath) });
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(statuses(report)).toMatchObject({ reach: 'fail', engines: 'fail' });
    const findings = report.checks.flatMap((check) => check.findings).join('\n');
    expect(findings).toContain('fixtures/code.no-eval/deny/eval.js: code.no-eval\'s artifacts (*.py) do not select "eval.js"');
    expect(findings).toMatch(/semgrep: .*install/);
  });

  it('fails the precedence check when a lower source would weaken a rule, with or without --strict', () => {
    const root = tree('sources', {
      'org/cap.json': CAP,
      'team/cap.json': { ...CAP, assert: { field: 'arguments.total', op: 'lte', value: 500 } },
      'tierguard.config.yaml': 'sources:\n  - { name: org, path: org, precedence: 100 }\n  - { name: team, path: team, precedence: 50 }\n',
    });
    for (const strict of [[], ['--strict']]) {
      const result = run(['--config', join(root, 'tierguard.config.yaml'), '--json', ...strict]);
      expect(result.status).toBe(1);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.checks[0]).toMatchObject({ name: 'precedence', status: 'fail' });
      expect(report.checks[0]?.findings.join('\n')).toMatch(
        /org\/orders\.cap[\s\S]*team\/orders\.cap|team\/orders\.cap[\s\S]*org\/orders\.cap/,
      );
    }
  });

  it('passes the precedence check of sources that only tighten, and checks every stated scope value', () => {
    const root = tree('tightened', {
      'org/cap.json': { ...CAP, scope: SCOPE },
      // The same rule, tighter, with the same scope: a changed scope is undecidable, so a conflict.
      'team/cap.json': { ...CAP, scope: SCOPE, assert: { field: 'arguments.total', op: 'lte', value: 50 } },
      'tierguard.config.yaml': 'sources:\n  - { name: org, path: org, precedence: 100 }\n  - { name: team, path: team, precedence: 50 }\n',
    });
    const result = run(['--config', join(root, 'tierguard.config.yaml')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ok {4}precedence: 2 sources merged without conflict \(1 rules tightened by a lower source\)$/m);
    const alone = run(['--policies', join(root, 'org'), '--json']);
    // aws, gcp, ui and billing one at a time, then aws with ui together.
    expect((JSON.parse(alone.stdout) as Report).checks.find((check) => check.name === 'scope')).toMatchObject({ status: 'pass' });
    expect(alone.stdout).toContain('every stated scope value reaches its policy (5 queries)');
  });

  it('is a usage error without --policies or with an unknown option', () => {
    expect(run([]).status).toBe(2);
    expect(run(['--policies', 'examples/policies', '--fast']).status).toBe(2);
  });
});
