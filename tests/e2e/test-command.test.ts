import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuild } from '../support/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

/** `tierguard test` as CI runs it: the built CLI, real fixture trees, real exit codes. */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const STACK_LINE = /^\s+at /m;

const POLICIES = [
  {
    id: 'orders.cap',
    tools: ['orders.*'],
    assert: { field: 'arguments.total', op: 'lte', value: 100 },
    message: 'total {actual} is over 100',
  },
  {
    id: 'orders.named',
    tools: ['orders.*'],
    shape: { properties: [{ path: 'arguments.name', minCount: 1, message: 'an order needs a name' }] },
  },
];

let directory = '';

function run(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
}

/** A fresh policy directory under the temporary directory, holding POLICIES and the given files. */
function policyDirectory(name: string, files: Record<string, unknown>): string {
  const root = join(directory, name);
  for (const [path, content] of Object.entries({ 'policies.json': POLICIES, ...files })) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const order = (total: number, name?: string): unknown => ({
  tool: 'orders.create',
  arguments: { total, ...(name === undefined ? {} : { name }) },
});

beforeAll(() => {
  requireBuild();
  directory = mkdtempSync(join(tmpdir(), 'tierguard-test-command-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('tierguard test', () => {
  it('exits 0 with only the summary when every fixture matches', () => {
    const root = policyDirectory('passing', {
      'fixtures/orders.cap/allow/small.json': order(10, 'a'),
      'fixtures/orders.cap/deny/big.json': order(500, 'a'),
      'fixtures/orders.named/allow/named.json': order(10, 'a'),
      'fixtures/orders.named/deny/unnamed.json': order(10),
    });
    const result = run('test', '--policies', root);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('fixtures: 4 passed, 0 failed\n');
    expect(result.status).toBe(0);
  });

  it("exits 1 and prints each mismatch with the policy's violations, then the summary", () => {
    const root = policyDirectory('failing', {
      'fixtures/orders.cap/allow/big.json': order(500, 'a'),
      'fixtures/orders.cap/deny/small.json': order(10, 'a'),
      // Every policy runs: the auto-tier deny does not skip the shape, so this allow fixture fails.
      'fixtures/orders.named/allow/big-unnamed.json': order(500),
    });
    const result = run('test', '--policies', root);
    expect(result.stdout).toBe(
      [
        'x orders.cap allow fixtures/orders.cap/allow/big.json: got deny',
        '    deny  arguments.total  total 500 is over 100',
        'x orders.cap deny fixtures/orders.cap/deny/small.json: got allow',
        'x orders.named allow fixtures/orders.named/allow/big-unnamed.json: got deny',
        '    deny  arguments.name  an order needs a name',
        'fixtures: 0 passed, 3 failed',
        '',
      ].join('\n'),
    );
    expect(result.status).toBe(1);
  });

  it('exits 2 naming the file for an unknown policy folder, a malformed fixture or an invalid policy', () => {
    const unknown = run('test', '--policies', policyDirectory('unknown', { 'fixtures/orders.caps/deny/big.json': order(500) }));
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe(
      `tierguard: IO_ERROR: ${join(directory, 'unknown', 'fixtures', 'orders.caps')}: no policy with id "orders.caps" in this directory\n`,
    );

    const malformed = run('test', '--policies', policyDirectory('malformed', { 'fixtures/orders.cap/deny/big.json': '{ "tool": ' }));
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toContain(`${join(directory, 'malformed', 'fixtures', 'orders.cap', 'deny', 'big.json')}: not valid JSON`);
    expect(malformed.stderr).not.toMatch(STACK_LINE);

    const invalidPolicy = run(
      'test',
      '--policies',
      policyDirectory('invalid-policy', { 'broken.json': { id: 'broken', effect: 'maybe' } }),
    );
    expect(invalidPolicy.status).toBe(2);
    expect(invalidPolicy.stderr).toContain(`tierguard: INVALID_POLICY: ${join(directory, 'invalid-policy', 'broken.json')}: `);
  });

  it('exits 2 with the usage for a missing or unknown option and for a policy file', () => {
    for (const args of [
      ['test'],
      ['test', '--policies', directory, '--action', 'x.json'],
      ['test', '--policies', join(ROOT, 'examples', 'policies', 'crm.json')],
    ]) {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('tierguard test --policies <dir>');
    }
  });

  it('passes over the shipped examples', () => {
    const result = run('test', '--policies', 'examples/policies');
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^fixtures: [1-9]\d* passed, 0 failed\n$/);
    expect(result.status).toBe(0);
  });
});
