import type { Engine } from '../engine.js';
import { TierguardError } from '../errors.js';

/**
 * Engines a server still holds, by version, so a call can pin the policy set it
 * saw (`version` on the constraint tools). A `PolicyWatcher` is one: it keeps
 * the last `keepVersions` engines it served.
 */
export interface HeldVersions {
  /** The versions held, newest first. */
  readonly versions: readonly string[];
  /** The engine held for `version`, or `undefined`. */
  engineAt(version: string): Engine | undefined;
}

/** True for a value with `versions` and `engineAt`, as {@link HeldVersions} needs. */
export function isHeldVersions(value: unknown): value is HeldVersions {
  return (
    typeof value === 'object' && value !== null && typeof (value as Partial<HeldVersions>).engineAt === 'function' && 'versions' in value
  );
}

/**
 * The engine of a pinned `version`: from `held` when given, else the current
 * engine if it is that version. A version not held is the caller's mistake (a
 * typo, or a set evicted since), so it is an `INVALID_OPTIONS` error listing
 * what is held, never an "unavailable" answer.
 */
export async function pinnedEngine(version: string, held: HeldVersions | undefined, current: () => Promise<Engine>): Promise<Engine> {
  if (held === undefined) {
    const engine = await current();
    if (engine.version === version) return engine;
    throw unknownVersion(version, [engine.version]);
  }
  const engine = held.engineAt(version);
  if (engine === undefined) throw unknownVersion(version, [...held.versions]);
  return engine;
}

/** True for the error {@link pinnedEngine} throws for a version not held (anything else it throws means "unavailable"). */
export function isUnknownVersion(error: unknown): boolean {
  return error instanceof UnknownVersionError;
}

/** A version the server does not hold: the caller's mistake. */
class UnknownVersionError extends TierguardError<'INVALID_OPTIONS'> {}

function unknownVersion(version: string, versions: readonly string[]): UnknownVersionError {
  const list = versions.length === 0 ? 'none' : versions.join(', ');
  return new UnknownVersionError(
    'INVALID_OPTIONS',
    `version ${JSON.stringify(version)} is not held by this server; it holds ${list} (newest first). Omit version to use the current policies.`,
    { option: 'version', actual: version },
  );
}
