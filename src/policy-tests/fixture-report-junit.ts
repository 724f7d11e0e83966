import { basename } from 'node:path';
import { describeFindings, describeMismatch } from './describe-fixture-result.js';
import type { FixtureRunInfo } from './fixture-report-json.js';
import type { FixtureReport, FixtureResult } from './run-fixtures.js';
import { escapeXml as xml } from './xml-text.js';

/**
 * The fixture report as JUnit XML, for the CI systems that read it (GitLab,
 * Jenkins, GitHub reporters): one `<testsuite>` per policy, named by its id, with
 * its fixtures in file order as `<testcase name="<allow|deny>/<file name>"
 * classname="<policy id>" file="<fixture file>">`; a mismatch holds
 * `<failure message="expected deny, got allow" type="<outcome>">` with the
 * policy's findings, one per line. The suites carry the policy set's version as
 * a property; the root `time` is the run's, in seconds. A fixture is one file, so
 * "one suite per fixture folder" is one per policy.
 *
 * Every value is escaped for XML 1.0 (see {@link xml}): a hostile file name,
 * policy id or message cannot break the document or drive the terminal it is
 * printed on.
 */
export function formatFixtureJunit(report: FixtureReport, info: FixtureRunInfo): string {
  const suites = new Map<string, FixtureResult[]>();
  for (const result of report.results) {
    const suite = suites.get(result.fixture.policyId);
    if (suite === undefined) suites.set(result.fixture.policyId, [result]);
    else suite.push(result);
  }
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tierguard" tests="${report.results.length}" failures="${report.failed}" errors="0" time="${seconds(info.durationMs)}">`,
  ];
  for (const [policyId, results] of suites) {
    const failures = results.filter((result) => !result.matches).length;
    lines.push(
      `  <testsuite name="${xml(policyId)}" tests="${results.length}" failures="${failures}" errors="0" skipped="0">`,
      '    <properties>',
      `      <property name="policyVersion" value="${xml(info.policyVersion)}"/>`,
      '    </properties>',
      ...results.map(testcase),
      '  </testsuite>',
    );
  }
  lines.push('</testsuites>');
  return lines.join('\n');
}

/**
 * A run that could not start or finish (an invalid policy, a missing folder, a
 * usage error) as JUnit: one suite `tierguard` with one `<error>`, so a CI job
 * that reads the report sees the failure, never an empty or stale file.
 */
export function formatJunitError(code: string, message: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites name="tierguard" tests="1" failures="0" errors="1" time="0">',
    '  <testsuite name="tierguard" tests="1" failures="0" errors="1" skipped="0">',
    '    <testcase name="policies and fixtures" classname="tierguard">',
    `      <error message="${xml(message)}" type="${xml(code)}"/>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
  ].join('\n');
}

function testcase(result: FixtureResult): string {
  const { fixture } = result;
  const head = `    <testcase name="${xml(`${fixture.expected}/${basename(fixture.file)}`)}" classname="${xml(fixture.policyId)}" file="${xml(fixture.file)}"`;
  if (result.matches) return `${head}/>`;
  const findings = describeFindings(result).map(xml).join('\n');
  return [
    `${head}>`,
    `      <failure message="${xml(describeMismatch(result))}" type="${xml(result.outcome)}">${findings}</failure>`,
    '    </testcase>',
  ].join('\n');
}

// JUnit times are seconds; three decimals keep the milliseconds.
function seconds(durationMs: number): string {
  return (Math.max(0, durationMs) / 1000).toFixed(3);
}
