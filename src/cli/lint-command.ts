import { parseArgs } from 'node:util';
import { readJsonFile } from '../bundle/read-json.js';
import { definitionSource } from '../policy/definition-sources.js';
import { createEngine } from '../engine.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { lintPolicies, type LintOptions } from '../lint/lint-policies.js';
import { formatLintReport, lintReport } from '../lint/lint-report.js';
import { escapeJsonForTerminal } from '../terminal-text.js';
import type { CommandResult } from './check-command.js';
import { errorReport } from './error-report.js';
import { POLICY_INPUT_OPTIONS, loadPolicyInput, requirePolicyInput } from './policy-input.js';
import { readSampleActions } from './read-sample-actions.js';
import { UsageError } from './usage-error.js';

/** Usage of `tierguard lint`. */
export const LINT_USAGE =
  'tierguard lint (--policies <file|dir> | --config <file> [--strict]) [--actions <file|dir> | --schema <file>] [--json]';

/**
 * `tierguard lint`: finds what makes policies do less than they say (see
 * `lintPolicies` and the README's "Linting policies"), against sample actions
 * (`--actions`) or the tools' schemas (`--schema`, as `tools/list` returns them)
 * when given. Prints one line per finding and a count, or the report as JSON
 * with `--json`. Exit 0 with no error finding (warnings are printed), 1 with
 * one, 2 on a usage error or input that cannot be read (an invalid policy, a
 * malformed sample or schema file); under `--json` that failure is the JSON
 * `{ "error": ... }` document, as `tierguard test --json` answers.
 */
export async function runLint(args: readonly string[]): Promise<CommandResult> {
  try {
    return await lint(args);
  } catch (error) {
    const answer = args.includes('--json') ? errorReport('json', error) : undefined;
    if (answer === undefined) throw error;
    return { output: answer, exitCode: 2 };
  }
}

async function lint(args: readonly string[]): Promise<CommandResult> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...POLICY_INPUT_OPTIONS,
      actions: { type: 'string' },
      schema: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  requirePolicyInput(values);
  if (values.actions !== undefined && values.schema !== undefined) {
    throw new UsageError('give --actions or --schema, not both: each is a picture of what the policies judge');
  }
  const { loaded, engine: configured, notes } = await loadPolicyInput(values);
  // The engine compiles everything lint does not (shapes, Turtle files, engine bindings), so what lint passes runs.
  const engine = await createEngine({ ...configured, policies: loaded.definitions, sources: loaded.sources });
  const samples = values.actions === undefined ? undefined : await readSampleActions(values.actions, DEFAULT_LIMITS.maxFileBytes);
  const tools = values.schema === undefined ? undefined : await readJsonFile(values.schema, DEFAULT_LIMITS.maxFileBytes);
  const sources = loaded.definitions.map((definition, index) => definitionSource(definition) ?? loaded.sources[index] ?? '');
  const findings = lintPolicies(loaded.definitions, {
    sources,
    ...(configured.limits === undefined ? {} : { limits: configured.limits }),
    ...(samples === undefined ? {} : { actions: samples.actions, actionFiles: samples.files }),
    // Whatever the file holds: lintPolicies checks it is a tool list, naming the file.
    ...(values.schema === undefined ? {} : { tools: tools as NonNullable<LintOptions['tools']>, toolsFile: values.schema }),
  });
  const report = lintReport(findings, engine.version, loaded.definitions.length);
  return {
    output: values.json ? escapeJsonForTerminal(JSON.stringify(report, null, 2)) : formatLintReport(report),
    exitCode: report.errors > 0 ? 1 : 0,
    warnings: notes,
  };
}
