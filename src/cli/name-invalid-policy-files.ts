import type { LoadedPolicies } from '../bundle/load-policies.js';
import { TierguardError, isTierguardError } from '../errors.js';

/**
 * Runs `compile` and, if it rejects policies, names the file each invalid policy
 * came from: the engine knows positions, the loader knows files.
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
          .map((detail) => (typeof detail.policyIndex === 'number' ? loaded.sources[detail.policyIndex] : undefined))
          .filter((file): file is string => file !== undefined),
      ),
    ];
    const where = files.length === 0 ? '' : `${files.join(', ')}: `;
    throw new TierguardError('INVALID_POLICY', `${where}${error.message}`, { ...error.details, files }, { cause: error });
  }
}
