// One watcher's lifecycle (poll, settle, reload, swap, close) in one file, longer
// than most: its states and timers are only correct read together.
import { describeThrown } from '../describe-thrown.js';
import { createEngine } from '../engine.js';
import type { Engine, EngineOptions, EvaluateOptions } from '../engine.js';
import { TierguardError, isTierguardError } from '../errors.js';
import { rejectUnknownOptions, requireOptionsObject } from '../check-options.js';
import type { Limits } from '../limits.js';
import { resolveLimits } from '../limits.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { Action, Decision } from '../types.js';
import { digestPolicyTexts, digestReferencedFiles } from './bundle-fingerprint.js';
import type { LoadedPolicies } from './load-policies.js';
import { parsePolicyBundle } from './parse-policy-bundle.js';
import type { PolicySources } from './policy-sources.js';
import { resolveSources } from './policy-sources.js';
import type { PolicyFileText } from './read-policy-bundle.js';
import { readPolicyBundle } from './read-policy-bundle.js';
import { referencedFiles } from './referenced-files.js';
import { requirePolicies } from './require-policies.js';

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
   * Turns the policies as read into the policies served, on the first load and
   * every reload, before they are compiled (a config file's precedence merge
   * uses it). What it throws fails that load: the first rejects, a reload is
   * reported and the last good engine keeps serving.
   */
  readonly prepare?: (loaded: LoadedPolicies) => LoadedPolicies;
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
  'prepare',
]);
const DEFAULT_INTERVAL_MS = 1000;
// Editors, `kubectl cp` and the kubelet's ConfigMap swap finish their writes in milliseconds.
const DEFAULT_SETTLE_MS = 100;
const DEFAULT_MAX_SETTLE_READS = 5;
const MIN_SETTLE_READS = 2;
const MAX_SETTLE_READS = 100;
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

/** The files as read once: their texts and digest, or why they could not be read. */
type FilesRead = { readonly texts: PolicyFileText[]; readonly filesDigest: string } | { readonly error: unknown };

/** One read of the bundle taken as far as parsing: what was seen, and the policies or why there are none. */
type Snapshot = { readonly seen: Seen; readonly loaded: LoadedPolicies } | { readonly seen: Seen; readonly error: unknown };

