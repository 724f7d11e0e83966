import { TierguardError } from '../errors.js';
import type { LoadedPolicies } from './load-policies.js';

/**
 * Refuses a bundle that holds no policy at all, or a policy file that holds
 * none (empty, only whitespace or comments, an empty list), unless `allowEmpty`.
 * An engine with no policies allows every action, and an empty file is what a
 * write caught midway, an emptied ConfigMap or a truncating editor leaves: the
 * safe reading is "not ready", never "allow everything". A file deleted whole
 * is a legitimate change and is not refused here, unless it was the last one.
 * Throws an `EMPTY_BUNDLE` TierguardError naming the file or the sources.
 */
export function requirePolicies(loaded: LoadedPolicies, allowEmpty: boolean, sources: readonly string[]): void {
  if (allowEmpty) return;
  const counts = new Map<string, number>(loaded.files.map((file) => [file, 0]));
  for (const source of loaded.sources) counts.set(source, (counts.get(source) ?? 0) + 1);
  for (const [file, count] of counts) {
    if (count === 0) {
      throw new TierguardError(
        'EMPTY_BUNDLE',
        `${file} holds no policies (empty, or caught midway through a write); write its policies or delete it, or pass allowEmpty to accept it`,
        { file, option: 'allowEmpty' },
      );
    }
  }
  if (loaded.definitions.length === 0) {
    throw new TierguardError(
      'EMPTY_BUNDLE',
      `${sources.join(', ')} holds no policy files: a policy set with no policies allows every action; pass allowEmpty to accept that`,
      { files: loaded.files, sources, option: 'allowEmpty' },
    );
  }
}
