import { escapeJsonForTerminal, escapeTerminalText } from '../terminal-text.js';
import { describeFindings, describeMismatch } from './describe-fixture-result.js';
import type { FixtureReport, FixtureResult } from './run-fixtures.js';

/**
 * The fixture report as TAP version 14: the plan `1..N`, then one test point
 * per fixture in file order, `ok N - <policy id> <expected> <file>` or
 * `not ok N - ...` followed by a YAML block (`message`, `expected`, `actual`,
 * `kind`, `file` and the findings, each a JSON string, which YAML reads as a
 * double-quoted scalar). Each description is one line, terminal escapes shown
 * as in the text report, and `#` and `\` escaped as TAP asks, so a file name
 * cannot add a `# SKIP` directive or a test point of its own.
 */
export function formatFixtureTap(report: FixtureReport): string {
  const lines = ['TAP version 14', `1..${report.results.length}`];
  report.results.forEach((result, index) => lines.push(...testPoint(result, index + 1)));
  return lines.join('\n');
}

/**
 * A run that could not start or finish, as TAP: `Bail out!` with the error's
 * code and message, which every TAP consumer reads as a failed run.
 */
export function formatTapError(code: string, message: string): string {
  return ['TAP version 14', `Bail out! ${description(`${code}: ${message}`)}`].join('\n');
}

function testPoint(result: FixtureResult, number: number): string[] {
  const { fixture } = result;
  const point = `${result.matches ? 'ok' : 'not ok'} ${number} - ${description(`${fixture.policyId} ${fixture.expected} ${fixture.file}`)}`;
  if (result.matches) return [point];
  const findings = describeFindings(result);
  return [
    point,
    '  ---',
    `  message: ${scalar(describeMismatch(result))}`,
    `  expected: ${scalar(fixture.expected)}`,
    `  actual: ${scalar(result.outcome)}`,
    `  kind: ${scalar(result.kind)}`,
    `  file: ${scalar(fixture.file)}`,
    ...(findings.length === 0 ? [] : ['  findings:', ...findings.map((finding) => `    - ${scalar(finding)}`)]),
    '  ...',
  ];
}

// Shown as the text report shows it (one line, escapes visible), then escaped for TAP 14: `#` starts a directive, `\` escapes.
function description(text: string): string {
  return escapeTerminalText(text).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

// A JSON string is a YAML double-quoted scalar; escaped for the terminal like --json output.
function scalar(text: string): string {
  return escapeJsonForTerminal(JSON.stringify(text));
}
