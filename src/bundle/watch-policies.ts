// One watcher's lifecycle (poll, settle, reload, swap, close) in one file, longer
// than most: its states and timers are only correct read together.
import { describeThrown } from '../describe-thrown.js';
import { createEngine } from '../engine.js';
import type { Engine, EngineOptions, EvaluateOptions } from '../engine.js';
import { TierguardError, isTierguardError } from '../errors.js';
import { resolveLimits } from '../limits.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { Action, Decision } from '../types.js';
import { digestReferencedFiles } from './bundle-fingerprint.js';
import { requireSignedPolicies, resolveVerification } from './bundle-verification.js';
import type { LoadedPolicies } from './load-policies.js';
import { materialiseBundle } from './materialise-bundle.js';
import type { ParsedPolicies } from './parse-policy-texts.js';
import { locatePolicies } from './policy-location.js';
import type { PolicyRead } from './policy-reads.js';
import { parsePolicyRead, readPolicyLocation } from './policy-reads.js';
import type { PolicySources } from './policy-sources.js';
import { referencedFiles } from './referenced-files.js';
import { resolveRemoteOptions } from './remote-options.js';
import { requirePolicies } from './require-policies.js';
import { VersionHistory } from './version-history.js';
import type { WatchPoliciesOptions } from './watch-options.js';
import {
  DEFAULT_INTERVAL_MS,
  DEFAULT_KEEP_VERSIONS,
  DEFAULT_MAX_SETTLE_READS,
  DEFAULT_REMOTE_JITTER,
  DEFAULT_SETTLE_MS,
  MIN_INTERVAL_MS,
  checkWatchOptions,
} from './watch-options.js';

export type { WatchPoliciesOptions } from './watch-options.js';

