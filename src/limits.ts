import { TierguardError } from './errors.js';

/** Bounds that keep hostile input from exhausting the stack, memory or CPU. */
export interface Limits {
  /** Deepest nesting of objects and arrays in an action (and in a policy definition). */
  readonly maxDepth: number;
  /** Most values (objects, arrays and scalars together) in one action. */
  readonly maxNodes: number;
  /** Longest string a `regex` or `glob` operator will read; longer is an evaluation error, not a `false`. */
  readonly maxStringLength: number;
  /** Longest regex or glob pattern a policy may contain. */
  readonly maxPatternLength: number;
  /**
   * Largest estimated RE2 program (instructions) a regex or glob may compile to;
   * larger is a policy error. RE2's time per input byte grows with its program.
   */
  readonly maxRegexProgramSize: number;
  /**
   * Most work one regex or glob match may cost: estimated program size times the
   * input's UTF-8 length. More is an evaluation error (fail closed), never a `false`.
   */
  readonly maxRegexWork: number;
  /** Most wildcards (`*`, `**`, `?`, classes, extglobs, brace alternatives) in one glob. */
  readonly maxGlobWildcards: number;
  /** Largest policy or action file the CLI and loaders will read, in bytes. */
  readonly maxFileBytes: number;
}

/**
 * Defaults, frozen so no caller can change them for everyone else. An action
 * legitimately nested 64 deep or holding 100,000 values is far outside what agents
 * send; strings of a MiB are scanned by RE2 in about a millisecond.
 */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxDepth: 64,
  maxNodes: 100_000,
  maxStringLength: 1_048_576,
  maxPatternLength: 8_192,
  // Measured with bench/regex-cost.js: RE2's worst case (its NFA, once its DFA
  // gives up) cost 2.5-9.5 ns per estimated instruction per input byte on a
  // loaded 2-core machine, so 2^26 units is 0.2-0.65 s per match; a pattern of
  // 64 instructions reads a whole MiB. 16,384 instructions admits any pattern of
  // maxPatternLength plain characters and `^[\s\S]{500,}$` (about 7,500).
  maxRegexProgramSize: 16_384,
  maxRegexWork: 67_108_864,
  maxGlobWildcards: 256,
  maxFileBytes: 16 * 1_048_576,
});

/**
 * Merges overrides onto the defaults. Unknown keys and values that are not
 * positive integers are rejected, so a typo never silently keeps a default.
 */
export function resolveLimits(overrides: Partial<Limits> | undefined): Limits {
  return resolveBounds(DEFAULT_LIMITS, overrides, 'limits');
}

/**
 * Overrides for a set of bounds, checked the same way for actions and for engines.
 * `option` names the option in messages (`limits.maxDepth must be ...`).
 */
function resolveBounds<T extends object>(defaults: T, overrides: Partial<T> | undefined, option: string): T {
  if (overrides === undefined) return defaults;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new TierguardError('INVALID_OPTIONS', `${option} must be an object`, { option });
  }
  const names = Object.keys(defaults);
  const resolved: Record<string, unknown> = { ...(defaults as object) };
  for (const [name, value] of Object.entries(overrides)) {
    if (!names.includes(name)) {
      throw new TierguardError('INVALID_OPTIONS', `unknown limit "${name}" (known: ${names.join(', ')})`, {
        option: `${option}.${name}`,
      });
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new TierguardError('INVALID_OPTIONS', `${option}.${name} must be a positive integer`, {
        option: `${option}.${name}`,
        actual: value,
      });
    }
    resolved[name] = value;
  }
  return Object.freeze(resolved) as T;
}

/**
 * Bounds on what an engine adapter waits for and reads back from an engine. Kept
 * apart from {@link Limits}, which bounds actions, because they guard a different
 * thing (a subprocess and its output) and only the engine subpaths use them.
 */
export interface EngineLimits {
  /** How long one engine run may take, in milliseconds, before its whole process tree is killed. */
  readonly timeoutMs: number;
  /** Most bytes read from an engine's stdout; past that the run is killed and is an error. */
  readonly maxStdoutBytes: number;
  /** Most bytes read from an engine's stderr; past that the run is killed and is an error. */
  readonly maxStderrBytes: number;
  /** Most `runs` a SARIF log may hold. */
  readonly maxSarifRuns: number;
  /** Most results across all runs of a SARIF log; more is an error, not a silent cut. */
  readonly maxSarifResults: number;
  /** Longest message, rule id or file name kept from engine output; longer is cut and marked. */
  readonly maxMessageLength: number;
  /** Largest in-memory artifact an adapter writes out for an engine, in bytes. */
  readonly maxArtifactBytes: number;
  /**
   * How long a process an engine started outside its process group (a daemon
   * that called `setsid()`) is given to exit after `SIGTERM`, in milliseconds,
   * before it gets `SIGKILL`. Linux only: elsewhere such processes cannot be found.
   */
  readonly killGraceMs: number;
}