/**
 * Loads policies as `loadPolicies` does, compiles them with `createEngine`, and
 * keeps the engine current: every `intervalMs` the files and the files their
 * policies reference (see `referencedFiles`) are read and hashed, and only a
 * changed hash is compiled, once two reads `settleMs` apart agree (so a file
 * caught mid-write is never loaded). A bundle that fails, that holds no
 * policies or an empty policy file (unless `allowEmpty`), or that never settles
 * is reported once and the last good engine keeps serving. Reloads never
 * overlap: one requested during another runs once after it. Timers are unref'd, so a watcher never keeps the process
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
  const { onError, onReload, prepare } = options;
  const allowEmpty = options.allowEmpty ?? false;
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const maxSettleReads = options.maxSettleReads ?? DEFAULT_MAX_SETTLE_READS;
  const paths = resolved.map((source) => source.path);

  /** Reads the files once; the digest and the parse both use these same bytes. */
  const read = async (): Promise<FilesRead> => {
    try {
      const texts = await readPolicyBundle(resolved, limits.maxFileBytes);
      return { texts, filesDigest: digestPolicyTexts(texts) };
    } catch (error) {
      return { error };
    }
  };
  const fingerprintOf = async (filesDigest: string, references: readonly string[]): Promise<string> =>
    `${filesDigest}:${await digestReferencedFiles(references, limits.maxFileBytes)}`;
  const compile = (loaded: LoadedPolicies): Promise<Engine> =>
    createEngine({ ...engineOptions, policies: loaded.definitions, sources: loaded.sources });

  const snapshotOf = async (files: FilesRead): Promise<Snapshot> => {
    if ('error' in files) {
      const state = `unreadable:${describeThrown(files.error)}`;
      return { seen: { filesDigest: state, references: [], fingerprint: state }, error: files.error };
    }
    const { texts, filesDigest } = files;
    let loaded: LoadedPolicies;
    try {
      loaded = await parsePolicyBundle(texts, limits.maxDepth);
    } catch (error) {
      return { seen: { filesDigest, references: [], fingerprint: await fingerprintOf(filesDigest, []) }, error };
    }
    const references = referencesOf(loaded);
    // Hashed before compiling: an edit made while compiling is a different fingerprint next time.
    return { seen: { filesDigest, references, fingerprint: await fingerprintOf(filesDigest, references) }, loaded };
  };

  // A write in progress (a file truncated and not yet refilled, a ConfigMap's
  // links half swapped) reads differently a moment later; content that reads the
  // same twice in a row, policies and referenced files alike, is what was meant.
  const settle = async (files: FilesRead, keepAlive: boolean): Promise<Snapshot> => {
    let last = await snapshotOf(files);
    for (let reads = 1; reads < maxSettleReads; reads++) {
      await delay(settleMs, keepAlive);
      const next = await snapshotOf(await read());
      if (next.seen.fingerprint === last.seen.fingerprint) return next;
      last = next;
    }
    const error = new TierguardError(
      'IO_ERROR',
      `${paths.join(', ')}: the policy files kept changing: ${maxSettleReads} reads ${settleMs} ms apart never agreed twice in a row`,
      { option: 'maxSettleReads', files: paths },
    );
    // Marked so that no later read matches it: the content the files come to rest on is then loaded by the next poll.
    const unsettled = `unsettled:${last.seen.fingerprint}`;
    return { seen: { filesDigest: unsettled, references: [], fingerprint: unsettled }, error };
  };

  /** The policies of a settled snapshot that may be served, or why not. */
  const accept = (snapshot: Snapshot): { loaded: LoadedPolicies } | { error: unknown } => {
    if ('error' in snapshot) return { error: snapshot.error };
    try {
      requirePolicies(snapshot.loaded, allowEmpty, paths);
      return { loaded: prepare === undefined ? snapshot.loaded : prepare(snapshot.loaded) };
    } catch (error) {
      return { error };
    }
  };

  // The first load throws: a watcher that never had a good engine has nothing to serve.
  const first = await settle(await read(), true);
  const firstAccepted = accept(first);
  if ('error' in firstAccepted) throw firstAccepted.error;
  let current = await compile(firstAccepted.loaded);
  let seen: Seen = first.seen;

  const report = (error: unknown): void => {
    const problem = isTierguardError(error)
      ? error
      : new TierguardError(
          'IO_ERROR',
          `reloading policies from ${resolved.map((source) => source.path).join(', ')} failed: ${describeThrown(error)}`,
          {},
          { cause: error },
        );
    // The message names files and echoes their content: escaped, so a file name cannot write to the operator's terminal.
    if (onError === undefined)
      process.emitWarning(
        escapeTerminalText(`policies not reloaded, the last good policy set keeps serving: ${problem.message}`),
        'TierguardWarning',
      );
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
    const files = await read();
    if (!force) {
      // The same unreadable state, polled again, is not a change.
      if ('error' in files) {
        if (`unreadable:${describeThrown(files.error)}` === seen.fingerprint) return current;
      } else if (files.filesDigest === seen.filesDigest && (await fingerprintOf(files.filesDigest, seen.references)) === seen.fingerprint) {
        // Unchanged policy files reference what they referenced last time, so only those need reading.
        return current;
      }
    }
    // A poll's wait never keeps the process alive; a load someone awaits (`reload()`, SIGHUP) does.
    const snapshot = await settle(files, force);
    const next = snapshot.seen;
    const accepted = accept(snapshot);
    if ('error' in accepted) return fail(next, accepted.error, force);
    let engine: Engine;
    try {
      engine = await compile(accepted.loaded);
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
  const paths = loaded.definitions.flatMap((definition, index) =>
    referencedFiles(definition, loaded.sources[index]).map((file) => file.path),
  );
  return [...new Set(paths)].sort();
}

/** Resolves after `ms` milliseconds; unless `keepAlive`, the timer does not hold the process open. */
function delay(ms: number, keepAlive: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!keepAlive) timer.unref();
  });
}

/** Calls a user callback; what it throws becomes a process warning, not a crash of the poll that called it. */
function notify<T>(callback: (value: T) => void, value: T): void {
  try {
    callback(value);
  } catch (error) {
    process.emitWarning(escapeTerminalText(`a watchPolicies callback threw: ${describeThrown(error)}`), 'TierguardWarning');
  }
}

function checkOptions(options: WatchPoliciesOptions): void {
  requireOptionsObject(options, 'watchPolicies');
  rejectUnknownOptions(options, OPTION_KEYS);
  const { intervalMs, onError, onReload, engine, sighup, allowEmpty, settleMs, maxSettleReads } = options;
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
