import { checkAction } from '../check-action.js';
import { describeThrown } from '../describe-thrown.js';
import { isTierguardError, TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';

/** A sample action, copied once as plain JSON: its tool, and the whole action to look fields up in. */
export interface SampleAction {
  readonly tool: string;
  readonly action: Readonly<Record<string, unknown>>;
}

/**
 * The sample actions lint compares policies with. Each must be one the engine
 * would evaluate (`checkAction`: an object with a string `tool`, within
 * `limits.maxDepth` and `limits.maxNodes`), else its error (`INVALID_ACTION`,
 * `LIMIT_EXCEEDED`) names it by its file, when `files` gives one, or by its
 * position. Each is then copied as JSON once: a getter runs once, and what
 * JSON cannot hold is refused or dropped as `JSON.stringify` does.
 */
export function sampleActions(actions: readonly unknown[], files: readonly string[] | undefined, limits: Limits): SampleAction[] {
  if (!Array.isArray(actions)) {
    throw new TierguardError('INVALID_OPTIONS', 'actions must be an array of sample actions', { option: 'actions' });
  }
  const names: readonly unknown[] | undefined = files;
  if (names !== undefined && (!Array.isArray(names) || names.length !== actions.length)) {
    throw new TierguardError('INVALID_OPTIONS', 'actionFiles must name one file per sample action', { option: 'actionFiles' });
  }
  return actions.map((action: unknown, index) => {
    const file: unknown = names?.[index];
    const name = typeof file === 'string' ? file : `actions[${index}]`;
    try {
      const tool = checkAction(action, limits);
      return { tool, action: JSON.parse(JSON.stringify(action)) as Record<string, unknown> };
    } catch (error) {
      if (isTierguardError(error)) throw new TierguardError(error.code, `${name}: ${error.message}`, error.details, { cause: error });
      throw new TierguardError(
        'INVALID_ACTION',
        `${name}: the sample action cannot be read as JSON: ${describeThrown(error)}`,
        {},
        { cause: error },
      );
    }
  });
}
