import { TierguardError } from '../errors.js';
import { validateDefinition } from '../policy/check-definition-schema.js';
import type { PolicyDefinition } from '../types.js';

/**
 * Throws an `IO_ERROR` naming the first draft the policy schema refuses, and
 * why: a catalog entry the conversion did not foresee (an over-long name, an
 * id out of pattern) must stop the import, not give a file that will not load.
 */
export function checkDrafts(drafts: readonly PolicyDefinition[], source: string): void {
  for (const draft of drafts) {
    const issue = validateDefinition(draft)[0];
    if (issue !== undefined) {
      throw new TierguardError('IO_ERROR', `${source}: the draft of ${draft.id} would be invalid: ${issue.pointer}: ${issue.message}`, {
        file: source,
      });
    }
  }
}
