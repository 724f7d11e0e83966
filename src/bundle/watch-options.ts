import type { Engine, EngineOptions } from '../engine.js';
import { TierguardError } from '../errors.js';
import { rejectUnknownOptions, requireOptionsObject } from '../check-options.js';
import type { Limits } from '../limits.js';
import type { BundleVerificationOptions } from './bundle-verification.js';
import type { LoadedPolicies } from './load-policies.js';
import type { RemoteBundleOptions } from './remote-options.js';

/** Options of {@link watchPolicies}. Unknown keys are rejected. */
export interface WatchPoliciesOptions extends BundleVerificationOptions {
  /** How often the files are checked for changes (a bundle URL fetched), in milliseconds: at least 10, default 1000. */
  readonly intervalMs?: number;
  /**
   * Spreads polls of many instances apart: each wait is drawn from
   * `intervalMs × (1 − jitter)` to `intervalMs`, so no wait is longer than
   * `intervalMs`. From 0 to 1; default 0.1 for a bundle URL, 0 for files.
   */
  readonly jitter?: number;
  /** How a bundle URL is fetched: `timeoutMs`, `idleTimeoutMs`, `maxRedirects` (see `DEFAULT_REMOTE_BUNDLE_LIMITS`) and `headers`. */
  readonly remote?: RemoteBundleOptions;
  /**
   * Receives each failed reload (the last good engine keeps serving), once per
   * distinct content of the files when polling, and on every `reload()` or SIGHUP.
   * Absent, failures are emitted as process warnings, never dropped silently.
   */
  readonly onError?: (error: TierguardError) => void;
  /** Receives each engine swapped in after the first (not when a reload changes nothing). */
  readonly onReload?: (engine: Engine) => void;
  /** Options for every `createEngine` call; the policies and their sources come from the files. */
  readonly engine?: Omit<EngineOptions, 'policies' | 'sources'>;
  /** Reload on SIGHUP, as daemons do (default `false`: the listener replaces Node's default of exiting). */
  readonly sighup?: boolean;
  /** Bounds for reading the files and for the engine; `engine.limits`, when given too, wins key by key. */
  readonly limits?: Partial<Limits>;
  /**
   * Accept a bundle with no policies, or a policy file with none (default `false`:
   * the first load rejects with `EMPTY_BUNDLE`, and a reload to such a bundle is
   * reported while the last good engine keeps serving). See `loadPolicies`.
   */
  readonly allowEmpty?: boolean;
  /**
   * Once a change is seen, the files are read again this many milliseconds later,
   * and again, until two consecutive reads agree, so a file caught mid-write never
   * becomes the policy set: from 0 to 2^31-1, default 100.
   */
  readonly settleMs?: number;
  /** Most reads spent waiting for two consecutive reads to agree; then the change is reported and not loaded: from 2 to 100, default 5. */
  readonly maxSettleReads?: number;
  /**
   * How many engines served (the current one included) are kept for
   * `engineAt(version)`, so a caller can pin a version it saw: from 1 to 64, default 8.
   */
  readonly keepVersions?: number;
  /**
   * Turns the policies as read into the policies served, on the first load and
   * every reload, before they are compiled (a config file's precedence merge
   * uses it). What it throws fails that load: the first rejects, a reload is
   * reported and the last good engine keeps serving. A bundle file carries its
   * own set and is refused with `prepare`.
   */
  readonly prepare?: (loaded: LoadedPolicies) => LoadedPolicies;
}

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'intervalMs',
  'onError',
  'onReload',
  'engine',
  'sighup',
  'limits',
  'allowEmpty',
  'settleMs',
  'maxSettleReads',
  'keepVersions',
  'prepare',
  'jitter',
  'remote',
  'publicKey',
  'requireSignature',
]);
/** Defaults of the options, for the watcher. */
export const DEFAULT_INTERVAL_MS = 1000;
// Editors, `kubectl cp` and the kubelet's ConfigMap swap finish their writes in milliseconds.
export const DEFAULT_SETTLE_MS = 100;
export const DEFAULT_MAX_SETTLE_READS = 5;
const MIN_SETTLE_READS = 2;
const MAX_SETTLE_READS = 100;
export const DEFAULT_KEEP_VERSIONS = 8;
// A tenth of the interval: instances restarted together drift apart within a few polls.
export const DEFAULT_REMOTE_JITTER = 0.1;
const MAX_KEEP_VERSIONS = 64;
export const MIN_INTERVAL_MS = 10;
// setInterval treats a longer delay as 1 ms (with a warning), which would turn a typo into a busy loop.
const MAX_INTERVAL_MS = 2 ** 31 - 1;

