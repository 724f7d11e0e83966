import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { describeFsError } from '../bundle/read-json.js';
import { createEngine } from '../engine.js';
import { TierguardError } from '../errors.js';
import { formatFixtureReport } from '../policy-tests/format-fixture-report.js';
import { loadPolicyFixtures } from '../policy-tests/load-policy-fixtures.js';
import { runFixtures } from '../policy-tests/run-fixtures.js';
import type { CommandResult } from './check-command.js';
import { withPolicySources } from './name-invalid-policy-files.js';
import { loadConfigFixtures } from './config-fixtures.js';
import { POLICY_INPUT_OPTIONS, loadPolicyInput, requirePolicyInput } from './policy-input.js';
import { UsageError } from './usage-error.js';

/** Usage of `tierguard test`. */
export const TEST_USAGE = 'tierguard test --policies <dir>';

/**
 * `tierguard test`: runs the fixtures under `<dir>/fixtures/` (see
 * `loadPolicyFixtures` and `runFixtures` for what matches: actions through the
 * action tiers, artifacts through the bound engines, or both) and prints each
 * mismatch and a summary. Exit 0 when every fixture matches, 1 on any mismatch
 * (an engine that is not installed included: its fixtures fail with the install
 * hint), 2 on an invalid policy or fixture tree. With `--config`, the fixtures
 * of every directory source run against the merged set (see `loadConfigFixtures`).
 */
export async function runTest(args: readonly string[]): Promise<CommandResult> {
  const { values } = parseArgs({ args: [...args], options: POLICY_INPUT_OPTIONS, strict: true, allowPositionals: false });
  requirePolicyInput(values);
  if (values.policies !== undefined) await requireDirectory(values.policies);

  const { loaded, engine: configured, notes, config } = await loadPolicyInput(values);
  // Every policy runs on every fixture, so an allow fixture of a formal policy
  // is not passed by an auto-tier deny that would have skipped it.
  const engine = await withPolicySources(loaded, () =>
    createEngine({ ...configured, policies: loaded.definitions, sources: loaded.sources, shortCircuit: false }),
  );
  const fixtures =
    config === undefined
      ? await loadPolicyFixtures(values.policies ?? '', engine.definitions)
      : await loadConfigFixtures(config, engine.definitions);
  const report = await runFixtures(engine, fixtures);
  return { output: formatFixtureReport(report), exitCode: report.failed === 0 ? 0 : 1, warnings: notes };
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
