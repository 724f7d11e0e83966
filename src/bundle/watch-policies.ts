// One watcher's lifecycle (poll, settle, reload, swap, close) in one file, longer
// than most: its states and timers are only correct read together.
import { describeThrown } from '../describe-thrown.js';
import { createEngine } from '../engine.js';
import type { Engine, EngineOptions, EvaluateOptions } from '../engine.js';
import { TierguardError, isTierguardError } from '../errors.js';
import { resolveLimits } from '../limits.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { Action, Decision } from '../types.js';
import { digestPolicyTexts, digestReferencedFiles } from './bundle-fingerprint.js';
import type { LoadedPolicies } from './load-policies.js';
import { materialiseBundle } from './materialise-bundle.js';
import type { ParsedPolicies } from './parse-policy-texts.js';
import { parsePolicyTexts } from './parse-policy-texts.js';
import type { PolicySources } from './policy-sources.js';
import { resolveSources } from './policy-sources.js';
import type { PolicyFileText } from './read-policy-bundle.js';
import { readPolicyBundle } from './read-policy-bundle.js';
import { referencedFiles } from './referenced-files.js';
import { requirePolicies } from './require-policies.js';
import { VersionHistory } from './version-history.js';
import type { WatchPoliciesOptions } from './watch-options.js';
import {
  DEFAULT_INTERVAL_MS,
  DEFAULT_KEEP_VERSIONS,
  DEFAULT_MAX_SETTLE_READS,
  DEFAULT_SETTLE_MS,
  checkWatchOptions,
} from './watch-options.js';

export type { WatchPoliciesOptions } from './watch-options.js';

/** A policy set kept up to date from its files. */
export interface PolicyWatcher {
  /** The engine serving now; replaced whole (engines are immutable) when a reload succeeds. */
  readonly engine: Engine;
  /** The versions of the engines kept (see `keepVersions`), newest first: the serving one, then those it replaced. */
  readonly versions: readonly string[];
  /** The engine kept for `version` (the serving one included), or `undefined` when it was never served here or has been evicted. */
  engineAt(version: string): Engine | undefined;
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
type Snapshot = { readonly seen: Seen; readonly parsed: ParsedPolicies } | { readonly seen: Seen; readonly error: unknown };

/** An engine compiled from a snapshot, and what frees what it was built on (a bundle's private files). */
interface Compiled {
  readonly engine: Engine;
  readonly release: (() => Promise<void>) | undefined;
}

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
 *
 * A bundle file (see `loadPolicies`) is watched as one file: its text is the
 * whole fingerprint (it carries its referenced files), each change is verified
 * whole before it is compiled, and its files are written to a private
 * directory per version, removed when that version leaves `versions`. The last
 * `keepVersions` engines served stay reachable through `engineAt(version)`.
 */
export async function watchPolicies(sources: PolicySources, options: WatchPoliciesOptions = {}): Promise<PolicyWatcher> {
  checkWatchOptions(options);
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
  const history = new VersionHistory(options.keepVersions ?? DEFAULT_KEEP_VERSIONS);

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
  const compile = async ({ loaded, bundle }: ParsedPolicies): Promise<Compiled> => {
    if (bundle === undefined) {
      return {
        engine: await createEngine({ ...engineOptions, policies: loaded.definitions, sources: loaded.sources }),
        release: undefined,
      };
    }
    const written = await materialiseBundle(bundle.content, bundle.file);
    try {
      return {
        engine: await createEngine({ ...engineOptions, policies: loaded.definitions, sources: written.sources }),
        release: written.remove,
      };
    } catch (error) {
      await written.remove();
      throw error;
    }
  };

  const snapshotOf = async (files: FilesRead): Promise<Snapshot> => {
    if ('error' in files) {
      const state = `unreadable:${describeThrown(files.error)}`;
      return { seen: { filesDigest: state, references: [], fingerprint: state }, error: files.error };
    }
    const { texts, filesDigest } = files;
    let parsed: ParsedPolicies;
    try {
      parsed = await parsePolicyTexts(texts, resolved, limits.maxDepth);
    } catch (error) {
      return { seen: { filesDigest, references: [], fingerprint: await fingerprintOf(filesDigest, []) }, error };
    }
    // A bundle carries its referenced files: its own text is all there is to watch.
    const references = parsed.bundle === undefined ? referencesOf(parsed.loaded) : [];
    // Hashed before compiling: an edit made while compiling is a different fingerprint next time.
    return { seen: { filesDigest, references, fingerprint: await fingerprintOf(filesDigest, references) }, parsed };
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
  const accept = (snapshot: Snapshot): { parsed: ParsedPolicies } | { error: unknown } => {
    if ('error' in snapshot) return { error: snapshot.error };
    try {
      requirePolicies(snapshot.parsed.loaded, allowEmpty, paths);
      if (prepare === undefined) return { parsed: snapshot.parsed };
      if (snapshot.parsed.bundle !== undefined) {
        throw new TierguardError(
          'INVALID_OPTIONS',
          `${snapshot.parsed.bundle.file} is a bundle file, a whole policy set: prepare does not apply to it`,
          {
            option: 'prepare',
            file: snapshot.parsed.bundle.file,
          },
        );
      }
      return { parsed: { ...snapshot.parsed, loaded: prepare(snapshot.parsed.loaded) } };
    } catch (error) {
      return { error };
    }
  };

  // The first load throws: a watcher that never had a good engine has nothing to serve.
  const first = await settle(await read(), true);
  const firstAccepted = accept(first);
  if ('error' in firstAccepted) throw firstAccepted.error;
  const firstCompiled = await compile(firstAccepted.parsed);
  let current = firstCompiled.engine;
  history.hold(current, firstCompiled.release);
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
    let compiled: Compiled;
    try {
      compiled = await compile(accepted.parsed);
    } catch (error) {
      return fail(next, error, force);
    }
    seen = next;
    const { engine } = compiled;
    // An edit that changes nothing compiled (whitespace, key order) keeps the engine serving.
    if (engine.version === current.version) {
      await compiled.release?.();
      return current;
    }
    current = engine;
    history.hold(engine, compiled.release);
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
    get versions(): readonly string[] {
      return history.versions;
    },
    engineAt(version: string): Engine | undefined {
      return history.engineAt(version);
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
