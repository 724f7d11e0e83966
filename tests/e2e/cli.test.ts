import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBuild } from '../support/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/index.js';

/**
 * The built CLI (`dist/cli/bin.js`) as a user runs it: a real process, real
 * files, real exit codes. `npm test` builds before vitest runs.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const POLICIES = join(ROOT, 'examples', 'policies');
const ACTIONS = join(ROOT, 'examples', 'actions');
const STACK_LINE = /^\s+at /m;
const USAGE =
  'usage:\n  tierguard check (--policies <file|dir> | --config <file> [--strict]) --action <file|-> [--mode enforce|monitor] [--json] [--allow-empty]\n';

let directory = '';

function run(args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', input, timeout: 30_000 });
}

function check(policies: string, action: string, ...rest: string[]): SpawnSyncReturns<string> {
  return run(['check', '--policies', policies, '--action', action, ...rest]);
}

/** Writes `content` (JSON-encoded unless a string) to `name` under the temporary directory and returns the path. */
function write(name: string, content: unknown): string {
  const file = join(directory, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function expectUsageFailure(result: SpawnSyncReturns<string>, message: string): void {
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.startsWith(`tierguard: ${message}\n${USAGE}`)).toBe(true);
  expect(result.stderr).not.toMatch(STACK_LINE);
}

function expectInputFailure(result: SpawnSyncReturns<string>, line: string): void {
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(`${line}\n`);
  expect(result.stderr).not.toMatch(STACK_LINE);
}

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-cli-'));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('exit codes and output on the shipped examples', () => {
  it('exits 0 on an allowed action and prints the verdict line only', () => {
    const result = check(POLICIES, join(ACTIONS, 'payment-ok.json'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^allow {2}payments\.transfer {2}\(policies sha256:[0-9a-f]{12}\)\n$/);
  });

  it('exits 1 on a denied action and prints what the README shows', () => {
    const result = check(POLICIES, join(ACTIONS, 'backup-dev.json'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    // The README's CLI example, word for word: the docs cannot drift from the output.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /\$ npx tierguard check --policies examples\/policies --action examples\/actions\/backup-dev\.json\n([\s\S]*?)```/.exec(
      readme,
    );
    expect(example?.[1]).toBeDefined();
    expect(result.stdout).toBe(example?.[1]);
    expect(result.stdout).toContain('x database.backup-roles  context.user.roles  database.backup needs the role admin or dba');
  });

  it('exits 1 on an escalated action and marks the violation with ?', () => {
    const result = check(POLICIES, join(ACTIONS, 'payment-needs-review.json'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^escalate {2}payments\.transfer {2}\(policies sha256:[0-9a-f]{12}\)$/);
    expect(lines[1]).toBe('  ? payments.large-transfer-review  arguments.amount  transfers above 5000 need approval (got 7500)');
    expect(lines).toHaveLength(3);
  });

  it.each([
    ['backup-admin.json', 0, 'allow'],
    ['crm-update-ok.json', 0, 'allow'],
    ['temp-ok.json', 0, 'allow'],
    ['payment-ok.json', 0, 'allow'],
    ['backup-dev.json', 1, 'deny'],
    ['crm-update-bad.json', 1, 'deny'],
    ['drop-table.json', 1, 'deny'],
    ['payment-bad-currency.json', 1, 'deny'],
    ['payment-over-limit.json', 1, 'deny'],
    ['payment-string-amount.json', 1, 'deny'],
    ['temp-below-absolute-zero.json', 1, 'deny'],
    ['payment-needs-review.json', 1, 'escalate'],
  ] as const)('%s exits %i (%s)', (file, status, verdict) => {
    const result = check(POLICIES, join(ACTIONS, file), '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(status);
    expect((JSON.parse(result.stdout) as Decision).verdict).toBe(verdict);
  });
});

describe('--mode monitor', () => {
  it('exits 0 on an action enforce mode denies, and prints would_deny with the violations marked ~', () => {
    const enforced = check(POLICIES, join(ACTIONS, 'backup-dev.json'));
    expect(enforced.status).toBe(1);
    const result = check(POLICIES, join(ACTIONS, 'backup-dev.json'), '--mode', 'monitor');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^would_deny {2}database\.backup {2}\(policies sha256:[0-9a-f]{12}\)$/);
    expect(lines[1]).toBe(
      '  ~ database.backup-roles  context.user.roles  database.backup needs the role admin or dba (caller has ["dev"])',
    );
  });

  it('prints would_escalate for an action enforce mode escalates', () => {
    const result = check(POLICIES, join(ACTIONS, 'payment-needs-review.json'), '--mode', 'monitor');
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/^would_escalate {2}payments\.transfer /);
  });

  it('--json carries verdict allow, outcome would_deny and the violations under wouldDeny', () => {
    const result = check(POLICIES, join(ACTIONS, 'payment-over-limit.json'), '--mode', 'monitor', '--json');
    expect(result.status).toBe(0);
    const decision = JSON.parse(result.stdout) as Decision;
    expect(decision).toMatchObject({ verdict: 'allow', outcome: 'would_deny', violations: [] });
    expect(decision.wouldDeny.map((violation) => violation.policyId)).toEqual(['payments.amount-bounds', 'payments.amount-bounds']);
    expect(decision.wouldEscalate.map((violation) => violation.policyId)).toEqual(['payments.large-transfer-review']);
  });

  it('an allowed action stays allow', () => {
    const result = check(POLICIES, join(ACTIONS, 'payment-ok.json'), '--mode', 'monitor');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^allow {2}payments\.transfer /);
  });

  it('an unknown mode is a usage error', () => {
    const result = check(POLICIES, join(ACTIONS, 'payment-ok.json'), '--mode', 'dry-run');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--mode must be enforce or monitor, not "dry-run"');
  });
});