/**
 * Defaults, frozen. Engines on large artifacts take seconds (semgrep and checkov
 * start a Python interpreter), hence 60 s; 16 MiB of SARIF is tens of thousands of
 * results, far more than a single artifact should produce.
 */
export const DEFAULT_ENGINE_LIMITS: EngineLimits = Object.freeze({
  timeoutMs: 60_000,
  maxStdoutBytes: 16 * 1_048_576,
  maxStderrBytes: 1_048_576,
  maxSarifRuns: 64,
  maxSarifResults: 10_000,
  maxMessageLength: 4_096,
  maxArtifactBytes: 16 * 1_048_576,
  killGraceMs: 2_000,
});

/**
 * How long the CLI, stopped by SIGINT, SIGTERM or SIGHUP, waits for its engine
 * runs to be killed and their temporary directories removed before it exits
 * anyway, in milliseconds. Each run needs at most about `killGraceMs` once
 * stopped; this bounds the whole shutdown should something still hang.
 */
export const DEFAULT_SHUTDOWN_WAIT_MS = 10_000;

/**
 * Bounds on fetching a policy bundle over HTTP(S) (`--policies https://…`,
 * `loadPolicies(url)`, `watchPolicies(url)`), besides `limits.maxFileBytes`,
 * which bounds the body. A server that never answers, or drips a byte at a
 * time (slow-loris), fails the fetch instead of holding the watcher forever.
 */
export interface RemoteBundleLimits {
  /** Longest a whole fetch may take, connecting and the body included, in milliseconds. */
  readonly timeoutMs: number;
  /** Longest wait for the next thing the server sends (the connection, the headers, each chunk of the body), in milliseconds. */
  readonly idleTimeoutMs: number;
  /** Most redirects followed; each hop is checked as the first URL is (https, or http to a loopback host). */
  readonly maxRedirects: number;
}

/**
 * Defaults, frozen. A bundle is at most `maxFileBytes` (16 MiB): 30 s is
 * 4.5 Mbit/s for the largest, and a static server or object store sends its
 * first byte in well under 10 s.
 */
export const DEFAULT_REMOTE_BUNDLE_LIMITS: RemoteBundleLimits = Object.freeze({
  timeoutMs: 30_000,
  idleTimeoutMs: 10_000,
  maxRedirects: 5,
});

/**
 * Most entries a bundle archive (`.tar.gz`) may hold. Each referenced folder
 * holds at most 1,000 files (`readReferencedTree`); the archive's size, and
 * what it inflates to, are each bounded by `limits.maxFileBytes`.
 */
export const MAX_BUNDLE_ARCHIVE_ENTRIES = 10_000;

/**
 * The most resource subscriptions the MCP guard keeps for one connection. Each
 * allowed `resources/subscribe` keeps its URI and context until unsubscribed,
 * so a client subscribing without end would grow the server's memory without
 * end; past this, a subscription to a URI not yet subscribed is refused
 * (`LIMIT_EXCEEDED`), before the server's handler runs.
 */
export const MAX_RESOURCE_SUBSCRIPTIONS = 4_096;

/** Merges engine-limit overrides onto {@link DEFAULT_ENGINE_LIMITS}, rejecting unknown keys and non-positive values. */
export function resolveEngineLimits(overrides: Partial<EngineLimits> | undefined): EngineLimits {
  return resolveBounds(DEFAULT_ENGINE_LIMITS, overrides, 'limits');
}

/**
 * Bounds on what an audit sink holds in memory and how long it waits for its
 * destination. An audit sink must neither block decisions nor grow without bound
 * when the destination (a full disk, a FIFO whose reader stopped) stops draining.
 */
export interface AuditSinkLimits {
  /** Most bytes of events accepted but not yet written; an event that would pass it is dropped and counted. */
  readonly maxQueuedBytes: number;
  /** How long `flush()` and `close()` wait for the destination, in milliseconds, before they reject. */
  readonly drainTimeoutMs: number;
}

