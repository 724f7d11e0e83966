import { parseArgs } from 'node:util';
import type { Engine } from '../engine.js';
import { createEngine } from '../engine.js';
import { TierguardError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { Decision } from '../types.js';
import { POLICY_INPUT_OPTIONS, loadPolicyInput, requirePolicyInput } from './policy-input.js';
import { readJsonInput } from './read-input.js';
import { UsageError } from './usage-error.js';

/** The options of a command that judges one action (`check`, `explain`), as its usage line writes them. */
export const ACTION_COMMAND_OPTIONS =
  '(--policies <file|dir> | --config <file> [--strict]) --action <file|-> [--mode enforce|monitor] [--json] [--allow-empty]';

/** What such a command reads from its command line: an engine over the policies, and the action. */
export interface ActionInput {
  readonly engine: Engine;
  /** The action as parsed, not yet checked: the engine decides what it makes of it. */
  readonly action: unknown;
  /** Where the action came from, for messages: the file, or `standard input`. */
  readonly source: string;
  /** `--json`. */
  readonly json: boolean;
  /** Lines for stderr: precedence conflicts and policies left out. */
  readonly notes: readonly string[];
}

/**
 * Reads `check`'s and `explain`'s command line: the policies (`--policies`, or
 * `--config` with `--strict`), `--mode` (which wins over the config's; neither
 * is enforce), `--allow-empty`, and the action (`-` reads standard input).
 */
export async function readActionInput(args: readonly string[]): Promise<ActionInput> {
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
  return { engine, action, source: values.action === '-' ? 'standard input' : values.action, json: values.json, notes };
}

/**
 * An action the engine refused to evaluate at all (not an object, beyond the
 * limits) is invalid input, exit 2, not a decision.
 *
 * @throws {TierguardError} the refusal's code, naming where the action came from.
 */
export function throwIfRefused(decision: Decision, source: string): void {
  const refusal = decision.errors.find((error) => error.policyId === undefined);
  if (refusal !== undefined) throw new TierguardError(refusal.code, `${source}: ${refusal.message}`);
}

/** The action's `tool` as it was sent, for the head line; whatever it is, the formatter shows it escaped. */
export function toolOf(action: unknown): unknown {
  return typeof action === 'object' && action !== null ? (action as { tool?: unknown }).tool : undefined;
}