/** Checks the options of `watchPolicies`: unknown keys and out-of-range values are `INVALID_OPTIONS`. */
export function checkWatchOptions(options: WatchPoliciesOptions): void {
  requireOptionsObject(options, 'watchPolicies');
  rejectUnknownOptions(options, OPTION_KEYS);
  const { intervalMs, onError, onReload, engine, sighup, allowEmpty, settleMs, maxSettleReads, keepVersions } = options;
  if (intervalMs !== undefined && (typeof intervalMs !== 'number' || !(intervalMs >= MIN_INTERVAL_MS && intervalMs <= MAX_INTERVAL_MS))) {
    throw new TierguardError(
      'INVALID_OPTIONS',
      `intervalMs must be a number of milliseconds from ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS}`,
      {
        option: 'intervalMs',
        actual: intervalMs,
      },
    );
  }
  for (const [name, callback] of [
    ['onError', onError],
    ['onReload', onReload],
    ['prepare', options.prepare],
  ] as const) {
    if (callback !== undefined && typeof callback !== 'function') {
      throw new TierguardError('INVALID_OPTIONS', `${name} must be a function`, { option: name });
    }
  }
  for (const [name, flag] of [
    ['sighup', sighup],
    ['allowEmpty', allowEmpty],
  ] as const) {
    if (flag !== undefined && typeof flag !== 'boolean') {
      throw new TierguardError('INVALID_OPTIONS', `${name} must be a boolean`, { option: name, actual: flag });
    }
  }
  if (settleMs !== undefined && !(Number.isSafeInteger(settleMs) && settleMs >= 0 && settleMs <= MAX_INTERVAL_MS)) {
    throw new TierguardError('INVALID_OPTIONS', `settleMs must be a whole number of milliseconds from 0 to ${MAX_INTERVAL_MS}`, {
      option: 'settleMs',
      actual: settleMs,
    });
  }
  if (
    maxSettleReads !== undefined &&
    !(Number.isSafeInteger(maxSettleReads) && maxSettleReads >= MIN_SETTLE_READS && maxSettleReads <= MAX_SETTLE_READS)
  ) {
    throw new TierguardError('INVALID_OPTIONS', `maxSettleReads must be a whole number from ${MIN_SETTLE_READS} to ${MAX_SETTLE_READS}`, {
      option: 'maxSettleReads',
      actual: maxSettleReads,
    });
  }
  const { jitter } = options;
  if (jitter !== undefined && !(typeof jitter === 'number' && jitter >= 0 && jitter <= 1)) {
    throw new TierguardError('INVALID_OPTIONS', 'jitter must be a number from 0 to 1', { option: 'jitter', actual: jitter });
  }
  if (keepVersions !== undefined && !(Number.isSafeInteger(keepVersions) && keepVersions >= 1 && keepVersions <= MAX_KEEP_VERSIONS)) {
    throw new TierguardError('INVALID_OPTIONS', `keepVersions must be a whole number from 1 to ${MAX_KEEP_VERSIONS}`, {
      option: 'keepVersions',
      actual: keepVersions,
    });
  }
  if (engine !== undefined) {
    if (typeof engine !== 'object' || engine === null || Array.isArray(engine)) {
      throw new TierguardError('INVALID_OPTIONS', 'engine must be an object of createEngine options', { option: 'engine' });
    }
    for (const key of ['policies', 'sources']) {
      if (Object.hasOwn(engine, key)) {
        throw new TierguardError(
          'INVALID_OPTIONS',
          `engine.${key} is not an option here: the policies and their sources come from the watched files`,
          {
            option: `engine.${key}`,
          },
        );
      }
    }
  }
}
