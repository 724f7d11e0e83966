import type { SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeUnder } from '../support/cli-process.js';
import { requireBuild } from '../support/paths.js';

/**
 * Every JSON file the CLI reads (policies, bundles, configs, actions, fixtures,
 * artifacts) is parsed strictly: a syntax error names the file, the line and
 * the column, the same way wherever it is, and never a stack trace.
 */

// A comma before a closing brace, on line 2: column 13 is the `}` the parser did not expect.
const BROKEN = '{"id": "p",\n "tool": 1, }\n';
const WHERE = "not valid JSON: line 2, column 13: expected a string key, found '}'";
const GOOD_POLICY = { id: 'cap', tools: ['t'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } };
const ACTION = { tool: 't', arguments: { amount: 1 } };

let directory = '';

const run = (args: readonly string[], input?: string): SpawnSyncReturns<string> => runCli(directory, args, input);
const write = (name: string, content: unknown): string => writeUnder(directory, name, content);

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-json-syntax-'));
  write('good/cap.json', GOOD_POLICY);
  write('action.json', ACTION);
  write('broken.json', BROKEN);
  write('tree/ok.json', GOOD_POLICY);
  write('tree/nested/broken.json', BROKEN);
  write('with-fixture/cap.json', GOOD_POLICY);
  write('with-fixture/fixtures/cap/allow/broken.json', BROKEN);
  write('config/tierguard.config.json', BROKEN);
  write('config-source/tierguard.config.yaml', 'sources:\n  - name: team\n    path: team\n    precedence: 1\n');
  write('config-source/team/broken.json', BROKEN);
  write('engine/opa.json', { id: 'artifact', enforcement: [{ engine: 'opa', policy: 'rule.rego', query: 'data.x.deny' }] });
  write('engine/rule.rego', 'package x\n');
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('a JSON syntax error names the file, line and column wherever a JSON file is read', () => {
  it.each([
    ['a policy file', ['check', '--policies', 'broken.json', '--action', 'action.json'], 'broken.json'],
    ['a policy file in a directory', ['check', '--policies', 'tree', '--action', 'action.json'], 'tree/nested/broken.json'],
    ['a policy file of a bundle being built', ['bundle', 'tree', '--out', 'bundle.json'], 'tree/nested/broken.json'],
    ['a bundle (or policy) file given to --policies', ['mcp', '--policies', 'broken.json'], 'broken.json'],
    ['an action file', ['check', '--policies', 'good', '--action', 'broken.json'], 'broken.json'],
    ['a fixture', ['test', '--policies', 'with-fixture'], 'with-fixture/fixtures/cap/allow/broken.json'],
    ['a config file', ['check', '--config', 'config/tierguard.config.json', '--action', 'action.json'], 'config/tierguard.config.json'],
    [
      'a policy file of a config source',
      ['check', '--config', 'config-source/tierguard.config.yaml', '--action', 'action.json'],
      'team/broken.json',
    ],
    ['an action for tierguard rdf', ['rdf', '--action', 'broken.json'], 'broken.json'],
  ])('%s', (_what, args, file) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    // A config source's file is named by the path the config resolves it to: only its end is fixed here.
    expect(result.stderr.startsWith('tierguard: IO_ERROR: ')).toBe(true);
    expect(result.stderr.endsWith(`${file}: ${WHERE}\n`)).toBe(true);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  it('standard input is named as such', () => {
    const result = run(['check', '--policies', 'good', '--action', '-'], BROKEN);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`tierguard: IO_ERROR: standard input: ${WHERE}\n`);
  });

  it('an artifact given to validate is refused before any engine reads it', () => {
    const result = run(['validate', '--policies', 'engine/opa.json', '--artifact', 'broken.json', '--policy', 'artifact']);
    expect(result.status).toBe(2);
    expect(result.stdout).toContain(`INVALID_ARTIFACT  broken.json is ${WHERE}`);
  });
});
