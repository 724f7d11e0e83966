import { describe, expect, it } from 'vitest';
import type { LintFinding } from '../../../src/lint/lint-finding.js';
import { formatLintReport, lintReport } from '../../../src/lint/lint-report.js';

/** The report `tierguard lint` prints: one line per finding, then the count; or the JSON document. */

const ERROR: LintFinding = {
  rule: 'unknown-field',
  severity: 'error',
  policyId: 'p',
  file: 'policies/p.json',
  pointer: '/when/field',
  message: 'policy "p" reads "arguments.amout"',
};
const WARNING: LintFinding = { rule: 'shadowed-policy', severity: 'warning', policyId: 'q', pointer: '', message: 'shadowed\u001b[2J' };

describe('lint reports', () => {
  it('counts errors and warnings', () => {
    expect(lintReport([ERROR, WARNING], 'sha256:1', 2)).toEqual({
      tool: 'tierguard',
      policyVersion: 'sha256:1',
      policies: 2,
      errors: 1,
      warnings: 1,
      findings: [ERROR, WARNING],
    });
  });

  it('prints a line per finding, where it is, escaped, then the count', () => {
    expect(formatLintReport(lintReport([ERROR, WARNING], 'v', 2)).split('\n')).toEqual([
      'x unknown-field  policies/p.json /when/field  policy "p" reads "arguments.amout"',
      '! shadowed-policy  q  shadowed\\x1b[2J',
      'lint: 1 error, 1 warning in 2 policies',
    ]);
    expect(formatLintReport(lintReport([], 'v', 1))).toBe('lint: no findings in 1 policy');
  });
});