/**
 * Defaults, frozen. 16 MiB is tens of thousands of typical events, minutes of
 * backlog for a busy service; 5 s is long for a local file or pipe to take one
 * write and short enough not to stall a shutdown.
 */
export const DEFAULT_AUDIT_SINK_LIMITS: AuditSinkLimits = Object.freeze({
  maxQueuedBytes: 16 * 1_048_576,
  drainTimeoutMs: 5_000,
});

/** Merges audit-sink overrides onto {@link DEFAULT_AUDIT_SINK_LIMITS}, rejecting unknown keys and non-positive values. */
export function resolveAuditSinkLimits(overrides: Partial<AuditSinkLimits> | undefined): AuditSinkLimits {
  return resolveBounds(DEFAULT_AUDIT_SINK_LIMITS, overrides, 'limits');
}

/**
 * Bounds of the OpenTelemetry audit sink (`tierguard/otel`). Its queue is
 * counted in events rather than bytes: what it holds are events waiting for the
 * next turn of the event loop, and the SDK's own batch processor, which takes
 * them from there, is bounded in records too.
 */
export interface OtelSinkLimits {
  /** Most events accepted and not yet handed to the OpenTelemetry logger; an event past it is dropped and counted. */
  readonly maxQueuedEvents: number;
  /** How long `flush()` and `close()` wait for the providers' `forceFlush`, in milliseconds, before they reject. */
  readonly drainTimeoutMs: number;
}

/**
 * Defaults, frozen. 2,048 events is the SDK's own `BatchLogRecordProcessor`
 * queue; the queue only fills when a burst of synchronous decisions outruns one
 * turn of the event loop, or when emitting is slow. 5 s as for the file sink.
 */
export const DEFAULT_OTEL_SINK_LIMITS: OtelSinkLimits = Object.freeze({
  maxQueuedEvents: 2_048,
  drainTimeoutMs: 5_000,
});

/** Merges OpenTelemetry-sink overrides onto {@link DEFAULT_OTEL_SINK_LIMITS}, rejecting unknown keys and non-positive values. */
export function resolveOtelSinkLimits(overrides: Partial<OtelSinkLimits> | undefined): OtelSinkLimits {
  return resolveBounds(DEFAULT_OTEL_SINK_LIMITS, overrides, 'limits');
}

/**
 * Most tool names `createOtelAuditSink`'s `metricTools` may list: each one is
 * a value of the `tool` metric attribute, so the list bounds the number of
 * series a gateway exports, whatever tool names the clients send.
 */
export const MAX_METRIC_TOOLS = 1_024;

/**
 * Bounds of an MCP gateway on its downstream server: how long a forwarded
 * request may wait, how often and how fast a server that ends is started
 * again, and how many `tools/list` pages are read to check the policies
 * against its tools. Each is a `createGateway` option but the last two.
 */
export interface GatewayLimits {
  /** How long a forwarded request waits for its answer, in milliseconds; each progress notification restarts the wait. */
  readonly requestTimeoutMs: number;
  /** Restarts over the gateway's life under `restart: 'on-failure'`. */
  readonly maxRestarts: number;
  /** Wait before the first restart, in milliseconds, doubled for each next one. */
  readonly restartBackoffMs: number;
  /** The longest wait between two restarts, in milliseconds. */
  readonly maxRestartBackoffMs: number;
  /** Most `tools/list` pages read from the downstream server at once. */
  readonly maxToolPages: number;
  /** Most open HTTP sessions, each with its own downstream connection (a process, for a command). */
  readonly maxSessions: number;
}

/**
 * Defaults, frozen. 60 s is the MCP SDK's own request timeout; three restarts
 * 0.5, 1 and 2 s apart ride out a crash without hammering a server that cannot start;
 * 32 sessions are 32 downstream processes at most.
 */
export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = Object.freeze({
  requestTimeoutMs: 60_000,
  maxRestarts: 3,
  restartBackoffMs: 500,
  maxRestartBackoffMs: 30_000,
  maxToolPages: 100,
  maxSessions: 32,
});

/**
 * Most values one dimension of a scope query may list (`get_constraints`,
 * `validate`): as many as a policy's scope may list (`schema/policy.json`).
 */
export const MAX_SCOPE_QUERY_VALUES = 1_000;

/** Longest value in a scope query, as in a policy's scope (`schema/policy.json`). */
export const MAX_SCOPE_VALUE_LENGTH = 200;