describe('--json', () => {
  it('prints a Decision that parses, with every field', () => {
    const result = check(POLICIES, join(ACTIONS, 'payment-over-limit.json'), '--json');
    expect(result.status).toBe(1);
    const decision = JSON.parse(result.stdout) as Decision;
    expect(Object.keys(decision).sort()).toEqual([
      'action',
      'errors',
      'escalatedBy',
      'outcome',
      'policyVersion',
      'rewrites',
      'verdict',
      'violations',
      'warnings',
      'wouldDeny',
      'wouldEscalate',
    ]);
    expect(decision.verdict).toBe('deny');
    expect(decision.warnings).toEqual([]);
    expect(decision.errors).toEqual([]);
    expect(decision.policyVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(decision.violations.map((violation) => [violation.policyId, violation.constraint, violation.path])).toEqual([
      ['payments.amount-bounds', 'lte', ['arguments', 'amount']],
      ['payments.amount-bounds', 'lte', ['arguments', 'amount']],
      ['payments.large-transfer-review', 'applies', ['arguments', 'amount']],
    ]);
    expect(decision.violations[1]).toMatchObject({
      message: 'arguments.amount must be at most context.limits.maxAmount = 5000 (got 25000)',
      expected: 5000,
      actual: 25000,
      effect: 'deny',
      severity: 'violation',
      tier: 'auto',
    });
  });

  it('the text and JSON forms carry the same policy version', () => {
    const text = check(POLICIES, join(ACTIONS, 'payment-ok.json'));
    const json = check(POLICIES, join(ACTIONS, 'payment-ok.json'), '--json');
    const version = (JSON.parse(json.stdout) as Decision).policyVersion;
    expect(text.stdout).toContain(`(policies ${version.slice(0, 19)})`);
  });
});

describe('--action -', () => {
  it('reads the action from standard input', () => {
    const action = readFileSync(join(ACTIONS, 'backup-dev.json'), 'utf8');
    const fromStdin = run(['check', '--policies', POLICIES, '--action', '-'], action);
    const fromFile = check(POLICIES, join(ACTIONS, 'backup-dev.json'));
    expect(fromStdin.stderr).toBe('');
    expect(fromStdin.status).toBe(1);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
  });

  it('exits 0 on an allowed action from standard input with --json', () => {
    const result = run(['check', '--json', '--action', '-', '--policies', POLICIES], '{"tool":"weather.today"}');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ verdict: 'allow', violations: [], warnings: [], errors: [] });
  });

  it('empty standard input is malformed JSON: exit 2', () => {
    const result = run(['check', '--policies', POLICIES, '--action', '-'], '');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^tierguard: IO_ERROR: standard input: not valid JSON: .+\n$/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe('invalid policies (exit 2)', () => {
  it('names the file, the policy id and the JSON pointer, without a stack trace', () => {
    const file = write('invalid/payments.json', [
      { id: 'payments.ok', tools: ['payments.*'], assert: { field: 'arguments.amount', op: 'gt', value: 0 } },
      { id: 'payments.currency', tools: ['payments.*'], assert: { field: 'arguments.currency', op: 'equals', value: 'EUR' } },
    ]);
    const result = check(file, join(ACTIONS, 'payment-ok.json'));
    expectInputFailure(
      result,
      `tierguard: INVALID_POLICY: ${file}: policy "payments.currency" /assert/op: ` +
        'must be one of eq, neq, gt, gte, lt, lte, in, not_in, regex, glob, exists (got "equals")',
    );
  });

  it('reports every invalid policy of a directory, each file named', () => {
    const dir = join(directory, 'two-invalid');
    const first = write('two-invalid/a.json', { id: 'a.bad', assert: { field: 'x', op: 'regex', value: '(?=lookahead)' } });
    const second = write('two-invalid/nested/b.json', { id: 'b.bad', effect: 'block' });
    const result = check(dir, join(ACTIONS, 'payment-ok.json'));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(result.stderr.startsWith(`tierguard: INVALID_POLICY: ${first}, ${second}: 2 policies are invalid:\n`)).toBe(true);
    expect(result.stderr).toContain('policy "a.bad" /assert/value: ');
    expect(result.stderr).toContain('policy "b.bad" /effect: must be one of deny, escalate, warn (got "block")');
  });

  it('a policy file that is not JSON names the file', () => {
    const file = write('broken/policy.json', '{ "id": "x", ');
    const result = check(file, join(ACTIONS, 'payment-ok.json'));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^tierguard: IO_ERROR: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON: .+\\n$`),
    );
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('a policy nested 100,000 deep is refused while parsing, with its position, not a crash', () => {
    const file = write(
      'deep-policy.json',
      `{"id":"deep","assert":${'{"not":'.repeat(100_000)}{"field":"a","op":"exists"}${'}'.repeat(100_000)}}`,
    );
    const result = check(file, join(ACTIONS, 'payment-ok.json'));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^tierguard: IO_ERROR: .*deep-policy\.json: not valid JSON: line 1, column \d+: nested deeper than limits\.maxDepth \(64\)\n$/,
    );
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe('invalid actions (exit 2)', () => {
  it('malformed JSON', () => {
    const file = write('actions/malformed.json', '{"tool": "payments.transfer",');
    const result = check(POLICIES, file);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(`^tierguard: IO_ERROR: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON: .+\\n$`),
    );
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it.each([
    ['a JSON array', '[{"tool":"payments.transfer"}]', 'an action must be a JSON object with a string "tool"'],
    ['a JSON string', '"payments.transfer"', 'an action must be a JSON object with a string "tool"'],
    ['null', 'null', 'an action must be a JSON object with a string "tool"'],
    ['an object without tool', '{"arguments":{}}', 'an action must have a string "tool"'],
    ['an object whose tool is a number', '{"tool":1}', 'an action must have a string "tool"'],
  ])('%s', (_name, text, message) => {
    const file = write(`actions/${_name.replace(/\W+/g, '-')}.json`, text);
    expectInputFailure(check(POLICIES, file), `tierguard: INVALID_ACTION: ${file}: ${message}`);
    expectInputFailure(
      run(['check', '--policies', POLICIES, '--action', '-'], text),
      `tierguard: INVALID_ACTION: standard input: ${message}`,
    );
  });

  it('an action nested 100,000 deep is refused while parsing, with its position, not a crash', () => {
    const file = write('actions/deep.json', `{"tool":"a","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const result = check(POLICIES, file);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^tierguard: IO_ERROR: .*deep\.json: not valid JSON: line 1, column \d+: nested deeper than limits\.maxDepth \(64\)\n$/,
    );
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('an action one level past limits.maxDepth still gets the pointer from the action check', () => {
    // The parser leaves the outermost level free (a policy file's array); the action check counts from the action.
    const file = write('actions/just-too-deep.json', `{"tool":"a","x":${'['.repeat(64)}${']'.repeat(64)}}`);
    const result = check(POLICIES, file);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^tierguard: LIMIT_EXCEEDED: .*just-too-deep\.json: action is nested deeper than limits\.maxDepth \(64\) at \/x(\/0)+\n$/,
    );
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe('usage errors (exit 2)', () => {
  it('missing --action', () => {
    expectUsageFailure(run(['check', '--policies', POLICIES]), '--action is required');
  });

  it('missing --policies', () => {
    expectUsageFailure(run(['check', '--action', join(ACTIONS, 'payment-ok.json')]), '--policies is required');
  });

  it('an unknown flag', () => {
    expectUsageFailure(
      run(['check', '--policies', POLICIES, '--action', join(ACTIONS, 'payment-ok.json'), '--bogus']),
      "Unknown option '--bogus'",
    );
  });

  it('a flag without its value', () => {
    const result = run(['check', '--policies', POLICIES, '--action']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(USAGE);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('an unexpected positional argument', () => {
    const result = run(['check', '--policies', POLICIES, '--action', join(ACTIONS, 'payment-ok.json'), 'extra']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(USAGE);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('an unknown command', () => {
    expectUsageFailure(run(['evaluate']), 'unknown command "evaluate"');
  });

  it('no command at all prints the usage and exits 2', () => {
    const result = run([]);
    expect(result.status).toBe(2);
    expect(result.stdout.startsWith(USAGE)).toBe(true);
  });

  it('a nonexistent policy path', () => {
    const missing = join(directory, 'no-such-policies');
    expectInputFailure(
      check(missing, join(ACTIONS, 'payment-ok.json')),
      `tierguard: IO_ERROR: ${missing}: cannot read: no such file or directory`,
    );
  });

  it('a nonexistent action path', () => {
    const missing = join(directory, 'no-such-action.json');
    expectInputFailure(check(POLICIES, missing), `tierguard: IO_ERROR: ${missing}: cannot read: no such file or directory`);
  });
});

describe('policy directories', () => {
  let tree = '';

  beforeAll(() => {
    tree = join(directory, 'tree');
    write('tree/top.json', { id: 'top.forbid-drop', tools: ['db.drop'] });
    write('tree/a/b/c/deep.json', [{ id: 'deep.forbid-delete', tools: ['db.delete'] }]);
    write('tree/a/sibling.json', { id: 'sibling.warn-read', tools: ['db.read'], effect: 'warn' });
    // Not policies: a fixtures folder, a hidden folder, and files not ending in .json.
    write('tree/fixtures/broken.json', '{ this is not JSON');
    write('tree/a/fixtures/invalid-policy.json', { id: 'fixture.policy', effect: 'nonsense' });
    write('tree/.hidden/broken.json', '{ nor is this');
    write('tree/notes.txt', 'not a policy');
    write('tree/a/policy.json.bak', '{ broken');
  });

  it('loads nested directories and skips fixtures/ folders that hold invalid JSON', () => {
    const dropResult = check(tree, write('tree-actions/drop.json', { tool: 'db.drop' }), '--json');
    expect(dropResult.stderr).toBe('');
    expect(dropResult.status).toBe(1);
    expect((JSON.parse(dropResult.stdout) as Decision).violations.map((violation) => violation.policyId)).toEqual(['top.forbid-drop']);

    const deleteResult = check(tree, write('tree-actions/delete.json', { tool: 'db.delete' }), '--json');
    expect(deleteResult.status).toBe(1);
    expect((JSON.parse(deleteResult.stdout) as Decision).violations.map((violation) => violation.policyId)).toEqual(['deep.forbid-delete']);

    const readResult = check(tree, write('tree-actions/read.json', { tool: 'db.read' }));
    expect(readResult.status).toBe(0);
    expect(readResult.stdout.split('\n')[1]).toBe('  ! sibling.warn-read  tool  sibling.warn-read forbids db.read');
  });

  it('reads files in sorted path order, so the version does not depend on creation order', () => {
    const first = check(tree, write('tree-actions/other.json', { tool: 'other' }), '--json');
    const copy = join(directory, 'tree-copy');
    write('tree-copy/a/sibling.json', { id: 'sibling.warn-read', tools: ['db.read'], effect: 'warn' });
    write('tree-copy/top.json', { id: 'top.forbid-drop', tools: ['db.drop'] });
    write('tree-copy/a/b/c/deep.json', [{ id: 'deep.forbid-delete', tools: ['db.delete'] }]);
    const second = check(copy, join(directory, 'tree-actions', 'other.json'), '--json');
    expect(first.status).toBe(0);
    expect((JSON.parse(second.stdout) as Decision).policyVersion).toBe((JSON.parse(first.stdout) as Decision).policyVersion);
  });

  it('a single policy file works as well as a directory', () => {
    const result = check(join(POLICIES, 'database.json'), join(ACTIONS, 'drop-table.json'));
    expect(result.status).toBe(1);
    expect(result.stdout.split('\n')[1]).toBe('  x database.no-drop  tool  database.dropTable is never allowed for agents');
  });
});