/** A policy set kept up to date from its files. */
export interface PolicyWatcher {
  /** The engine serving now; replaced whole (engines are immutable) when a reload succeeds. */
  readonly engine: Engine;
  /** Where the policies come from, for an operator: the paths, or the bundle URL without its query. */
  readonly source: string;
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

/** The policies as read once (texts or bytes) and their digest; or, for a URL, that the server has nothing new; or why they could not be read. */
type FilesRead =
  | { readonly read: Exclude<PolicyRead, { kind: 'not-modified' }>; readonly filesDigest: string }
  | { readonly notModified: true }
  | { readonly error: unknown };

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
 *
 * A bundle URL is polled with `If-None-Match` (the ETag of the bundle serving
 * now): a 304 costs nothing, a new body is verified whole (its signature too,
 * with `publicKey`) before it is compiled, and a download that fails (a 404, a
 * 5xx, a timeout, a truncated or oversized body) or does not verify leaves the
 * last good engine serving and is reported. Downloads are not settle-read: one
 * is verified whole, so a torn one never loads. Each wait between polls is
 * drawn from `intervalMs × (1 − jitter)` to `intervalMs`, so many instances
 * started together do not poll in step; `reload()` and SIGHUP fetch without
 * `If-None-Match`.
 */
export async function watchPolicies(sources: PolicySources, options: WatchPoliciesOptions = {}): Promise<PolicyWatcher> {
  checkWatchOptions(options);
  const location = locatePolicies(sources);
  const verification = resolveVerification(options);
  const remote = resolveRemoteOptions(options.remote);
  const limits = resolveLimits({ ...options.limits, ...options.engine?.limits });
  const engineOptions: Omit<EngineOptions, 'policies' | 'sources'> = {
    ...options.engine,
    ...(options.limits === undefined && options.engine?.limits === undefined ? {} : { limits }),
  };
  const { onError, onReload, prepare } = options;
  const allowEmpty = options.allowEmpty ?? false;
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const maxSettleReads = options.maxSettleReads ?? DEFAULT_MAX_SETTLE_READS;
  const paths = location.kind === 'files' ? location.sources.map((source) => source.path) : [location.label];
  const history = new VersionHistory(options.keepVersions ?? DEFAULT_KEEP_VERSIONS);
  // Aborts a download in flight when the watcher is closed.
  const stop = new AbortController();
  let closed = false;
  // The digest and ETag of the bytes the serving engine was built from: a 304 to that ETag means nothing changed.
  let served: { readonly digest: string; readonly etag?: string } = { digest: '' };

  /** Reads the policies once; the digest and the parse both use these same bytes. `etag` only for a URL poll. */
  const read = async (keepAlive: boolean, etag?: string): Promise<FilesRead> => {
    try {
      const got = await readPolicyLocation(location, { maxFileBytes: limits.maxFileBytes, remote, etag, keepAlive, signal: stop.signal });
      return got.kind === 'not-modified' ? { notModified: true } : { read: got, filesDigest: got.digest };
    } catch (error) {
      return { error };
    }
  };
  /** Remembers the bytes a served engine came from, with their ETag, so the next poll asks the server only for something newer. */
  const acceptRead = (files: FilesRead): void => {
    if (!('read' in files)) return;
    const etag = files.read.kind === 'bytes' ? files.read.etag : undefined;
    served = etag === undefined ? { digest: files.filesDigest } : { digest: files.filesDigest, etag };
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
    if (!('read' in files)) {
      const error =
        'error' in files ? files.error : new TierguardError('IO_ERROR', `${location.label}: answered 304 to a read that named no ETag`, {});
      const state = `unreadable:${describeThrown(error)}`;
      return { seen: { filesDigest: state, references: [], fingerprint: state }, error };
    }
    const { filesDigest } = files;
    let parsed: ParsedPolicies;
    try {
      parsed = await parsePolicyRead(files.read, location, { maxDepth: limits.maxDepth, maxFileBytes: limits.maxFileBytes, verification });
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
  // A download is verified whole (a torn one fails its hash), so it is never read twice to settle.
  const settle = async (files: FilesRead, keepAlive: boolean): Promise<Snapshot> => {
    let last = await snapshotOf(files);
    if (location.kind === 'remote') return last;
    for (let reads = 1; reads < maxSettleReads; reads++) {
      await delay(settleMs, keepAlive);
      const next = await snapshotOf(await read(keepAlive));
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
      requireSignedPolicies(snapshot.parsed, verification, location.label);
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
  const firstRead = await read(true);
  const first = await settle(firstRead, true);
  const firstAccepted = accept(first);
  if ('error' in firstAccepted) throw firstAccepted.error;
  const firstCompiled = await compile(firstAccepted.parsed);
  acceptRead(firstRead);
  let current = firstCompiled.engine;
  history.hold(current, firstCompiled.release);
  let seen: Seen = first.seen;

  const report = (error: unknown): void => {
    // A download stopped by close() is no news to whoever closed the watcher.
    if (closed) return;
    const problem = isTierguardError(error)
      ? error
      : new TierguardError(
          'IO_ERROR',
          `reloading policies from ${paths.join(', ')} failed: ${describeThrown(error)}`,
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
    // A forced reload (reload(), SIGHUP) fetches the bundle again whatever its ETag says.
    const files = await read(force, force ? undefined : served.etag);
    if ('notModified' in files) return current;
    if (!force) {
      // The same unreadable state, polled again, is not a change.
      if ('error' in files) {
        if (`unreadable:${describeThrown(files.error)}` === seen.fingerprint) return current;
      } else if (files.filesDigest === seen.filesDigest && (await fingerprintOf(files.filesDigest, seen.references)) === seen.fingerprint) {
        // Unchanged policy files reference what they referenced last time, so only those need reading.
        if (files.filesDigest === served.digest) acceptRead(files);
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
    acceptRead(files);
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

  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const jitter = options.jitter ?? (location.kind === 'remote' ? DEFAULT_REMOTE_JITTER : 0);
  let timer: NodeJS.Timeout | undefined;
  // Armed when the last one fires, as setInterval would, each wait drawn afresh; a poll still running is joined, never doubled.
  const arm = (): void => {
    timer = setTimeout(
      () => {
        if (closed) return;
        void schedule(false);
        arm();
      },
      Math.max(MIN_INTERVAL_MS, Math.round(intervalMs * (1 - jitter * Math.random()))),
    );
    timer.unref();
  };
  arm();
  const onSighup = (): void => void schedule(true);
  if (options.sighup === true) process.on('SIGHUP', onSighup);

  return Object.freeze({
    get engine(): Engine {
      return current;
    },
    source: location.label,
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
      clearTimeout(timer);
      stop.abort();
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
