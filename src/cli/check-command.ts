import { escapeJsonForTerminal } from '../terminal-text.js';
import type { Action } from '../types.js';
import { formatDecision } from '../format/format-decision.js';
import { ACTION_COMMAND_OPTIONS, readActionInput, throwIfRefused, toolOf } from './action-input.js';

/** Usage of `tierguard check`. */
export const CHECK_USAGE = `tierguard check ${ACTION_COMMAND_OPTIONS}`;

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
  const { engine, action, source, json, notes } = await readActionInput(args);
  const decision = await engine.evaluate(action as Action);
  throwIfRefused(decision, source);
  return {
    output: json ? escapeJsonForTerminal(JSON.stringify(decision, null, 2)) : formatDecision(decision, toolOf(action)),
    exitCode: decision.verdict === 'allow' ? 0 : 1,
    warnings: notes,
  };
}
