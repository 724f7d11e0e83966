import { describeThrown } from '../../describe-thrown.js';
import { isRecord, own } from '../json-reading.js';
import type { SarifLevel } from '../sarif/normalize-sarif.js';
import type { EngineError } from '../types.js';

/** What Checkov's JSON report says about the run as a whole. */
export interface CheckovSummary {
  /** Checks that ran: passed, failed and skipped, over every framework. */
  readonly checks: number;
  /** Files Checkov could not parse, over every framework. */
  readonly parsingErrors: number;
  /** The severity of each failed check that has one (`HIGH`, `INFO`, ...), by check id. */
  readonly severities: ReadonlyMap<string, string>;
}

/**
 * The SARIF level of a failed check of Checkov severity `severity`: CRITICAL
 * and HIGH are `error`, MEDIUM and LOW `warning`, anything else (INFO, NONE) a
 * `note`. Checkov's own SARIF makes LOW a `note` and INFO `none`, which would
 * drop a failed check unseen; a check is never dropped here.
 */
export function checkovSeverityLevel(severity: string): SarifLevel {
  const upper = severity.toUpperCase();
  if (upper === 'CRITICAL' || upper === 'HIGH' || upper === 'IMPORTANT') return 'error';
  if (upper === 'MEDIUM' || upper === 'MODERATE' || upper === 'LOW') return 'warning';
  return 'note';
}

/**
 * Reads the totals from Checkov's JSON report (`-o json`): one report object
 * `{ check_type, results, summary }`, a list of them (one per framework), or
 * a bare summary when no framework produced a report. The SARIF log cannot
 * tell these apart from a clean pass: a file Checkov could not parse, or one no
 * framework ran on, gives a SARIF log with no results and exit code 0. The
 * failed checks' severities are read too, as the SARIF's levels lose them.
 */
export function readCheckovSummary(text: string): { ok: true; summary: CheckovSummary } | { ok: false; error: EngineError } {
  const invalid = (message: string): { ok: false; error: EngineError } => ({
    ok: false,
    error: { code: 'INVALID_OUTPUT', message: `unexpected checkov JSON report: ${message}` },
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (thrown) {
    return invalid(`not JSON (${describeThrown(thrown)})`);
  }
  const reports: readonly unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  let checks = 0;
  let parsingErrors = 0;
  const severities = new Map<string, string>();
  for (const report of reports) {
    if (!isRecord(report)) return invalid('a report is not an object');
    readSeverities(report, severities);
    const summary = Object.hasOwn(report, 'summary') ? own(report, 'summary') : report;
    if (!isRecord(summary)) return invalid('a report has no summary');
    const counts = ['passed', 'failed', 'skipped', 'parsing_errors'].map((key) => own(summary, key));
    if (!counts.every((count) => typeof count === 'number' && Number.isSafeInteger(count) && count >= 0)) {
      return invalid('a summary lacks its passed, failed, skipped and parsing_errors counts');
    }
    const [passed = 0, failed = 0, skipped = 0, errors = 0] = counts as number[];
    checks += passed + failed + skipped;
    parsingErrors += errors;
  }
  return { ok: true, summary: { checks, parsingErrors, severities } };
}

/** Adds the severity of every failed check of one report that has one; entries of another shape are skipped, as the SARIF still has them. */
function readSeverities(report: Record<string, unknown>, into: Map<string, string>): void {
  const results = own(report, 'results');
  const failed = isRecord(results) ? own(results, 'failed_checks') : undefined;
  if (!Array.isArray(failed)) return;
  for (const check of failed) {
    if (!isRecord(check)) continue;
    const id = own(check, 'check_id');
    const severity = own(check, 'severity');
    if (typeof id === 'string' && typeof severity === 'string' && severity.length > 0 && !into.has(id)) into.set(id, severity);
  }
}
