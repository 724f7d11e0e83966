import { describe, expect, it } from 'vitest';
import { asksForHelp, commandHelp } from '../../../src/cli/command-help.js';
import { COMMAND_NAMES, main } from '../../../src/cli/main.js';

/** `tierguard <command> --help`: every command the CLI registers answers it, in one place. */

async function help(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { write: (text: string) => (out += text) }, { write: (text: string) => (err += text) });
  return { code, out, err };
}

/** The options a usage line names (`--policies`, `--json`...), and `--` for a command after it. */
function optionsOf(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--(?:[a-z][a-z-]*)?(?![\w-])/g)].map(([option]) => option));
}

describe('--help on every command', () => {
  it('registers the commands the general usage lists', () => {
    expect(COMMAND_NAMES).toEqual([
      'check',
      'explain',
      'compile',
      'test',
      'validate',
      'mcp',
      'gateway',
      'bundle',
      'doctor',
      'lint',
      'import',
      'rdf',
    ]);
  });

  it.each(COMMAND_NAMES)('tierguard %s --help and -h print its usage and options, and exit 0', async (command) => {
    for (const flag of ['--help', '-h']) {
      const result = await help(command, flag);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toBe(`${commandHelp(command) ?? ''}\n`);
      expect(result.out.startsWith(`usage: tierguard ${command} `)).toBe(true);
      expect(result.out).toContain('\noptions:\n');
    }
  });

  it.each(COMMAND_NAMES)('the help of %s explains every option its usage line names, and no other', (command) => {
    const text = commandHelp(command) ?? '';
    const [usage = '', ...rest] = text.split('\n');
    const table = rest.slice(rest.indexOf('options:') + 1);
    const explained = new Set(table.flatMap((line) => [...optionsOf(line.trim().split(/\s{2,}/)[0] ?? '')]));
    explained.delete('--help');
    expect([...explained].sort()).toEqual([...optionsOf(usage)].sort());
  });

  it('answers --help whatever else is on the line, without running the command', async () => {
    const result = await help('test', '--policies', 'no/such/dir', '--json', '--help');
    expect(result).toEqual({ code: 0, out: `${commandHelp('test') ?? ''}\n`, err: '' });
    expect((await help('check', '--bogus', '-h')).code).toBe(0);
  });

  it('leaves --help after -- to the program it belongs to', () => {
    expect(asksForHelp(['--policies', 'p', '--', 'server', '--help'])).toBe(false);
    expect(asksForHelp(['--policies', 'p', '--help', '--', 'server'])).toBe(true);
    expect(asksForHelp(['--policies=--help'])).toBe(false);
  });

  it('keeps an unknown command a usage error, --help or not', async () => {
    for (const command of ['nope', 'toString', '__proto__']) {
      const result = await help(command, '--help');
      expect(result.code).toBe(2);
      expect(result.out).toBe('');
      expect(result.err.startsWith(`tierguard: unknown command "${command}"\nusage:\n`)).toBe(true);
    }
  });

  it('mentions per-command help in the general usage', async () => {
    const result = await help('--help');
    expect(result.code).toBe(0);
    expect(result.out).toContain('tierguard <command> --help');
  });
});
