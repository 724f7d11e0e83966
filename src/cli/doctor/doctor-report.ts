import { escapeTerminalLines } from '../../terminal-text.js';

/** How one check of `tierguard doctor` went: `fail` makes the run fail; `warn` is worth a look; `skip` could not run. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One check of a policy set, with what it found. */
export interface DoctorCheck {
  /** Stable name (`schema`, `fixtures`, `reach`, `engines`, `constraint-tools`). */
  readonly name: string;
  /** The outcome. */
  readonly status: CheckStatus;
  /** One line on what was checked and how it went. */
  readonly summary: string;
  /** Each problem found, one line each, naming the policy and the file. */
  readonly findings: readonly string[];
}

/** Everything `tierguard doctor` found. */
export interface DoctorReport {
  /** The policy set's content hash, when it compiled. */
  readonly policyVersion?: string;
  /** The checks, in the order they ran. */
  readonly checks: readonly DoctorCheck[];
  /** True when no check failed. */
  readonly ok: boolean;
}

/** A report from its checks: `ok` unless one failed. */
export function doctorReport(checks: readonly DoctorCheck[], policyVersion?: string): DoctorReport {
  return { ...(policyVersion === undefined ? {} : { policyVersion }), checks, ok: checks.every((check) => check.status !== 'fail') };
}

const MARKS: Readonly<Record<CheckStatus, string>> = { pass: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

/** The report as text: a line per check, its findings indented below it, then the verdict. Escaped for a terminal. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${MARKS[check.status]}  ${check.name}: ${check.summary}`);
    for (const finding of check.findings) lines.push(`        ${finding}`);
  }
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  const warned = report.checks.filter((check) => check.status === 'warn').length;
  lines.push(
    report.ok ? `healthy${warned > 0 ? ` (${warned} with warnings)` : ''}` : `${failed} ${failed === 1 ? 'check' : 'checks'} failed`,
  );
  return escapeTerminalLines(lines.join('\n'));
}
