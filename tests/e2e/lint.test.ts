import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, ROOT } from '../support/paths.js';

/** `tierguard lint` as a policy author and CI run it: the built CLI on real files. */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
let directory = '';

function run(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, 'lint', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

/** Writes `files` under a fresh folder (JSON values serialised) and returns the folder. */
function tree(name: string, files: Record<string, unknown>): string {
  const root = join(directory, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

interface Report {
  readonly tool: string;
  readonly policyVersion: string;
  readonly policies: number;
  readonly errors: number;
  readonly warnings: number;
  readonly findings: readonly Record<string, unknown>[];
}

const TYPO = { id: 'review', tools: ['pay'], when: { field: 'arguments.amout', op: 'gt', value: 100 }, effect: 'escalate' };
const PAY = { tool: 'pay', arguments: { amount: 500 } };

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-lint-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('tierguard lint', () => {
  it('prints what the README shows, word for word, and exits 1 on its errors', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/^\$ npx tierguard lint ([^\n]*)\n((?:(?!\$ |```)[^\n]*\n)*)/gm)];
    expect(examples).toHaveLength(2);
    for (const [, command, shown] of examples) {
      const result = run(...(command ?? '').split(' '));
      expect(result.stderr, command).toBe('');
      expect(result.stdout, command).toBe(shown);
      expect(result.status, command).toBe(1);
    }
  });

  it('finds nothing in the shipped example policies, and exits 0', () => {
    const result = run('--policies', 'examples/policies');
    expect(result.stdout).toBe('lint: no findings in 20 policies\n');
    expect(result.status).toBe(0);
  });

  it('catches the typo in a when field that check lets through', () => {
    const root = tree('typo', { 'p.json': TYPO, 'actions/pay.json': PAY });
    const check = spawnSync(
      process.execPath,
      [BIN, 'check', '--policies', join(root, 'p.json'), '--action', join(root, 'actions/pay.json')],
      {
        encoding: 'utf8',
      },
    );
    expect(check.status).toBe(0);
    const result = run('--policies', join(root, 'p.json'), '--actions', join(root, 'actions'));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('x unknown-field');
    expect(result.stdout).toContain('(did you mean "arguments.amount"?)');
    // One sample file is a picture too.
    expect(run('--policies', join(root, 'p.json'), '--actions', join(root, 'actions/pay.json')).status).toBe(1);
  });

  it('prints the report as JSON with --json: counts, version and typed findings', () => {
    const root = tree('json', {
      'p.json': [TYPO, { id: 'masks', rewrite: [{ op: 'mask_field', field: 'arguments.amount' }], message: 'x' }],
    });
    const result = run('--policies', join(root, 'p.json'), '--json', '--schema', join(ROOT, 'examples/lint/tools.json'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ tool: 'tierguard', policies: 2, errors: 1, warnings: 1 });
    expect(report.policyVersion).toMatch(/^sha256:/);
    expect(report.findings).toEqual([
      {
        rule: 'unreachable-tools',
        severity: 'error',
        policyId: 'review',
        file: join(root, 'p.json'),
        pointer: '/tools/0',
        message: 'policy "review": tools pattern "pay" (/tools/0) matches no tool of the server',
      },
      expect.objectContaining({ rule: 'unused-message', severity: 'warning', policyId: 'masks', pointer: '/message' }),
    ]);
  });

  it('exits 0 with only warnings, printing them', () => {
    const root = tree('warnings', { 'p.json': { id: 'cap', assert: { field: 'arguments.x', op: 'lte', value: 1 }, message: '{x.y}' } });
    const result = run('--policies', join(root, 'p.json'));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^! unfilled-placeholder {2}.*\nlint: 0 errors, 1 warning in 1 policy\n$/);
  });

  it('lints the merged set of a config', () => {
    const result = run('--config', 'examples/config/tierguard.config.yaml');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('exits 2 on input it cannot read, naming the file, and answers in JSON under --json', () => {
    const root = tree('bad', {
      'invalid.json': { id: 'p', assert: { field: 'arguments.x', op: 'lesser', value: 1 } },
      'ok.json': TYPO,
      'syntax/a.json': '{ "tool": "pay", "arguments": { "a": 1, } }',
      'not-action/a.json': ['pay'],
      'empty/readme.txt': 'no actions here',
      'tools.json': { tool: [] },
    });
    const cases: [string[], RegExp][] = [
      [['--policies', join(root, 'invalid.json')], /INVALID_POLICY: .*invalid\.json: policy "p" \/assert\/op/],
      [['--policies', join(root, 'ok.json'), '--actions', join(root, 'syntax')], /IO_ERROR: .*a\.json: not valid JSON: line 1, column 41/],
      [
        ['--policies', join(root, 'ok.json'), '--actions', join(root, 'not-action')],
        /INVALID_ACTION: .*a\.json: an action must be a JSON object/,
      ],
      [['--policies', join(root, 'ok.json'), '--actions', join(root, 'empty')], /IO_ERROR: .*empty: holds no \.json action files/],
      [['--policies', join(root, 'ok.json'), '--actions', join(root, 'missing')], /IO_ERROR: .*missing: cannot read/],
      [
        ['--policies', join(root, 'ok.json'), '--schema', join(root, 'tools.json')],
        /INVALID_OPTIONS: .*tools\.json: expected the result of tools\/list .*did you mean "tools"/,
      ],
      [
        ['--policies', join(root, 'ok.json'), '--actions', root, '--schema', join(root, 'tools.json')],
        /give --actions or --schema, not both/,
      ],
      [['--policies', join(root, 'ok.json'), '--action', root], /Unknown option '--action'/],
    ];
    for (const [args, message] of cases) {
      const result = run(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stdout, args.join(' ')).toBe('');
      expect(result.stderr, args.join(' ')).toMatch(message);
      const json = run(...args, '--json');
      expect(json.status, args.join(' ')).toBe(2);
      const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string } };
      expect(error.code).toMatch(/^[A-Z_]+$/);
      expect(`${error.code}: ${error.message}`, args.join(' ')).toMatch(message);
    }
  });

  it('escapes what samples and schemas put in its text output', () => {
    const root = tree('escape', {
      'p.json': { id: 'p', tools: ['pay\u001bJ'], assert: { field: 'arguments.x', op: 'exists' } },
      'actions/a.json': { tool: 'pay\u001bK' },
    });
    const result = run('--policies', join(root, 'p.json'), '--actions', join(root, 'actions'));
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toContain('"pay\\u001bJ"');
    expect(result.stdout).toContain('(did you mean "pay\\u001bK"?)');
  });
});
