import { describe, expect, it } from 'vitest';
import { fixtureReportToJson } from '../../../src/policy-tests/fixture-report-json.js';
import { formatFixtureJunit, formatJunitError } from '../../../src/policy-tests/fixture-report-junit.js';
import { formatFixtureTap, formatTapError } from '../../../src/policy-tests/fixture-report-tap.js';
import { formatFixtureReport } from '../../../src/policy-tests/format-fixture-report.js';
import type { FixtureReport, FixtureResult, JudgedViolation } from '../../../src/policy-tests/run-fixtures.js';
import { readXml } from '../../support/read-xml.js';
import type { XmlElement } from '../../support/read-xml.js';

/** The machine-read fixture reports (`tierguard test --json | --junit | --tap`) over hand-built results. */

const INFO = { policyVersion: 'sha256:0123abcd', durationMs: 1234.4 };
// What a terminal acts on, raw: none of it may reach the output unescaped.
// eslint-disable-next-line no-control-regex -- finding control characters is what this is for
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const violation = (message: string, extra: Partial<JudgedViolation> = {}): JudgedViolation => ({
  policyId: 'orders.cap',
  tier: 'auto',
  constraint: 'lte',
  path: ['arguments', 'total'],
  message,
  expected: 100,
  actual: 500,
  effect: 'deny',
  severity: 'violation',
  judge: 'tierguard',
  ...extra,
});

const PASSED: FixtureResult = {
  fixture: { policyId: 'orders.cap', expected: 'deny', file: 'fixtures/orders.cap/deny/big.json', action: {} },
  kind: 'action',
  outcome: 'deny',
  matches: true,
  judgements: [{ judge: 'tierguard', outcome: 'deny' }],
  violations: [violation('total 500 is over 100')],
  errors: [],
};

const FAILED: FixtureResult = {
  fixture: { policyId: 'orders.cap', expected: 'allow', file: 'fixtures/orders.cap/allow/big.json', action: {} },
  kind: 'action',
  outcome: 'deny',
  matches: false,
  judgements: [{ judge: 'tierguard', outcome: 'deny' }],
  violations: [violation('total 500 is over 100')],
  errors: [],
};

const DISAGREE: FixtureResult = {
  fixture: { policyId: 'search.limit', expected: 'deny', file: 'fixtures/search.limit/deny/101.json', action: {} },
  kind: 'cross-check',
  outcome: 'disagree',
  matches: false,
  judgements: [
    { judge: 'tierguard', outcome: 'deny' },
    { judge: 'opa', outcome: 'allow' },
  ],
  violations: [violation('limit 101 is over 100', { policyId: 'search.limit', path: ['arguments', 'limit'] })],
  errors: [],
};

const ERRORED: FixtureResult = {
  fixture: {
    policyId: 'code.no-eval',
    expected: 'deny',
    file: 'fixtures/code.no-eval/deny/eval.js',
    path: '/p/fixtures/code.no-eval/deny/eval.js',
  },
  kind: 'artifact',
  outcome: 'error',
  matches: false,
  judgements: [{ judge: 'semgrep', outcome: 'error' }],
  violations: [],
  errors: [{ code: 'EVALUATION_FAILED', message: 'semgrep is not installed', policyId: 'code.no-eval' }],
};

const report = (...results: FixtureResult[]): FixtureReport => {
  const passed = results.filter((result) => result.matches).length;
  return { results, passed, failed: results.length - passed };
};

const ALL = report(PASSED, FAILED, DISAGREE, ERRORED);

/** A fixture whose file name and message carry everything XML, TAP and terminals treat specially. */
const HOSTILE_FILE = 'fixtures/a#b/allow/x]]><y&z"q\'\u0000\u001b[2K\u202e\ud800\u{1F600}\nok 9 - forged # SKIP.json';
const HOSTILE_MESSAGE = 'bad </failure><x> & "quoted" \u0000 \u0007\r\nline two \u2028 \u0085';
const HOSTILE: FixtureResult = {
  ...FAILED,
  fixture: { policyId: 'a#b', expected: 'allow', file: HOSTILE_FILE, action: {} },
  violations: [violation(HOSTILE_MESSAGE, { policyId: 'a#b' })],
};

function elements(root: XmlElement, name: string): XmlElement[] {
  return [...(root.name === name ? [root] : []), ...root.children.flatMap((child) => elements(child, name))];
}

