import type { LoadedPolicies } from '../bundle/load-policies.js';
import { TierguardError, isTierguardError } from '../errors.js';

/**
 * Runs `compile` and, if it rejects policies, names the file each invalid policy
 * came from: the engine knows positions, the loader knows files. A bundle's
 * policy is named by the bundle and its source inside it, not by the private
 * copy the engine read.
 */
export async function withPolicySources<T>(loaded: LoadedPolicies, compile: () => Promise<T>): Promise<T> {
  try {
    return await compile();
  } catch (error) {
    if (!isTierguardError(error, 'INVALID_POLICY')) throw error;
    const details = error.details.errors ?? [error.details];
    const files = [
      ...new Set(
        details
          .map((detail) => (typeof detail.policyIndex === 'number' ? policySourceName(loaded, detail.policyIndex) : undefined))
          .filter((file): file is string => file !== undefined),
      ),
    ];
    const where = files.length === 0 ? '' : `${files.join(', ')}: `;
    throw new TierguardError('INVALID_POLICY', `${where}${error.message}`, { ...error.details, files }, { cause: error });
  }
}

/** The file the policy at `index` came from, as a user can find it: a bundle's policy by the bundle and its source inside it. */
export function policySourceName(loaded: LoadedPolicies, index: number): string | undefined {
  if (loaded.bundle === undefined) return loaded.sources[index];
  const inside = loaded.bundle.sources[index];
  return inside === undefined ? undefined : `${loaded.bundle.file} (${inside})`;
}
