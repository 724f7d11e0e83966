import { parseArgs } from 'node:util';
import { createEngine } from '../engine.js';
import { TierguardError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { escapeJsonForTerminal } from '../terminal-text.js';
import type { Action } from '../types.js';
import { formatDecision } from '../format/format-decision.js';
import { POLICY_INPUT_OPTIONS, loadPolicyInput, requirePolicyInput } from './policy-input.js';
import { readJsonInput } from './read-input.js';
import { UsageError } from './usage-error.js';

/** Usage of `tierguard check`. */
export const CHECK_USAGE =
  'tierguard check (--policies <file|dir> | --config <file> [--strict]) --action <file|-> [--mode enforce|monitor] [--json] [--allow-empty]';

/** What a command hands back to `main`: text for stdout and the exit code. */
export interface CommandResult {
  readonly output: string;
  readonly exitCode: number;
  /** Lines for stderr before the output (precedence conflicts, policies left out), each printed as a warning. */
  readonly warnings?: readonly string[];
}

/**
 * `tierguard check`: evaluates one action. Exit 0 allow, 1 deny or escalate,
 * 2 invalid policy or action. An action the engine refuses to evaluate (not an
 * object, beyond the limits) is invalid input, not a decision. With
 * `--mode monitor` nothing blocks: the outcome is printed (`would_deny`) and the
 * exit code is 0. A bundle with no policies (or an empty policy file) is exit 2
 * `EMPTY_BUNDLE` unless `--allow-empty`: no policies would allow everything.
 */
export async function runCheck(args: readonly string[]): Promise<CommandResult> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...POLICY_INPUT_OPTIONS,
      action: { type: 'string' },
      mode: { type: 'string' },
      json: { type: 'boolean', default: false },
      'allow-empty': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  requirePolicyInput(values);
  if (values.action === undefined) throw new UsageError('--action is required');
  if (values.mode !== undefined && values.mode !== 'enforce' && values.mode !== 'monitor')
    throw new UsageError(`--mode must be enforce or monitor, not "${values.mode}"`);

  const { loaded, engine: configured, notes } = await loadPolicyInput(values, values['allow-empty']);
  // --mode wins over the config's mode; neither is enforce.
  const mode = values.mode ?? configured.mode ?? 'enforce';
  const engine = await createEngine({ ...configured, policies: loaded.definitions, sources: loaded.sources, mode });
  const action = await readJsonInput(values.action, DEFAULT_LIMITS.maxFileBytes);
  const decision = await engine.evaluate(action as Action);
  const refusal = decision.errors.find((error) => error.policyId === undefined);
  if (refusal !== undefined) {
    throw new TierguardError(refusal.code, `${values.action === '-' ? 'standard input' : values.action}: ${refusal.message}`);
  }
  const tool = typeof action === 'object' && action !== null ? (action as { tool?: unknown }).tool : undefined;
  return {
    output: values.json ? escapeJsonForTerminal(JSON.stringify(decision, null, 2)) : formatDecision(decision, tool),
    exitCode: decision.verdict === 'allow' ? 0 : 1,
    warnings: notes,
  };
}
