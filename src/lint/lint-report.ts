import { escapeTerminalLines } from '../terminal-text.js';
import type { LintFinding } from './lint-finding.js';

/** What `tierguard lint --json` prints: one document. Fields are only ever added, never renamed or removed. */
export interface LintReport {
  /** Always `tierguard`. */
  readonly tool: 'tierguard';
  /** The content hash of the policy set linted (`engine.version`). */
  readonly policyVersion: string;
  /** How many policies were linted. */
  readonly policies: number;
  /** How many findings are errors, and how many warnings. */
  readonly errors: number;
  readonly warnings: number;
  /** Every finding, in policy order. */
  readonly findings: readonly LintFinding[];
}

/** The report of a lint run. */
export function lintReport(findings: readonly LintFinding[], policyVersion: string, policies: number): LintReport {
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  return { tool: 'tierguard', policyVersion, policies, errors, warnings: findings.length - errors, findings };
}

/**
 * The report for a terminal: one line per finding (`x` an error, `!` a
 * warning, then the rule, where, and the message), then the count. Escaped:
 * names in messages come from policies, samples and schemas.
 */
export function formatLintReport(report: LintReport): string {
  const lines = report.findings.map((finding) => {
    const where = [finding.file, finding.pointer === '' ? undefined : finding.pointer].filter((part) => part !== undefined).join(' ');
    return `${finding.severity === 'error' ? 'x' : '!'} ${finding.rule}  ${where === '' ? finding.policyId : where}  ${finding.message}`;
  });
  const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const policies = report.policies === 1 ? '1 policy' : `${report.policies} policies`;
  lines.push(
    report.findings.length === 0
      ? `lint: no findings in ${policies}`
      : `lint: ${count(report.errors, 'error')}, ${count(report.warnings, 'warning')} in ${policies}`,
  );
  return escapeTerminalLines(lines.join('\n'));
}
