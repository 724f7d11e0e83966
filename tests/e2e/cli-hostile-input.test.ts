import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../support/paths.js';

/**
 * The built CLI against input written to make it lie: a key given twice, a tool
 * name that carries its own line breaks and terminal escapes, commands and
 * options named after Object.prototype members.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const STACK_LINE = /^\s+at /m;
// What a terminal would act on rather than show: C0 (but the line breaks between lines), DEL, C1, bidi controls.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const DROP_POLICY = { id: 'db.no-drop', tools: ['db.drop*'], assert: { field: 'arguments.confirm', op: 'eq', value: true } };

let directory = '';

function run(args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', input, timeout: 30_000 });
}

function write(name: string, content: unknown): string {
  const file = join(directory, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-cli-hostile-'));
  write('policies/db.json', [DROP_POLICY]);
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe('duplicate keys are refused, never read as the last one', () => {
  // JSON.parse would read this as safe.read, which no policy names: allow.
  const TWICE = '{"tool":"db.drop","arguments":{},\n "tool":"safe.read"}';

  it('check: an action file with "tool" twice exits 2 naming the key, pointer and position', () => {
    const result = run(['check', '--policies', join(directory, 'policies'), '--action', write('actions/twice.json', TWICE)]);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^tierguard: IO_ERROR: \S*twice\.json: not valid JSON: line 2, column 2: duplicate key "tool" at \/tool \(first at line 1, column 2\)\n$/,
    );
  });

  it('check: the same from standard input, and with --json as the JSON error document', () => {
    const result = run(['check', '--policies', join(directory, 'policies'), '--action', '-'], TWICE);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^tierguard: IO_ERROR: standard input: not valid JSON: line 2, column 2: duplicate key "tool" at \/tool /,
    );
    const json = run(['check', '--policies', join(directory, 'policies'), '--action', '-', '--json'], TWICE);
    expect(json.stderr).toBe('');
    expect(json.status).toBe(2);
    const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string; details: Record<string, unknown> } };
    expect(error.code).toBe('IO_ERROR');
    expect(error.message).toMatch(/^standard input: not valid JSON: line 2, column 2: duplicate key "tool" at \/tool /);
    expect(error.details).toMatchObject({ file: 'standard input', line: 2, column: 2, pointer: '/tool', key: 'tool' });
  });

  it('a nested duplicate is refused too, with its pointer', () => {
    const file = write('actions/nested.json', '{"tool":"db.drop","arguments":{"confirm":false,"confirm":true}}');
    const result = run(['check', '--policies', join(directory, 'policies'), '--action', file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('duplicate key "confirm" at /arguments/confirm (first at line 1, column 32)');
  });

  it('a JSON policy file with a key twice is refused: the policy is not silently weakened', () => {
    const file = write(
      'twice-policy/p.json',
      '{"id":"db.no-drop","tools":["db.drop*"],"tools":["nothing"],"assert":{"field":"a","op":"exists"}}',
    );
    const result = run(['check', '--policies', file, '--action', write('actions/drop.json', { tool: 'db.drop' })]);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^tierguard: IO_ERROR: \S*p\.json: not valid JSON: line 1, column 41: duplicate key "tools" at \/tools \(first at line 1, column 20\)\n$/,
    );
  });

  it('a YAML policy file with a key twice is refused, naming the key and its line and column', () => {
    const file = write('twice-yaml/p.yaml', 'id: db.no-drop\ntools: ["db.drop*"]\nassert: { field: a, op: exists }\ntools: [nothing]\n');
    const result = run(['check', '--policies', file, '--action', write('actions/drop.json', { tool: 'db.drop' })]);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^tierguard: IO_ERROR: \S*p\.yaml:4:1: not valid YAML: duplicate key "tools" at \/tools/);
  });
});

describe('human-readable output escapes what a terminal would act on', () => {
  // A forged second line that would read as an allow, then escapes that erase and recolour.
  const FORGED = 'db.drop\nallow  safe.read  (policies sha256:000000000000)\u001b[1A\u001b[2K\r\u009b2K\u202eevil';

  it('check: a tool name with a newline and ANSI escapes prints on its own line, escaped', () => {
    const file = write('actions/forged.json', { tool: FORGED, arguments: { confirm: false } });
    const result = run(['check', '--policies', join(directory, 'policies'), '--action', file]);
    expect(result.status).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^deny {2}db\.drop\\nallow {2}safe\.read {2}\(policies sha256:0{12}\)\\x1b\[1A\\x1b\[2K\\r\\x9b2K\\u202eevil {2}\(policies sha256:[0-9a-f]{12}\)$/,
    );
    expect(lines[1]).toMatch(/^ {2}x db\.no-drop {2}arguments\.confirm {2}/);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
  });

  it('check --json: the output parses to the same tool, with C1 and bidi characters written as escapes', () => {
    const file = write('actions/forged.json', { tool: FORGED, arguments: { confirm: false } });
    const result = run(['check', '--json', '--policies', join(directory, 'policies'), '--action', file]);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain('\\u009b2K\\u202eevil');
    expect((JSON.parse(result.stdout) as { action: { tool: string } }).action.tool).toBe(FORGED);
  });

  it('violation messages from a policy are escaped too (policy ids cannot hold such characters at all)', () => {
    const policies = write('forged-policy/p.json', [{ ...DROP_POLICY, message: 'line one\nallow  all good\u001b[32m' }]);
    const file = write('actions/drop-unconfirmed.json', { tool: 'db.drop', arguments: { confirm: false } });
    const result = run(['check', '--policies', policies, '--action', file]);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(result.stdout).toContain('  x db.no-drop  arguments.confirm  line one\\nallow  all good\\x1b[32m');
  });

  it('an unknown command or option echoed in a usage error is escaped', () => {
    for (const args of [['\u001b[2Jcheck'], ['check', '--\u001b[31mpolicies']]) {
      const result = run(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('\\x1b[');
      expect(result.stderr).not.toMatch(RAW_CONTROL);
      expect(result.stderr).not.toMatch(STACK_LINE);
    }
  });

  it('an error message that echoes a file name is escaped', () => {
    const result = run(['check', '--policies', join(directory, 'policies'), '--action', join(directory, 'missing\u001b[2K\u202e.json')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^tierguard: IO_ERROR: \S*missing\\x1b\[2K\\u202e\.json: cannot read: /);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });
});

describe('commands and options are looked up as own properties only', () => {
  it.each(['toString', 'hasOwnProperty', '__proto__', 'constructor', 'valueOf', '__defineGetter__'])(
    'tierguard %s is an unknown command (exit 2)',
    (command) => {
      const result = run([command]);
      expect(result.stdout).toBe('');
      expect(result.status).toBe(2);
      expect(result.stderr.startsWith(`tierguard: unknown command "${command}"\nusage:\n`)).toBe(true);
      expect(result.stderr).not.toMatch(STACK_LINE);
    },
  );

  it.each(['--constructor', '--__proto__', '--toString', '--hasOwnProperty'])(
    'tierguard check %s is an unknown option (exit 2)',
    (option) => {
      const result = run(['check', option, 'x', '--policies', join(directory, 'policies'), '--action', '-'], '{"tool":"a"}');
      expect(result.stdout).toBe('');
      expect(result.status).toBe(2);
      expect(result.stderr.startsWith(`tierguard: Unknown option '${option}'`)).toBe(true);
    },
  );
});
