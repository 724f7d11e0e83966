import type { SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeUnder } from '../support/cli-process.js';
import { requireBuild } from '../support/paths.js';

/**
 * Every command with `--json` output answers a failure under `--json` as the
 * JSON error document `tierguard test` uses, `{ "error": { code, message,
 * details? } }`, on stdout with the exit code of the text output: a script
 * that parses stdout never gets a message meant for a person.
 */

const GOOD = { id: 'cap', tools: ['payments.*'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } };

let directory = '';

const run = (args: readonly string[], input?: string): SpawnSyncReturns<string> => runCli(directory, args, input);
const write = (name: string, content: unknown): string => writeUnder(directory, name, content);

interface ErrorDocument {
  readonly error: { readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };
}

/** The error document a run printed: exit 2, nothing on stderr, stdout one JSON document with only `error`. */
function errorOf(result: SpawnSyncReturns<string>): ErrorDocument['error'] {
  expect(result.stderr).toBe('');
  expect(result.status).toBe(2);
  const document = JSON.parse(result.stdout) as ErrorDocument;
  expect(Object.keys(document)).toEqual(['error']);
  return document.error;
}

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-json-errors-'));
  write('good/cap.json', GOOD);
  write('bad/cap.json', [GOOD, { id: 'typo', assert: { field: 'arguments.amount', op: 'lte2', value: 1 } }]);
  write('action.json', { tool: 'payments.transfer', arguments: { amount: 50 } });
  write('broken-action.json', '{"tool": "payments.transfer",\n  "arguments": { "amount": 50, }\n}');
  write('artifact.json', { kind: 'Deployment' });
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('check --json', () => {
  it('answers an invalid policy with its code, file, pointer and suggestion', () => {
    const error = errorOf(run(['check', '--policies', 'bad', '--action', 'action.json', '--json']));
    expect(error.code).toBe('INVALID_POLICY');
    expect(error.message).toBe(
      'bad/cap.json: policy "typo" /assert/op: must be one of eq, neq, gt, gte, lt, lte, in, not_in, regex, glob, exists (got "lte2") (did you mean "lte"?)',
    );
    expect(error.details).toMatchObject({ files: ['bad/cap.json'], policy: 'policy "typo"', policyIndex: 1 });
    expect((error.details?.issues as { suggestions?: string[] }[])[0]?.suggestions).toEqual(['lte']);
  });

  it('answers a malformed action with its line and column, from a file and from standard input', () => {
    const fromFile = errorOf(run(['check', '--policies', 'good', '--action', 'broken-action.json', '--json']));
    expect(fromFile).toEqual({
      code: 'IO_ERROR',
      message: "broken-action.json: not valid JSON: line 2, column 32: expected a string key, found '}'",
      details: { file: 'broken-action.json', line: 2, column: 32, pointer: '/arguments/amount' },
    });
    const fromStdin = errorOf(run(['check', '--policies', 'good', '--action', '-', '--json'], '[1, 2'));
    expect(fromStdin.code).toBe('IO_ERROR');
    expect(fromStdin.details).toMatchObject({ file: 'standard input', line: 1, column: 6 });
  });

  it('answers an action the engine refuses (more than limits.maxNodes values) with LIMIT_EXCEEDED', () => {
    const huge = JSON.stringify({ tool: 'payments.transfer', arguments: { amounts: new Array<number>(100_001).fill(0) } });
    const error = errorOf(run(['check', '--policies', 'good', '--action', '-', '--json'], huge));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toBe('standard input: action holds more than limits.maxNodes (100000) values');
  });

  it.each([
    [['check', '--policies', 'good', '--json'], /^--action is required$/],
    [['check', '--policies', 'good', '--action', 'action.json', '--json', '--bogus'], /--bogus/],
    [['check', '--policies', 'good', '--action', 'action.json', '--json', '--mode', 'loud'], /^--mode must be enforce or monitor/],
    [['check', '--policies', 'good', '--config', 'c.yaml', '--action', 'action.json', '--json'], /not both/],
  ])('answers the usage mistake in %j as USAGE_ERROR, exit 2', (args, message) => {
    const error = errorOf(run(args));
    expect(error.code).toBe('USAGE_ERROR');
    expect(error.message).toMatch(message);
    expect(error.details).toBeUndefined();
  });

  it('keeps decisions as they were: the Decision on stdout, exit 0 or 1', () => {
    const allowed = run(['check', '--policies', 'good', '--action', 'action.json', '--json']);
    expect(allowed.status).toBe(0);
    expect((JSON.parse(allowed.stdout) as { verdict: string }).verdict).toBe('allow');
    write('big.json', { tool: 'payments.transfer', arguments: { amount: 500 } });
    const denied = run(['check', '--policies', 'good', '--action', 'big.json', '--json']);
    expect(denied.status).toBe(1);
    expect((JSON.parse(denied.stdout) as { verdict: string }).verdict).toBe('deny');
  });

  it('keeps the text answer on stderr without --json', () => {
    const result = run(['check', '--policies', 'bad', '--action', 'action.json']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith('tierguard: INVALID_POLICY: bad/cap.json: policy "typo"')).toBe(true);
  });
});

describe('validate --json and doctor --json', () => {
  it('validate answers a usage mistake and an invalid policy as JSON', () => {
    expect(errorOf(run(['validate', '--policies', 'good', '--json'])).message).toBe('--artifact is required');
    const stdin = errorOf(run(['validate', '--policies', 'good', '--artifact', '-', '--json'], 'x'));
    expect(stdin.code).toBe('USAGE_ERROR');
    const invalid = errorOf(run(['validate', '--policies', 'bad', '--artifact', 'artifact.json', '--json']));
    expect(invalid.code).toBe('INVALID_POLICY');
    expect(invalid.details?.files).toEqual(['bad/cap.json']);
  });

  it('doctor answers a usage mistake as JSON', () => {
    const error = errorOf(run(['doctor', '--json']));
    expect(error).toEqual({ code: 'USAGE_ERROR', message: '--policies is required' });
    expect(errorOf(run(['doctor', '--policies', 'good', '--json', '--bogus'])).code).toBe('USAGE_ERROR');
  });
});
