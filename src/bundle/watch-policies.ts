import { describeThrown } from '../describe-thrown.js';
import { createEngine } from '../engine.js';
import type { Engine, EngineOptions, EvaluateOptions } from '../engine.js';
import { TierguardError, isTierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import { resolveLimits } from '../limits.js';
import type { Action, Decision } from '../types.js';
import { digestPolicyTexts, digestReferencedFiles } from './bundle-fingerprint.js';
import type { LoadedPolicies } from './load-policies.js';
import { parsePolicyBundle } from './parse-policy-bundle.js';
import type { PolicySources } from './policy-sources.js';
import { resolveSources } from './policy-sources.js';
import type { PolicyFileText } from './read-policy-bundle.js';
import { readPolicyBundle } from './read-policy-bundle.js';
import { referencedFiles } from './referenced-files.js';

/** Options of {@link watchPolicies}. Unknown keys are rejected. */
export interface WatchPoliciesOptions {
  /** How often the files are checked for changes, in milliseconds: at least 10, default 1000. */
  readonly intervalMs?: number;
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
}

/** A policy set kept up to date from its files. */
export interface PolicyWatcher {
  /** The engine serving now; replaced whole (engines are immutable) when a reload succeeds. */
  readonly engine: Engine;
  /** Evaluates with the engine serving when the call starts, which finishes the evaluation even if a reload swaps engines meanwhile. */
  evaluate(action: Action, options?: EvaluateOptions): Promise<Decision>;
  /**
   * Loads and compiles the files now, after any reload in progress. A failure is
   * reported to `onError` and the last good engine keeps serving; the promise
   * resolves to the engine serving afterwards and never rejects.
   */
  reload(): Promise<Engine>;
  /** Stops polling and removes the SIGHUP listener; a reload already running completes. Idempotent. */
  close(): void;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['intervalMs', 'onError', 'onReload', 'engine', 'sighup', 'limits']);
const DEFAULT_INTERVAL_MS = 1000;
const MIN_INTERVAL_MS = 10;
// setInterval treats a longer delay as 1 ms (with a warning), which would turn a typo into a busy loop.
const MAX_INTERVAL_MS = 2 ** 31 - 1;

/** What the last load attempt saw, so a poll can tell "nothing changed" without compiling. */
interface Seen {
  /** Digest of the policy files as read (or of why they could not be read). */
  readonly filesDigest: string;
  /** The files those policies reference; empty when they did not parse. */
  readonly references: readonly string[];
  /** Digest of all of it; a poll compiles only when this changes. */
  readonly fingerprint: string;
}

/**
 * Loads policies as `loadPolicies` does, compiles them with `createEngine`, and
 * keeps the engine current: every `intervalMs` the files and the files their
 * policies reference (see `referencedFiles`) are read and hashed, and only a
 * changed hash is compiled. A bundle that fails is reported once and the last
 * good engine keeps serving. Reloads never overlap: one requested during another
 * runs once after it. Timers are unref'd, so a watcher never keeps the process
 * alive. Rejects with the `TierguardError` when the first load fails.
 */
export async function watchPolicies(sources: PolicySources, options: WatchPoliciesOptions = {}): Promise<PolicyWatcher> {
  checkOptions(options);
  const resolved = resolveSources(sources);
  const limits = resolveLimits({ ...options.limits, ...options.engine?.limits });
  const engineOptions: Omit<EngineOptions, 'policies' | 'sources'> = {
    ...options.engine,
    ...(options.limits === undefined && options.engine?.limits === undefined ? {} : { limits }),
  };
  const { onError, onReload } = options;

  /** Reads the files once; the digest and the parse both use these same bytes. */
  const read = async (): Promise<{ texts: PolicyFileText[]; filesDigest: string }> => {
    const texts = await readPolicyBundle(resolved, limits.maxFileBytes);
    return { texts, filesDigest: digestPolicyTexts(texts) };
  };
  const fingerprintOf = async (filesDigest: string, references: readonly string[]): Promise<string> =>
    `${filesDigest}:${await digestReferencedFiles(references, limits.maxFileBytes)}`;
  const compile = (loaded: LoadedPolicies): Promise<Engine> =>
    createEngine({ ...engineOptions, policies: loaded.definitions, sources: loaded.sources });

  // The first load throws: a watcher that never had a good engine has nothing to serve.
  const first = await read();
  const firstLoaded = await parsePolicyBundle(first.texts, limits.maxDepth);
  const firstReferences = referencesOf(firstLoaded);
  const firstFingerprint = await fingerprintOf(first.filesDigest, firstReferences);
  let current = await compile(firstLoaded);
  let seen: Seen = { filesDigest: first.filesDigest, references: firstReferences, fingerprint: firstFingerprint };

  const report = (error: unknown): void => {
    const problem = isTierguardError(error)
      ? error
      : new TierguardError('IO_ERROR', `reloading policies from ${resolved.map((source) => source.path).join(', ')} failed: ${describeThrown(error)}`, {}, { cause: error });
    if (onError === undefined) process.emitWarning(`policies not reloaded, the last good policy set keeps serving: ${problem.message}`, 'TierguardWarning');
    else notify(onError, problem);
  };

  // A failed attempt is reported when asked for (`force`) or when it is new: the
  // same broken content, polled again, stays quiet.
  const fail = (next: Seen, error: unknown, force: boolean): Engine => {
    const isNew = next.fingerprint !== seen.fingerprint;
    seen = next;
    if (force || isNew) report(error);
    return current;
  };

  const attempt = async (force: boolean): Promise<Engine> => {
    let files: Awaited<ReturnType<typeof read>>;
    try {
      files = await read();
    } catch (error) {
      const state = `unreadable:${describeThrown(error)}`;
      return fail({ filesDigest: state, references: [], fingerprint: state }, error, force);
    }
    const { texts, filesDigest } = files;
    // Unchanged policy files reference what they referenced last time, so only those need reading.
    if (!force && filesDigest === seen.filesDigest && (await fingerprintOf(filesDigest, seen.references)) === seen.fingerprint) return current;
    let loaded: LoadedPolicies;
    try {
      loaded = await parsePolicyBundle(texts, limits.maxDepth);
    } catch (error) {
      return fail({ filesDigest, references: [], fingerprint: await fingerprintOf(filesDigest, []) }, error, force);
    }
    const references = referencesOf(loaded);
    // Hashed before compiling: an edit made while compiling is a different fingerprint next time.
    const next: Seen = { filesDigest, references, fingerprint: await fingerprintOf(filesDigest, references) };
    let engine: Engine;
    try {
      engine = await compile(loaded);
    } catch (error) {
      return fail(next, error, force);
    }
    seen = next;
    // An edit that changes nothing compiled (whitespace, key order) keeps the engine serving.
    if (engine.version === current.version) return current;
    current = engine;
    if (onReload !== undefined) notify(onReload, engine);
    return engine;
  };

  // Serialised: `queued` is the one request not yet started; every request made
  // before it starts joins it (a forced request makes it forced), and it starts
  // only once the attempt before it has settled.
  let tail: Promise<unknown> = Promise.resolve();
  let queued: { readonly request: { force: boolean }; readonly promise: Promise<Engine> } | undefined;
  const schedule = (force: boolean): Promise<Engine> => {
    if (queued !== undefined) {
      queued.request.force ||= force;
      return queued.promise;
    }
    const request = { force };
    const promise = tail.then(async () => {
      queued = undefined;
      try {
        return await attempt(request.force);
      } catch (error) {
        // attempt handles every failure it expects; this keeps a bug from becoming an unhandled rejection in a timer.
        report(error);
        return current;
      }
    });
    tail = promise;
    queued = { request, promise };
    return promise;
  };

  const timer = setInterval(() => void schedule(false), options.intervalMs ?? DEFAULT_INTERVAL_MS);
  timer.unref();
  const onSighup = (): void => void schedule(true);
  if (options.sighup === true) process.on('SIGHUP', onSighup);
  let closed = false;

  return Object.freeze({
    get engine(): Engine {
      return current;
    },
    evaluate(action: Action, evaluateOptions?: EvaluateOptions): Promise<Decision> {
      // Read once: the evaluation runs to its end on this engine whatever is swapped in meanwhile.
      const serving = current;
      return serving.evaluate(action, evaluateOptions);
    },
    reload(): Promise<Engine> {
      return schedule(true);
    },
    close(): void {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      if (options.sighup === true) process.off('SIGHUP', onSighup);
    },
  });
}

/** Every file the policies reference, deduplicated and sorted so the fingerprint does not depend on policy order. */
function referencesOf(loaded: LoadedPolicies): string[] {
  const paths = loaded.definitions.flatMap((definition, index) => referencedFiles(definition, loaded.sources[index]).map((file) => file.path));
  return [...new Set(paths)].sort();
}

/** Calls a user callback; what it throws becomes a process warning, not a crash of the poll that called it. */
function notify<T>(callback: (value: T) => void, value: T): void {
  try {
    callback(value);
  } catch (error) {
    process.emitWarning(`a watchPolicies callback threw: ${describeThrown(error)}`, 'TierguardWarning');
  }
}

function checkOptions(options: WatchPoliciesOptions): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TierguardError('INVALID_OPTIONS', 'watchPolicies options must be an object', { option: 'options' });
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new TierguardError('INVALID_OPTIONS', `unknown option "${key}" (known: ${[...OPTION_KEYS].join(', ')})`, { option: key });
    }
  }
  const { intervalMs, onError, onReload, engine, sighup } = options;
  if (intervalMs !== undefined && (typeof intervalMs !== 'number' || !(intervalMs >= MIN_INTERVAL_MS && intervalMs <= MAX_INTERVAL_MS))) {
    throw new TierguardError('INVALID_OPTIONS', `intervalMs must be a number of milliseconds from ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS}`, {
      option: 'intervalMs',
      actual: intervalMs,
    });
  }
  for (const [name, callback] of [['onError', onError], ['onReload', onReload]] as const) {
    if (callback !== undefined && typeof callback !== 'function') {
      throw new TierguardError('INVALID_OPTIONS', `${name} must be a function`, { option: name });
    }
  }
  if (sighup !== undefined && typeof sighup !== 'boolean') {
    throw new TierguardError('INVALID_OPTIONS', 'sighup must be a boolean', { option: 'sighup', actual: sighup });
  }
  if (engine !== undefined) {
    if (typeof engine !== 'object' || engine === null || Array.isArray(engine)) {
      throw new TierguardError('INVALID_OPTIONS', 'engine must be an object of createEngine options', { option: 'engine' });
    }
    for (const key of ['policies', 'sources']) {
      if (Object.hasOwn(engine, key)) {
        throw new TierguardError('INVALID_OPTIONS', `engine.${key} is not an option here: the policies and their sources come from the watched files`, {
          option: `engine.${key}`,
        });
      }
    }
  }
}
