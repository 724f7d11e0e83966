import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeThrown } from '../describe-thrown.js';
import { createEngine } from '../engine.js';
import type { Engine } from '../engine.js';
import { isTierguardError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { describeMismatch } from '../policy-tests/describe-fixture-result.js';
import type { PolicyFixture } from '../policy-tests/fixture.js';
import { isArtifactFixture } from '../policy-tests/fixture.js';
import { loadPolicyFixtures } from '../policy-tests/load-policy-fixtures.js';
import { runFixtures } from '../policy-tests/run-fixtures.js';
import type { Action } from '../types.js';
import type { CommandResult } from './check-command.js';
import { loadConfigFixtures } from './config-fixtures.js';
import { checkConstraintTools } from './doctor/constraint-tools-check.js';
import type { DoctorCheck } from './doctor/doctor-report.js';
import { doctorReport, formatDoctorReport } from './doctor/doctor-report.js';
import { checkEngines } from './doctor/engines-check.js';
import { checkFixtureReach } from './doctor/fixture-reach.js';
import { checkScopeReach } from './doctor/scope-check.js';
import { loadPolicyInput, POLICY_INPUT_OPTIONS } from './policy-input.js';
import type { PolicyInput } from './policy-input.js';

/** Usage of `tierguard doctor`. */
export const DOCTOR_USAGE = 'tierguard doctor (--policies <file|dir> | --config <file> [--strict]) [--json]';

/** The checks that need a compiled set, skipped by name when it does not compile. */
const NEED_A_SET = ['fixtures', 'reach', 'scope', 'engines', 'constraint-tools'] as const;

/**
 * `tierguard doctor`: checks a policy set end to end, as CI should before it
 * trusts it, and reports every check rather than stopping at the first:
 * - `precedence`: with `--config`, no source conflicts with another and no
 *   invalid policy was left out (see `loadConfig`);
 * - `schema`: every policy compiles (schema, paths, patterns, severities);
 * - `fixtures`: every fixture matches, through the real engines; a policy
 *   without fixtures is a warning;
 * - `reach`: every fixture is one its policy's `tools` and `artifacts` select,
 *   and every pattern is reached by a fixture (see `checkFixtureReach`);
 * - `scope`: every scope value a policy states reaches it through `get_constraints`;
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
    options: { ...POLICY_INPUT_OPTIONS, json: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  const checks: DoctorCheck[] = [];
  const input = await readInput(values, checks);
  const engine = input === undefined ? undefined : await compile(input, checks);
  if (input === undefined || engine === undefined) {
    for (const name of NEED_A_SET) checks.push({ name, status: 'skip', summary: 'the set does not compile', findings: [] });
  } else {
    const fixtures = await fixturesOf(input, values.policies, engine, checks);
    checks.push(
      fixtures === undefined
        ? { name: 'reach', status: 'skip', summary: 'no fixtures to check', findings: [] }
        : checkFixtureReach(engine.definitions, fixtures, DEFAULT_LIMITS),
    );
    checks.push(checkScopeReach(engine));
    checks.push(await checkEngines(engine.definitions));
    checks.push(await checkConstraintTools(engine, sampleActions(fixtures ?? [])));
  }
  const report = doctorReport(checks, engine?.version);
  return { output: values.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report), exitCode: report.ok ? 0 : 1 };
}

/** The policies of `--policies` or `--config`, and the `precedence` check; `undefined` when `--strict` refused a conflict. */
async function readInput(
  values: { policies?: string | undefined; config?: string | undefined; strict?: boolean | undefined },
  checks: DoctorCheck[],
): Promise<PolicyInput | undefined> {
  try {
    const input = await loadPolicyInput(values);
    checks.push(precedenceCheck(input));
    return input;
  } catch (error) {
    // Under --strict a precedence conflict refuses the set: a failed check, not an unreadable input.
    if (!isTierguardError(error, 'INVALID_POLICY') || values.config === undefined) throw error;
    checks.push({ name: 'precedence', status: 'fail', summary: 'the sources conflict', findings: describeThrown(error).split('\n') });
    checks.push({ name: 'schema', status: 'skip', summary: 'the sources conflict', findings: [] });
    return undefined;
  }
}

/**
 * Precedence across a config's sources: a conflict (a lower source that would
 * weaken a rule, or one whose strength cannot be told) and an invalid policy
 * left out each fail it, as `--strict` would refuse them. One `--policies`
 * source has no precedence to check.
 */
function precedenceCheck({ config }: PolicyInput): DoctorCheck {
  const name = 'precedence';
  if (config === undefined) return { name, status: 'skip', summary: 'one source (--policies): nothing to merge', findings: [] };
  const findings = [
    ...config.conflicts.map((conflict) => conflict.message),
    ...config.dropped.map((dropped) => `left out: ${dropped.message}`),
  ];
  const sources = config.config.sources.length;
  if (findings.length > 0) return { name, status: 'fail', summary: `${findings.length} problems merging ${sources} sources`, findings };
  const tightened = config.replacements.length;
  const note = tightened > 0 ? ` (${tightened} rules tightened by a lower source)` : '';
  return { name, status: 'pass', summary: `${sources} sources merged without conflict${note}`, findings };
}

/** The engine, and the `schema` check; `undefined` when the set does not compile. */
async function compile({ loaded, engine: configured }: PolicyInput, checks: DoctorCheck[]): Promise<Engine | undefined> {
  try {
    const engine = await createEngine({ ...configured, policies: loaded.definitions, sources: loaded.sources, shortCircuit: false });
    checks.push({ name: 'schema', status: 'pass', summary: `${engine.definitions.length} policies compile`, findings: [] });
    return engine;
  } catch (error) {
    checks.push({
      name: 'schema',
      status: 'fail',
      summary: 'the policy set does not compile',
      findings: describeThrown(error).split('\n'),
    });
    return undefined;
  }
}

/** Runs the fixtures and adds the `fixtures` check; the fixtures, or `undefined` when there are none to run. */
async function fixturesOf(
  input: PolicyInput,
  policies: string | undefined,
  engine: Engine,
  checks: DoctorCheck[],
): Promise<PolicyFixture[] | undefined> {
  const name = 'fixtures';
  const { config } = input;
  const roots = config === undefined ? (policies === undefined ? [] : [policies]) : config.config.sources.map((source) => source.path);
  if (!(await anyFixtures(roots))) {
    checks.push({ name, status: 'warn', summary: 'no fixtures/ folder: nothing shows the policies decide as intended', findings: [] });
    return undefined;
  }
  let fixtures: PolicyFixture[];
  try {
    fixtures =
      config === undefined
        ? await loadPolicyFixtures(policies ?? '', engine.definitions)
        : await loadConfigFixtures(config, engine.definitions);
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
    const summary = `${report.failed} of ${report.results.length} fixtures do not match`;
    checks.push({ name, status: 'fail', summary, findings: [...mismatches, ...untested] });
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

/** Whether one of the policy folders has a `fixtures/` folder. */
async function anyFixtures(roots: readonly string[]): Promise<boolean> {
  for (const root of roots) if (await isDirectory(join(root, 'fixtures'))) return true;
  return false;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
