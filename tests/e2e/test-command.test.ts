import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuild } from '../support/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';
import { readXml } from '../support/read-xml.js';
import type { XmlElement } from '../support/read-xml.js';

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
      expect(result.stderr).toContain('tierguard test (--policies <dir> | --config <file> [--strict])');
    }
  });

  it('passes over the shipped examples', () => {
    const result = run('test', '--policies', 'examples/policies');
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^fixtures: [1-9]\d* passed, 0 failed\n$/);
    expect(result.status).toBe(0);
  });
});

/** The counts and per-fixture fields of `--json`, as a CI job reads them. */
interface JsonReport {
  tool: string;
  policyVersion: string;
  passed: number;
  failed: number;
  total: number;
  durationMs: number;
  fixtures: {
    file: string;
    name: string;
    policyId: string;
    kind: string;
    expected: string;
    actual: string;
    status: string;
    message?: string;
  }[];
}

const FAILING = {
  'fixtures/orders.cap/allow/small.json': order(10, 'a'),
  'fixtures/orders.cap/deny/small.json': order(10, 'a'),
  'fixtures/orders.named/deny/unnamed.json': order(10),
};

function elements(root: XmlElement, name: string): XmlElement[] {
  return [...(root.name === name ? [root] : []), ...root.children.flatMap((child) => elements(child, name))];
}

