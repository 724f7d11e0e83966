import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPolicies } from '../bundle/load-policies.js';
import { describeThrown } from '../describe-thrown.js';
import { createEngine } from '../engine.js';
import type { Engine } from '../engine.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { describeMismatch } from '../policy-tests/describe-fixture-result.js';
import type { PolicyFixture } from '../policy-tests/fixture.js';
import { isArtifactFixture } from '../policy-tests/fixture.js';
import { loadPolicyFixtures } from '../policy-tests/load-policy-fixtures.js';
import { runFixtures } from '../policy-tests/run-fixtures.js';
import type { Action } from '../types.js';
import type { CommandResult } from './check-command.js';
import { checkConstraintTools } from './doctor/constraint-tools-check.js';
import type { DoctorCheck } from './doctor/doctor-report.js';
import { doctorReport, formatDoctorReport } from './doctor/doctor-report.js';
import { checkEngines } from './doctor/engines-check.js';
import { checkFixtureReach } from './doctor/fixture-reach.js';
import { withPolicySources } from './name-invalid-policy-files.js';
import { UsageError } from './usage-error.js';

/** Usage of `tierguard doctor`. */
export const DOCTOR_USAGE = 'tierguard doctor --policies <file|dir> [--json]';

/**
 * `tierguard doctor`: checks a policy set end to end, as CI should before it
 * trusts it, and reports every check rather than stopping at the first:
 * - `schema`: every policy compiles (schema, paths, patterns, severities);
 * - `fixtures`: every fixture under `fixtures/` matches, through the real engines;
 *   a policy without fixtures is a warning;
 * - `reach`: every fixture is one its policy's `tools` and `artifacts` select,
 *   and every pattern is reached by a fixture (see `checkFixtureReach`);
 * - `engines`: every bound engine is installed and answers;
 * - `constraint-tools`: `describe_scope`, `get_constraints` and `validate` answer
 *   a real MCP client, and `validate` decides the fixtures as `evaluate` does.
 * When the set does not compile, the later checks are skipped. Exit 0 when no
 * check failed (warnings included), 1 when one did, 2 on a usage error or a
 * set that cannot be read. `--json` prints the report as JSON.
 */
export async function runDoctor(args: readonly string[]): Promise<CommandResult> {
  const { values } = parseArgs({
    args: [...args],
    options: { policies: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.policies === undefined) throw new UsageError('--policies is required');
  const loaded = await loadPolicies(values.policies);
  const checks: DoctorCheck[] = [];
  let engine: Engine | undefined;
  try {
    engine = await withPolicySources(loaded, () =>
      createEngine({ policies: loaded.definitions, sources: loaded.sources, shortCircuit: false }),
    );
    checks.push({ name: 'schema', status: 'pass', summary: `${engine.definitions.length} policies compile`, findings: [] });
  } catch (error) {
    checks.push({
      name: 'schema',
      status: 'fail',
      summary: 'the policy set does not compile',
      findings: describeThrown(error).split('\n'),
    });
  }
  if (engine === undefined) {
    for (const name of ['fixtures', 'reach', 'engines', 'constraint-tools'])
      checks.push({ name, status: 'skip', summary: 'the set does not compile', findings: [] });
  } else {
    const fixtures = await fixturesOf(values.policies, engine, checks);
    if (fixtures !== undefined) checks.push(checkFixtureReach(engine.definitions, fixtures, DEFAULT_LIMITS));
    else checks.push({ name: 'reach', status: 'skip', summary: 'no fixtures to check', findings: [] });
    checks.push(await checkEngines(engine.definitions));
    checks.push(await checkConstraintTools(engine, sampleActions(fixtures ?? [])));
  }
  const report = doctorReport(checks, engine?.version);
  return { output: values.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report), exitCode: report.ok ? 0 : 1 };
}

/** Runs the fixtures and adds the `fixtures` check; the fixtures, or `undefined` when there are none to run. */
async function fixturesOf(policies: string, engine: Engine, checks: DoctorCheck[]): Promise<PolicyFixture[] | undefined> {
  const name = 'fixtures';
  if (!(await isDirectory(join(policies, 'fixtures')))) {
    checks.push({ name, status: 'warn', summary: 'no fixtures/ folder: nothing shows the policies decide as intended', findings: [] });
    return undefined;
  }
  let fixtures: PolicyFixture[];
  try {
    fixtures = await loadPolicyFixtures(policies, engine.definitions);
  } catch (error) {
    checks.push({ name, status: 'fail', summary: 'the fixture tree is invalid', findings: [describeThrown(error)] });
    return undefined;
  }
  const report = await runFixtures(engine, fixtures);
  const mismatches = report.results
    .filter((result) => !result.matches)
    .map((result) => `${result.fixture.file}: ${describeMismatch(result)}`);
  const tested = new Set(fixtures.map((fixture) => fixture.policyId));
  const untested = engine.definitions
    .filter((definition) => definition.severity !== 'advisory' && !tested.has(definition.id))
    .map((definition) => `${definition.id} has no fixtures`);
  if (mismatches.length > 0) {
    checks.push({
      name,
      status: 'fail',
      summary: `${report.failed} of ${report.results.length} fixtures do not match`,
      findings: [...mismatches, ...untested],
    });
  } else if (untested.length > 0) {
    checks.push({
      name,
      status: 'warn',
      summary: `${report.passed} fixtures match; ${untested.length} policies have none`,
      findings: untested,
    });
  } else {
    checks.push({ name, status: 'pass', summary: `${report.passed} fixtures match`, findings: [] });
  }
  return fixtures;
}

/** The fixture actions that are actions (an object with a string `tool`), for the constraint tools to validate. */
function sampleActions(fixtures: readonly PolicyFixture[]): Action[] {
  const actions: Action[] = [];
  for (const fixture of fixtures) {
    if (isArtifactFixture(fixture)) continue;
    const { action } = fixture;
    if (typeof action === 'object' && action !== null && typeof (action as { tool?: unknown }).tool === 'string')
      actions.push(action as Action);
  }
  return actions;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
