import { TierguardError } from '../errors.js';
import type { RemoteBundleLimits } from '../limits.js';
import { DEFAULT_REMOTE_BUNDLE_LIMITS } from '../limits.js';

/** How a bundle URL is fetched: the bounds of `DEFAULT_REMOTE_BUNDLE_LIMITS`, each overridable, and request headers. */
export interface RemoteBundleOptions extends Partial<RemoteBundleLimits> {
  /** Headers for every request (an `Authorization` for an object store), sent to the bundle URL's origin only, never logged. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Remote options checked and merged onto the defaults. */
export interface ResolvedRemote {
  readonly limits: RemoteBundleLimits;
  readonly headers?: Readonly<Record<string, string>>;
}

const LIMIT_KEYS = Object.keys(DEFAULT_REMOTE_BUNDLE_LIMITS) as (keyof RemoteBundleLimits)[];
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks `remote` (named `option` in messages): known keys, whole-number bounds, string headers; `INVALID_OPTIONS` otherwise. */
export function resolveRemoteOptions(remote: RemoteBundleOptions | undefined, option = 'remote'): ResolvedRemote {
  if (remote === undefined) return { limits: DEFAULT_REMOTE_BUNDLE_LIMITS };
  if (typeof remote !== 'object' || remote === null || Array.isArray(remote)) {
    throw new TierguardError('INVALID_OPTIONS', `${option} must be an object`, { option });
  }
  const limits: Record<string, number> = { ...DEFAULT_REMOTE_BUNDLE_LIMITS };
  for (const [key, value] of Object.entries(remote)) {
    if (key === 'headers') continue;
    if (!(LIMIT_KEYS as string[]).includes(key)) {
      throw new TierguardError('INVALID_OPTIONS', `unknown option "${option}.${key}" (known: ${[...LIMIT_KEYS, 'headers'].join(', ')})`, {
        option: `${option}.${key}`,
      });
    }
    const least = key === 'maxRedirects' ? 0 : 1;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least || value > MAX_TIMER_MS) {
      throw new TierguardError('INVALID_OPTIONS', `${option}.${key} must be a whole number from ${least} to ${MAX_TIMER_MS}`, {
        option: `${option}.${key}`,
        actual: value,
      });
    }
    limits[key] = value;
  }
  const { headers } = remote;
  if (
    headers !== undefined &&
    (typeof headers !== 'object' || headers === null || !Object.values(headers).every((value) => typeof value === 'string'))
  ) {
    throw new TierguardError('INVALID_OPTIONS', `${option}.headers must map header names to strings`, { option: `${option}.headers` });
  }
  return { limits: Object.freeze(limits) as unknown as RemoteBundleLimits, ...(headers === undefined ? {} : { headers: { ...headers } }) };
}