describe('tierguard test --json, --junit, --tap', () => {
  it('--json prints one document with the counts and every fixture, and keeps the exit code', () => {
    const result = run('test', '--policies', policyDirectory('json-failing', FAILING), '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report).toMatchObject({ tool: 'tierguard', passed: 2, failed: 1, total: 3 });
    expect(report.policyVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Number.isInteger(report.durationMs) && report.durationMs >= 0).toBe(true);
    expect(report.fixtures.map(({ file, status, actual, message }) => [file, status, actual, message])).toEqual([
      ['fixtures/orders.cap/allow/small.json', 'passed', 'allow', undefined],
      ['fixtures/orders.cap/deny/small.json', 'failed', 'allow', 'expected deny, got allow'],
      ['fixtures/orders.named/deny/unnamed.json', 'passed', 'deny', undefined],
    ]);
    expect(report.fixtures[0]).toMatchObject({ name: 'small.json', policyId: 'orders.cap', kind: 'action', expected: 'allow' });
  });

  it('--json passes over the shipped examples with exit 0', () => {
    const result = run('test', '--policies', 'examples/policies', '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.failed).toBe(0);
    expect(report.total).toBeGreaterThan(0);
    expect(report.fixtures.every(({ status }) => status === 'passed')).toBe(true);
  });

  it('--json answers an invalid policy, a missing directory, a bad fixture tree and a usage error as JSON on stdout, exit 2', () => {
    const cases: [string[], string, RegExp][] = [
      [
        ['--policies', policyDirectory('json-invalid', { 'broken.json': { id: 'broken', effect: 'maybe' } })],
        'INVALID_POLICY',
        /broken\.json: /,
      ],
      [['--policies', join(directory, 'no-such-dir')], 'IO_ERROR', /no-such-dir: cannot read: /],
      [
        ['--policies', policyDirectory('json-unknown', { 'fixtures/orders.caps/deny/big.json': order(500) })],
        'IO_ERROR',
        /no policy with id "orders\.caps"/,
      ],
      [['--policies', directory, '--bogus'], 'USAGE_ERROR', /--bogus/],
      [['--policies', directory, '--junit'], 'USAGE_ERROR', /^--json and --junit cannot be combined/],
      [[], 'USAGE_ERROR', /^--policies is required$/],
    ];
    for (const [args, code, message] of cases) {
      const result = run('test', '--json', ...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toBe('');
      const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string; details?: unknown } };
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    }
    const invalid = run('test', '--json', '--policies', join(directory, 'json-invalid'));
    const { error } = JSON.parse(invalid.stdout) as { error: { details: { files: string[] } } };
    expect(error.details.files).toEqual([join(directory, 'json-invalid', 'broken.json')]);
  });

  it('--junit prints well-formed JUnit XML: a suite per policy, a failure per mismatch', () => {
    const result = run('test', '--policies', policyDirectory('junit-failing', FAILING), '--junit');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const root = readXml(result.stdout);
    expect(root.attributes).toMatchObject({ name: 'tierguard', tests: '3', failures: '1' });
    expect(elements(root, 'testsuite').map(({ attributes }) => [attributes.name, attributes.tests, attributes.failures])).toEqual([
      ['orders.cap', '2', '1'],
      ['orders.named', '1', '0'],
    ]);
    expect(elements(root, 'failure').map(({ attributes }) => attributes.message)).toEqual(['expected deny, got allow']);
  });

  it('--junit stays well-formed with a hostile fixture file name and message', () => {
    const root = policyDirectory('junit-hostile', {
      'policies.json': [
        { id: 'h', tools: ['*'], assert: { field: 'x', op: 'eq', value: 1 }, message: 'x ]]> <b> & "q" \u0000 \u001b[31m' },
      ],
      'fixtures/h/allow/a]]><b>&"\u0001.json': { tool: 't', x: 2 },
    });
    const result = run('test', '--policies', root, '--junit');
    expect(result.status).toBe(1);
    const [testcase] = elements(readXml(result.stdout), 'testcase');
    expect(testcase?.attributes.file).toBe('fixtures/h/allow/a]]><b>&"\\x01.json');
    expect(elements(testcase as XmlElement, 'failure')[0]?.text).toBe('deny  x  x ]]> <b> & "q" \\x00 \\x1b[31m');
  });

  it('--tap prints TAP version 14 with a plan and a test point per fixture', () => {
    const result = run('test', '--policies', policyDirectory('tap-failing', FAILING), '--tap');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['TAP version 14', '1..3', 'ok 1 - orders.cap allow fixtures/orders.cap/allow/small.json']);
    expect(lines).toContain('not ok 2 - orders.cap deny fixtures/orders.cap/deny/small.json');
    expect(lines).toContain('  message: "expected deny, got allow"');
    expect(lines).toContain('ok 3 - orders.named deny fixtures/orders.named/deny/unnamed.json');
  });

  it('--out writes the report to the file and the text report to stdout', () => {
    const root = policyDirectory('out-failing', FAILING);
    const file = join(directory, 'out-report.xml');
    const result = run('test', '--policies', root, '--junit', '--out', file);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('x orders.cap deny fixtures/orders.cap/deny/small.json: got allow\nfixtures: 2 passed, 1 failed\n');
    expect(readXml(readFileSync(file, 'utf8')).attributes).toMatchObject({ tests: '3', failures: '1' });
  });

  it('--out replaces a stale report with the error when the run fails, and the message still goes to stderr', () => {
    const file = join(directory, 'out-report.json');
    writeFileSync(file, JSON.stringify({ tool: 'tierguard', passed: 9, failed: 0 }));
    const broken = policyDirectory('out-invalid', { 'broken.json': { id: 'broken', effect: 'maybe' } });
    const result = run('test', '--policies', broken, '--json', '--out', file);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('tierguard: INVALID_POLICY: ');
    expect((JSON.parse(readFileSync(file, 'utf8')) as { error: { code: string } }).error.code).toBe('INVALID_POLICY');

    const tapFile = join(directory, 'out-report.tap');
    const tap = run('test', '--policies', join(directory, 'no-such-dir'), '--tap', '--out', tapFile);
    expect(tap.status).toBe(2);
    expect(readFileSync(tapFile, 'utf8')).toMatch(/^TAP version 14\nBail out! IO_ERROR: .*no-such-dir: cannot read: /);
  });

  it('refuses --out without a format, and a report file it cannot write', () => {
    const noFormat = run('test', '--policies', 'examples/policies', '--out', join(directory, 'x.json'));
    expect(noFormat.status).toBe(2);
    expect(noFormat.stderr).toContain('tierguard: --out writes a report: give --json, --junit or --tap with it');
    const unwritable = run('test', '--policies', 'examples/policies', '--tap', '--out', join(directory, 'no-such-dir', 'r.tap'));
    expect(unwritable.status).toBe(2);
    expect(unwritable.stderr).toMatch(/^tierguard: IO_ERROR: .*r\.tap: cannot write the report: /);
    expect(unwritable.stderr).not.toMatch(STACK_LINE);
  });

  it('--help prints the usage and the options and exits 0', () => {
    const result = run('test', '--help');
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(
      result.stdout.startsWith(
        'usage: tierguard test (--policies <dir> | --config <file> [--strict]) [--json | --junit | --tap] [--out <file>]\n',
      ),
    ).toBe(true);
    for (const option of ['--json', '--junit', '--tap', '--out <file>']) expect(result.stdout).toContain(`\n  ${option} `);
  });
});