describe('fixtureReportToJson', () => {
  it('gives the counts, the policy version, whole milliseconds and every fixture, passes included', () => {
    const json = fixtureReportToJson(report(PASSED, FAILED), INFO);
    expect(json).toEqual({
      tool: 'tierguard',
      policyVersion: 'sha256:0123abcd',
      passed: 1,
      failed: 1,
      total: 2,
      durationMs: 1234,
      fixtures: [
        {
          file: 'fixtures/orders.cap/deny/big.json',
          name: 'big.json',
          policyId: 'orders.cap',
          kind: 'action',
          expected: 'deny',
          actual: 'deny',
          status: 'passed',
          judgements: [{ judge: 'tierguard', outcome: 'deny' }],
          violations: [
            {
              judge: 'tierguard',
              tier: 'auto',
              constraint: 'lte',
              path: ['arguments', 'total'],
              message: 'total 500 is over 100',
              effect: 'deny',
            },
          ],
          errors: [],
        },
        {
          file: 'fixtures/orders.cap/allow/big.json',
          name: 'big.json',
          policyId: 'orders.cap',
          kind: 'action',
          expected: 'allow',
          actual: 'deny',
          status: 'failed',
          message: 'expected allow, got deny',
          judgements: [{ judge: 'tierguard', outcome: 'deny' }],
          violations: [
            {
              judge: 'tierguard',
              tier: 'auto',
              constraint: 'lte',
              path: ['arguments', 'total'],
              message: 'total 500 is over 100',
              effect: 'deny',
            },
          ],
          errors: [],
        },
      ],
    });
  });

  it('words a disagreement and an engine error as the text report does, and keeps the error', () => {
    const [disagree, errored] = fixtureReportToJson(report(DISAGREE, ERRORED), INFO).fixtures;
    expect(disagree).toMatchObject({
      kind: 'cross-check',
      actual: 'disagree',
      message: 'expected deny, tiers disagree: tierguard deny, opa allow',
    });
    expect(errored).toMatchObject({
      kind: 'artifact',
      actual: 'error',
      status: 'failed',
      message: 'expected deny, got error (semgrep error)',
      errors: [{ code: 'EVALUATION_FAILED', message: 'semgrep is not installed', policyId: 'code.no-eval' }],
    });
  });

  it('survives a round trip through JSON text with hostile names unchanged', () => {
    const json = fixtureReportToJson(report(HOSTILE), INFO);
    const back = JSON.parse(JSON.stringify(json)) as typeof json;
    expect(back).toEqual(json);
    expect(back.fixtures[0]?.file).toBe(HOSTILE_FILE);
    expect(back.fixtures[0]?.violations[0]?.message).toBe(HOSTILE_MESSAGE);
  });
});

describe('formatFixtureJunit', () => {
  it('writes one suite per policy and a failure with the mismatch and the findings', () => {
    expect(formatFixtureJunit(report(PASSED, FAILED), INFO)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="tierguard" tests="2" failures="1" errors="0" time="1.234">',
        '  <testsuite name="orders.cap" tests="2" failures="1" errors="0" skipped="0">',
        '    <properties>',
        '      <property name="policyVersion" value="sha256:0123abcd"/>',
        '    </properties>',
        '    <testcase name="deny/big.json" classname="orders.cap" file="fixtures/orders.cap/deny/big.json"/>',
        '    <testcase name="allow/big.json" classname="orders.cap" file="fixtures/orders.cap/allow/big.json">',
        '      <failure message="expected allow, got deny" type="deny">deny  arguments.total  total 500 is over 100</failure>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
      ].join('\n'),
    );
  });

  it('is well-formed and reads back: suites, counts, messages and findings', () => {
    const root = readXml(formatFixtureJunit(ALL, INFO));
    expect(root.attributes).toMatchObject({ tests: '4', failures: '3' });
    expect(elements(root, 'testsuite').map((suite) => [suite.attributes.name, suite.attributes.tests, suite.attributes.failures])).toEqual([
      ['orders.cap', '2', '1'],
      ['search.limit', '1', '1'],
      ['code.no-eval', '1', '1'],
    ]);
    expect(elements(root, 'failure').map((failure) => [failure.attributes.message, failure.attributes.type, failure.text])).toEqual([
      ['expected allow, got deny', 'deny', 'deny  arguments.total  total 500 is over 100'],
      ['expected deny, tiers disagree: tierguard deny, opa allow', 'disagree', 'deny  arguments.limit  limit 101 is over 100'],
      ['expected deny, got error (semgrep error)', 'error', 'error  EVALUATION_FAILED  semgrep is not installed'],
    ]);
  });

  it('stays well-formed and one line per element with ]]>, <, &, quotes, NUL, ESC, bidi controls and a lone surrogate', () => {
    const xml = formatFixtureJunit(report(HOSTILE), INFO);
    expect(xml).not.toMatch(RAW_CONTROL);
    expect(xml).not.toContain(']]>');
    expect(xml.split('\n')).toHaveLength(11);
    const root = readXml(xml);
    const [testcase] = elements(root, 'testcase');
    // What XML cannot hold at all is shown as a visible escape; everything else reads back exactly.
    expect(testcase?.attributes.file).toBe('fixtures/a#b/allow/x]]><y&z"q\'\\x00\\x1b[2K\u202e\\ud800\u{1F600}\nok 9 - forged # SKIP.json');
    expect(elements(root, 'failure')[0]?.text).toBe(
      'deny  arguments.total  bad </failure><x> & "quoted" \\x00 \\x07\r\nline two \u2028 \u0085',
    );
  });

  it('is checked by a reader that refuses what is not well-formed', () => {
    for (const bad of [
      '<a>&</a>',
      '<a>&bogus;</a>',
      '<a>\u0000</a>',
      '<a>&#0;</a>',
      '<a>]]></a>',
      '<a x="1" x="2"/>',
      '<a x=1/>',
      '<a x="<"/>',
      '<a><b></a>',
      '<a/><b/>',
      '<a>',
    ])
      expect(() => readXml(bad), bad).toThrow();
    expect(readXml('<a x="&#x1F600;&amp;">&lt;&#65;</a>')).toEqual({
      name: 'a',
      attributes: { x: '\u{1F600}&' },
      children: [],
      text: '<A',
    });
  });

  it('reports a run that could not start as one suite with an error', () => {
    const root = readXml(formatJunitError('INVALID_POLICY', 'policies/a.json: policy "a": <bad> & \u001b'));
    expect(root.attributes).toMatchObject({ tests: '1', errors: '1' });
    expect(elements(root, 'error')[0]?.attributes).toEqual({
      message: 'policies/a.json: policy "a": <bad> & \\x1b',
      type: 'INVALID_POLICY',
    });
  });
});

