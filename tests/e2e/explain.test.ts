import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision, Explanation } from '../../src/index.js';
import { ROOT, requireBuild } from '../support/paths.js';

/** `tierguard explain` as a user runs it: the built CLI, the shipped examples, real exit codes. */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const POLICIES = 'examples/policies';
const ACTIONS = 'examples/actions';
const STACK_LINE = /^\s+at /m;

let directory = '';

function run(args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', input, timeout: 60_000 });
}

const explain = (...args: string[]) => run(['explain', ...args]);

function write(name: string, content: string): string {
  const file = join(directory, name);
  writeFileSync(file, content);
  return file;
}

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-explain-'));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('tierguard explain on the shipped examples', () => {
  it('prints what the README shows, word for word', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/^\$ npx tierguard (explain --policies examples\/policies [^\n]*)\n((?:(?!\$ |```)[^\n]*\n)*)/gm)];
    expect(examples.length).toBeGreaterThanOrEqual(1);
    for (const [, command, shown] of examples) {
      const result = run((command ?? '').split(' '));
      expect(result.stderr, command).toBe('');
      expect(result.status, command).toBe(1);
      expect(result.stdout, command).toBe(shown);
    }
  });

  const actions = readdirSync(join(ROOT, ACTIONS)).filter((name) => name.endsWith('.json'));

  it.each(actions)('%s: ends with what check prints, and exits as check does', (name) => {
    const action = `${ACTIONS}/${name}`;
    const checked = run(['check', '--policies', POLICIES, '--action', action]);
    const explained = explain('--policies', POLICIES, '--action', action);
    expect(explained.stderr).toBe('');
    expect(explained.status).toBe(checked.status);
    expect(explained.stdout.startsWith('explain  ')).toBe(true);
    expect(explained.stdout.endsWith(`\n\n${checked.stdout}`)).toBe(true);
  });

  it.each(actions)('%s --json: the Decision check --json prints, and every policy of the set', (name) => {
    const action = `${ACTIONS}/${name}`;
    const decision = JSON.parse(run(['check', '--policies', POLICIES, '--action', action, '--json']).stdout) as Decision;
    const result = explain('--policies', POLICIES, '--action', action, '--json');
    expect(result.stderr).toBe('');
    const explanation = JSON.parse(result.stdout) as Explanation;
    expect(explanation.decision).toEqual(decision);
    expect(explanation.policyVersion).toBe(decision.policyVersion);
    expect(explanation.policies).toHaveLength(20);
    for (const policy of explanation.policies) expect(policy.note).toBeUndefined();
  });

  it('--mode monitor: nothing blocks, exit 0, the findings marked ~', () => {
    const result = explain('--policies', POLICIES, '--action', `${ACTIONS}/backup-dev.json`, '--mode', 'monitor');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      [
        'fail  database.backup-roles  violated: it would deny, but it is monitored',
        '      tools  database.backup matches',
        '      fail  assert context.user.roles in ["admin","dba"]  read ["dev"]',
        '            ~ context.user.roles  database.backup needs the role admin or dba (caller has ["dev"])',
      ].join('\n'),
    );
    expect(result.stdout).toContain('\n\nwould_deny  database.backup  (policies sha256:');
  });

  it('reads the action from standard input with -', () => {
    const piped = run(['explain', '--policies', POLICIES, '--action', '-'], readFileSync(join(ROOT, ACTIONS, 'drop-table.json'), 'utf8'));
    expect(piped.status).toBe(1);
    expect(piped.stdout).toContain('fail  database.no-drop  violated: it denies');
  });

  it('takes --config, as check does', () => {
    const action = write('transfer.json', JSON.stringify({ tool: 'payments.transfer', arguments: { amount: 3000 } }));
    const result = explain('--config', 'examples/config/tierguard.config.yaml', '--action', action);
    const checked = run(['check', '--config', 'examples/config/tierguard.config.yaml', '--action', action]);
    expect(result.status).toBe(checked.status);
    expect(result.stderr).toBe(checked.stderr);
    expect(result.stdout.endsWith(`\n\n${checked.stdout}`)).toBe(true);
  });
});

describe('tierguard explain on input it cannot use', () => {
  it.each([
    ['an array', '[{"tool":"x"}]', 'INVALID_ACTION'],
    ['no tool', '{"arguments":{}}', 'INVALID_ACTION'],
    ['a tool past maxStringLength', JSON.stringify({ tool: 'x'.repeat(1_048_577) }), 'LIMIT_EXCEEDED'],
    ['nesting past maxDepth (refused by the parser)', `{"tool":"x","a":${'['.repeat(100)}${']'.repeat(100)}}`, 'IO_ERROR'],
    ['a key given twice', '{"tool":"x","tool":"payments.transfer"}', 'IO_ERROR'],
    ['malformed JSON', '{"tool":', 'IO_ERROR'],
  ])('%s: exit 2 with one line naming the file, no stack', (_name, text, code) => {
    const file = write('bad.json', text);
    const result = explain('--policies', POLICIES, '--action', file);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^tierguard: ${code}: `));
    expect(result.stderr).toContain('bad.json');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it.each([
    [['--action', 'x.json'], '--policies is required'],
    [['--policies', POLICIES], '--action is required'],
    [
      ['--policies', POLICIES, '--config', 'c.yaml', '--action', 'x.json'],
      'give --policies or --config, not both: a config file lists its own sources',
    ],
    [['--policies', POLICIES, '--action', 'x.json', '--mode', 'audit'], '--mode must be enforce or monitor, not "audit"'],
  ])('%j is a usage error', (args, message) => {
    const result = explain(...args);
    expect(result.status).toBe(2);
    expect(result.stderr.startsWith(`tierguard: ${message}\nusage:\n`)).toBe(true);
  });

  it('escapes what the action holds: one line per check, nothing that drives the terminal', () => {
    const file = write(
      'hostile.json',
      JSON.stringify({ tool: 'database.backup\nallow  x', context: { user: { roles: ['\u001b[2J', '\u202e'] } } }),
    );
    const result = explain('--policies', POLICIES, '--action', file);
    expect(result.status).toBe(0);
    // eslint-disable-next-line no-control-regex -- none may be left
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(
      result.stdout
        .split('\n')
        .filter((line) => line.startsWith('allow'))
        .every((line) => line.startsWith('allow  database.backup\\n')),
    ).toBe(true);
  });

  it('answers --help with its usage and options', () => {
    const result = explain('--help');
    expect(result.status).toBe(0);
    expect(
      result.stdout.startsWith('usage: tierguard explain (--policies <file|dir> | --config <file> [--strict]) --action <file|->'),
    ).toBe(true);
  });
});
