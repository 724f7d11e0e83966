import { escapeJsonForTerminal } from '../terminal-text.js';
import type { Action } from '../types.js';
import { formatExplanation } from '../format/format-explanation.js';
import type { CommandResult } from './check-command.js';
import { ACTION_COMMAND_OPTIONS, readActionInput, throwIfRefused, toolOf } from './action-input.js';

/** Usage of `tierguard explain`. */
export const EXPLAIN_USAGE = `tierguard explain ${ACTION_COMMAND_OPTIONS}`;

/**
 * `tierguard explain`: why the policies decide what they decide about one
 * action, policy by policy and check by check (`engine.explain`), then the
 * decision as `tierguard check` prints it; `--json` prints the explanation as
 * JSON. It reads what `check` reads and exits as `check` does: 0 allow (always
 * with `--mode monitor`), 1 deny or escalate, 2 invalid policy, action or usage.
 */
export async function runExplain(args: readonly string[]): Promise<CommandResult> {
  const { engine, action, source, json, notes } = await readActionInput(args);
  const explanation = await engine.explain(action as Action);
  throwIfRefused(explanation.decision, source);
  return {
    output: json ? escapeJsonForTerminal(JSON.stringify(explanation, null, 2)) : formatExplanation(explanation, toolOf(action)),
    exitCode: explanation.decision.verdict === 'allow' ? 0 : 1,
    warnings: notes,
  };
}