describe('formatFixtureTap', () => {
  it('writes TAP 14: the plan, a test point per fixture, a YAML block under each failure', () => {
    expect(formatFixtureTap(ALL)).toBe(
      [
        'TAP version 14',
        '1..4',
        'ok 1 - orders.cap deny fixtures/orders.cap/deny/big.json',
        'not ok 2 - orders.cap allow fixtures/orders.cap/allow/big.json',
        '  ---',
        '  message: "expected allow, got deny"',
        '  expected: "allow"',
        '  actual: "deny"',
        '  kind: "action"',
        '  file: "fixtures/orders.cap/allow/big.json"',
        '  findings:',
        '    - "deny  arguments.total  total 500 is over 100"',
        '  ...',
        'not ok 3 - search.limit deny fixtures/search.limit/deny/101.json',
        '  ---',
        '  message: "expected deny, tiers disagree: tierguard deny, opa allow"',
        '  expected: "deny"',
        '  actual: "disagree"',
        '  kind: "cross-check"',
        '  file: "fixtures/search.limit/deny/101.json"',
        '  findings:',
        '    - "deny  arguments.limit  limit 101 is over 100"',
        '  ...',
        'not ok 4 - code.no-eval deny fixtures/code.no-eval/deny/eval.js',
        '  ---',
        '  message: "expected deny, got error (semgrep error)"',
        '  expected: "deny"',
        '  actual: "error"',
        '  kind: "artifact"',
        '  file: "fixtures/code.no-eval/deny/eval.js"',
        '  findings:',
        '    - "error  EVALUATION_FAILED  semgrep is not installed"',
        '  ...',
      ].join('\n'),
    );
  });

  it('keeps a hostile name on its test point line, with # and \\ escaped, and its YAML values reading back exactly', () => {
    const tap = formatFixtureTap(report(HOSTILE));
    expect(tap).not.toMatch(RAW_CONTROL);
    const lines = tap.split('\n');
    expect(lines.filter((line) => /^(not )?ok /.test(line))).toEqual([
      // As in the text report, a lone surrogate is left as it is: it drives nothing, and UTF-8 output writes it as U+FFFD.
      'not ok 1 - a\\#b allow fixtures/a\\#b/allow/x]]><y&z"q\'\\\\x00\\\\x1b[2K\\\\u202e\ud800\u{1F600}\\\\nok 9 - forged \\# SKIP.json',
    ]);
    const value = (key: string): unknown =>
      JSON.parse(lines.find((line) => line.startsWith(`  ${key}: `))?.slice(key.length + 4) ?? 'null');
    expect(value('file')).toBe(HOSTILE_FILE);
    expect(JSON.parse(lines.find((line) => line.startsWith('    - '))?.slice(6) ?? 'null')).toBe(
      `deny  arguments.total  ${HOSTILE_MESSAGE}`,
    );
  });

  it('plans 1..0 for no fixtures and bails out on a run that could not start', () => {
    expect(formatFixtureTap(report())).toBe('TAP version 14\n1..0');
    expect(formatTapError('IO_ERROR', 'p: cannot read #1\nnext')).toBe('TAP version 14\nBail out! IO_ERROR: p: cannot read \\#1\\\\nnext');
  });
});

describe('formatFixtureReport', () => {
  it('reads as before for the same results', () => {
    expect(formatFixtureReport(ALL)).toBe(
      [
        'x orders.cap allow fixtures/orders.cap/allow/big.json: got deny',
        '    deny  arguments.total  total 500 is over 100',
        'x search.limit deny fixtures/search.limit/deny/101.json: tiers disagree: tierguard deny, opa allow',
        '    deny  arguments.limit  limit 101 is over 100',
        'x code.no-eval deny fixtures/code.no-eval/deny/eval.js: got error (semgrep error)',
        '    error  EVALUATION_FAILED  semgrep is not installed',
        'fixtures: 1 passed, 3 failed',
      ].join('\n'),
    );
  });
});
