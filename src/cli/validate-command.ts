import { parseArgs } from 'node:util';
import { createEngine } from '../engine.js';
import type { Artifact, ArtifactFormat } from '../engines/types.js';
import { TierguardError } from '../errors.js';
import { DEFAULT_ENGINE_LIMITS } from '../limits.js';
import { escapeJsonForTerminal, escapeTerminalLines, escapeTerminalText } from '../terminal-text.js';
import type { ValidationDecision } from '../types.js';
import type { CommandResult } from './check-command.js';
import { formatValidation } from '../format/format-validation.js';
import { constraintResults } from '../mcp/constraint-results.js';
import type { ConstraintResult } from '../mcp/constraint-results.js';
import { POLICY_INPUT_OPTIONS, loadPolicyInput, requirePolicyInput } from './policy-input.js';
import { UsageError } from './usage-error.js';
import { remediationOf } from '../guidance/remediation.js';

/** Usage of `tierguard validate`. */
export const VALIDATE_USAGE =
  'tierguard validate (--policies <file|dir> | --config <file> [--strict]) --artifact <file|-> [--format <fmt>] [--name <name>] [--policy <id>]... [--mode enforce|monitor] [--json]';

/**
 * `tierguard validate`: validates one artifact with the enforcement engines the
 * policies bind (those whose `artifacts` select it, or those of each `--policy`;
 * when none selects it, it passes and a line says so). The artifact is a
 * file, or standard input with `-`, which then needs `--format` or `--name` so
 * the engines know how to read it. Exit 0 pass (or only findings that do not
 * block: warnings, monitored policies), 1 fail, 2 an engine error or invalid
 * input; `--json` prints the ValidationDecision.
 */
export async function runValidate(args: readonly string[]): Promise<CommandResult> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...POLICY_INPUT_OPTIONS,
      artifact: { type: 'string' },
      format: { type: 'string' },
      name: { type: 'string' },
      policy: { type: 'string', multiple: true },
      mode: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  requirePolicyInput(values);
  if (values.artifact === undefined) throw new UsageError('--artifact is required');
  if (values.mode !== undefined && values.mode !== 'enforce' && values.mode !== 'monitor')
    throw new UsageError(`--mode must be enforce or monitor, not "${values.mode}"`);
  const format = values.format as ArtifactFormat | undefined;
  let artifact: Artifact;
  if (values.artifact === '-') {
    if (format === undefined && values.name === undefined) {
      throw new UsageError('an artifact on standard input needs --format or --name, so the engines know how to read it');
    }
    const content = await readStdinText(DEFAULT_ENGINE_LIMITS.maxArtifactBytes);
    artifact = { content, ...(format === undefined ? {} : { format }), ...(values.name === undefined ? {} : { name: values.name }) };
  } else {
    if (values.name !== undefined) throw new UsageError('--name names standard input; a file keeps its own name');
    artifact = { path: values.artifact, ...(format === undefined ? {} : { format }) };
  }

  const { loaded, engine: configured, notes } = await loadPolicyInput(values);
  const mode = values.mode ?? configured.mode ?? 'enforce';
  const engine = await createEngine({ ...configured, policies: loaded.definitions, sources: loaded.sources, mode });
  const decision = await engine.validate(artifact, values.policy === undefined ? {} : { policies: values.policy });
  // Advisory policies are never evaluated; the ones whose artifacts select this one are reported beside the verdict.
  const advisories = constraintResults(engine, decision, { artifact: decision.action.tool }).filter(
    (result) => result.status === 'informational',
  );
  return {
    output: values.json
      ? escapeJsonForTerminal(JSON.stringify(advisories.length === 0 ? decision : { ...decision, advisories }, null, 2))
      : withAdvisories(readable(decision), advisories),
    exitCode: exitCodeOf(decision),
    warnings: notes,
  };
}

/** The advisory lines go before the summary line, so the last line of the output is always the verdict. */
function withAdvisories(text: string, advisories: readonly ConstraintResult[]): string {
  if (advisories.length === 0) return text;
  const lines = text.split('\n');
  const summary = lines.pop() ?? '';
  return [...lines, ...advisories.map(advisoryLines), summary].join('\n');
}

/** An advisory policy that selects the artifact: `i  <id>  advisory: <title>`, then what its guidance says, indented. */
function advisoryLines(result: ConstraintResult): string {
  const title = result.title === undefined ? '' : `: ${result.title}`;
  const guidance = remediationOf(result.guidance);
  const lines = [
    `  i ${result.policyId}  advisory${title}`,
    ...(guidance === undefined ? [] : guidance.split('\n').map((line) => `      ${line}`)),
  ];
  // Each line of the guidance is indented, so none can pass for a verdict line.
  return escapeTerminalLines(lines.join('\n'));
}

/**
 * The decision for a terminal. A pass with no engine run would read as an empty
 * check, so it says why: no policy's `artifacts` select the artifact. (Named
 * `--policy` always run, and an unusable artifact is an error, so nothing else
 * passes without an engine.)
 */
function readable(decision: ValidationDecision): string {
  const text = formatValidation(decision);
  if (decision.engines.length > 0 || decision.errors.length > 0) return text;
  const lines = text.split('\n');
  lines.splice(
    1,
    0,
    `  no policy selects ${escapeTerminalText(decision.action.tool)}: no engine ran (each policy's artifacts patterns leave it out)`,
  );
  return lines.join('\n');
}

/** 2 when an engine could not answer (or the artifact was unusable); 1 when a finding blocks; else 0. */
function exitCodeOf(decision: ValidationDecision): number {
  if (decision.result === 'error') return 2;
  return decision.result === 'fail' && decision.verdict !== 'allow' ? 1 : 0;
}

/** Standard input as text, refused past `maxBytes`: an artifact is handed to engines whole. */
async function readStdinText(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      throw new TierguardError('IO_ERROR', `standard input exceeds the artifact limit of ${maxBytes} bytes`, {
        file: '-',
        limit: 'maxArtifactBytes',
      });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
