import { stat, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { describeFsError } from '../bundle/read-json.js';
import { createEngine } from '../engine.js';
import { TierguardError } from '../errors.js';
import { formatFixtureReport } from '../policy-tests/format-fixture-report.js';
import { fixtureReportToJson } from '../policy-tests/fixture-report-json.js';
import { formatFixtureJunit } from '../policy-tests/fixture-report-junit.js';
import { formatFixtureTap } from '../policy-tests/fixture-report-tap.js';
import { loadPolicyFixtures } from '../policy-tests/load-policy-fixtures.js';
import { runFixtures } from '../policy-tests/run-fixtures.js';
import { escapeJsonForTerminal } from '../terminal-text.js';
import type { CommandResult } from './check-command.js';
import type { ReportFormat } from './error-report.js';
import { errorReport } from './error-report.js';
import { loadConfigFixtures } from './config-fixtures.js';
import { POLICY_INPUT_OPTIONS, loadPolicyInput, requirePolicyInput } from './policy-input.js';
import type { PolicyInputArgs } from './policy-input.js';
import { UsageError } from './usage-error.js';

/** Usage of `tierguard test`. */
export const TEST_USAGE = 'tierguard test (--policies <dir> | --config <file> [--strict]) [--json | --junit | --tap] [--out <file>]';

// In this order a command line naming several formats (a usage error) is answered in JSON first.
const FORMATS: readonly ReportFormat[] = ['json', 'junit', 'tap'];

/** What `tierguard test` was asked to do. */
interface TestOptions {
  /** `--policies`, or `--config` and `--strict`. */
  readonly input: PolicyInputArgs;
  readonly format: ReportFormat | undefined;
  readonly out: string | undefined;
}

/**
 * `tierguard test`: runs the fixtures under `<dir>/fixtures/` (see
 * `loadPolicyFixtures` and `runFixtures` for what matches: actions through the
 * action tiers, artifacts through the bound engines, or both) and prints each
 * mismatch and a summary. Exit 0 when every fixture matches, 1 on any mismatch
 * (an engine that is not installed included: its fixtures fail with the install
 * hint), 2 on an invalid policy or fixture tree. With `--config`, the fixtures
 * of every directory source run against the merged set (see `loadConfigFixtures`).
 *
 * `--json`, `--junit` and `--tap` print the report in that format instead (one
 * at most); with `--out <file>` it is written to the file and the text report
 * still goes to stdout, for the person reading the CI log. Under a format, a
 * failure (exit 2) is answered in that format too, where the report would have
 * gone: the JSON `{ "error": ... }` document, a JUnit `<error>`, a TAP
 * `Bail out!`, so a CI job never reads an empty or a stale report. A command
 * line that cannot be read (an unknown option, two formats, `--out` without
 * one) writes no file: its answer goes to stdout.
 */
export async function runTest(args: readonly string[]): Promise<CommandResult> {
  const asked = FORMATS.find((format) => args.includes(`--${format}`));
  let out: string | undefined;
  try {
    const options = parseTestArgs(args);
    out = options.out;
    return await test(options);
  } catch (error) {
    const answer = asked === undefined ? undefined : errorReport(asked, error);
    if (answer === undefined) throw error;
    if (out === undefined) return { output: answer, exitCode: 2 };
    await writeReport(out, answer);
    // The file has the answer; the person reading the log still gets the message on stderr.
    throw error;
  }
}

function parseTestArgs(args: readonly string[]): TestOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...POLICY_INPUT_OPTIONS,
      json: { type: 'boolean', default: false },
      junit: { type: 'boolean', default: false },
      tap: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const formats = FORMATS.filter((format) => values[format]);
  if (formats.length > 1)
    throw new UsageError(`${formats.map((format) => `--${format}`).join(' and ')} cannot be combined: choose one report format`);
  const format = formats[0];
  if (values.out !== undefined && format === undefined)
    throw new UsageError('--out writes a report: give --json, --junit or --tap with it');
  if (values.out === '') throw new UsageError('--out needs a file name');
  requirePolicyInput(values);
  return { input: { policies: values.policies, config: values.config, strict: values.strict }, format, out: values.out };
}

async function test(options: TestOptions): Promise<CommandResult> {
  const started = performance.now();
  const { policies } = options.input;
  if (policies !== undefined) await requireDirectory(policies);
  const { loaded, engine: configured, notes, config } = await loadPolicyInput(options.input);
  // Every policy runs on every fixture, so an allow fixture of a formal policy
  // is not passed by an auto-tier deny that would have skipped it.
  const engine = await createEngine({ ...configured, policies: loaded.definitions, sources: loaded.sources, shortCircuit: false });
  const fixtures =
    config === undefined
      ? await loadPolicyFixtures(policies ?? '', engine.definitions)
      : await loadConfigFixtures(config, engine.definitions);
  const report = await runFixtures(engine, fixtures);
  const exitCode = report.failed === 0 ? 0 : 1;
  const text = formatFixtureReport(report);
  if (options.format === undefined) return { output: text, exitCode, warnings: notes };

  const info = { policyVersion: engine.version, durationMs: performance.now() - started };
  const document =
    options.format === 'json'
      ? escapeJsonForTerminal(JSON.stringify(fixtureReportToJson(report, info), null, 2))
      : options.format === 'junit'
        ? formatFixtureJunit(report, info)
        : formatFixtureTap(report);
  if (options.out === undefined) return { output: document, exitCode, warnings: notes };
  await writeReport(options.out, document);
  return { output: text, exitCode, warnings: notes };
}

async function writeReport(file: string, document: string): Promise<void> {
  try {
    await writeFile(file, `${document}\n`);
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${file}: cannot write the report: ${describeFsError(error)}`, { file }, { cause: error });
  }
}

// Fixtures live beside the policies in a directory; a single policy file has none.
async function requireDirectory(path: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new TierguardError('IO_ERROR', `${path}: cannot read: ${describeFsError(error)}`, { file: path }, { cause: error });
  }
  if (!isDirectory) throw new UsageError(`--policies must be a directory holding fixtures/ (got the file ${path})`);
}
