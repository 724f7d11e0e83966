import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { rejectUnknownOptions, requireOptionsObject } from '../../check-options.js';
import { TierguardError } from '../../errors.js';
import { DEFAULT_GATEWAY_LIMITS } from '../../limits.js';
import type { AuditEvent, Mode, PolicyDefinition } from '../../types.js';
import type { EngineSource } from '../engine-source.js';
import type { GuardServerOptions } from '../guard-options.js';
import { GUARD_OPTION_KEYS } from '../guard-options.js';
import type { DownstreamTarget } from './connect-downstream.js';
import type { DecisionObservation } from './decision-observer.js';
import type { RestartPolicy } from './downstream.js';
import type { GatewayWatchOptions } from './gateway-policies.js';

/** Options of `createGateway`: where the policies and the downstream server are, and every `guardServer` option. Unknown keys are rejected. */
export interface GatewayOptions extends GuardServerOptions {
  /** The engine (or a provider, e.g. `() => watcher.engine`); or give `policies` and the gateway compiles them. */
  readonly engine?: EngineSource;
  /**
   * Policy definitions to compile into the gateway's engine, instead of
   * `engine`; or a path or bundle URL (`https://…/bundle.tar.gz`), which the
   * gateway loads and keeps current with `watchPolicies` (see `watch`), and
   * stops watching when it closes.
   */
  readonly policies?: readonly PolicyDefinition[] | string;
  /** With `policies` as a path or URL: the `watchPolicies` options (`intervalMs`, `jitter`, `publicKey`, `onError`, ...), all but `engine`. */
  readonly watch?: GatewayWatchOptions;
  /** Where the policies of your own `engine` come from (a path, a bundle URL), for `status()` and `/healthz`; set for you when `policies` is a path or URL. */
  readonly policySource?: string;
  /** With `policies`: the engine's mode (`monitor`: nothing is refused, `would_deny` is audited). */
  readonly mode?: Mode;
  /** With `policies`: the audit sink, one event per decision (e.g. `createJsonLinesSink(file).write`). */
  readonly onDecision?: (event: AuditEvent) => void;
  /** With `policies`: called with `{ method, phase, verdict, outcome, evalMs }` for every decision. With your own `engine`, pass `decisionObserver(metrics)` as its `onDecision` instead. */
  readonly metrics?: (observation: DecisionObservation) => void;
  /** The server to front: `{ command, args?, env?, cwd? }` spawned over stdio, or `{ url }` over Streamable HTTP. */
  readonly downstream: DownstreamTarget;
  /** How long a forwarded request waits for its answer, in milliseconds (each progress notification restarts the wait); default 60,000. */
  readonly requestTimeoutMs?: number;
  /** When the downstream server ends unasked: `never` (default) leaves it down, `on-failure` starts it again. */
  readonly restart?: RestartPolicy;
  /** Restarts allowed over the gateway's life under `on-failure`; default 3. */
  readonly maxRestarts?: number;
  /** Wait before the first restart, doubled for each next one up to 30 s; default 500 ms. */
  readonly restartBackoffMs?: number;
  /**
   * Who is calling, for connections made with `gateway.connect` (stdio, in
   * process), where the transport knows nothing about the caller: every request
   * carries it as the verified `authInfo`, so policies see it as `context.auth`.
   * Comes from the gateway's own configuration, never from the client.
   */
  readonly identity?: AuthInfo;
  /** Checks the policies against the downstream tools; returns the problems found. Run at start-up and on `notifications/tools/list_changed`. */
  readonly checkToolSchemas?: (tools: Tool[]) => readonly string[];
  /** Problems `checkToolSchemas` reports at start-up are logged instead of failing `createGateway`. */
  readonly lenient?: boolean;
  /** Receives one line per event worth an operator's attention (a crash, a restart, a schema problem); default: none. */
  readonly log?: (line: string) => void;
}

/** Defaults of `createGateway`: its bounds from `DEFAULT_GATEWAY_LIMITS`, and no restarts. */
export const GATEWAY_DEFAULTS: Readonly<{
  requestTimeoutMs: number;
  restart: RestartPolicy;
  maxRestarts: number;
  restartBackoffMs: number;
}> = Object.freeze({
  requestTimeoutMs: DEFAULT_GATEWAY_LIMITS.requestTimeoutMs,
  restart: 'never',
  maxRestarts: DEFAULT_GATEWAY_LIMITS.maxRestarts,
  restartBackoffMs: DEFAULT_GATEWAY_LIMITS.restartBackoffMs,
});

const OWN_KEYS: ReadonlySet<string> = new Set([
  'engine',
  'policies',
  'watch',
  'policySource',
  'mode',
  'onDecision',
  'metrics',
  'downstream',
  'requestTimeoutMs',
  'restart',
  'maxRestarts',
  'restartBackoffMs',
  'identity',
  'checkToolSchemas',
  'lenient',
  'log',
]);

/** The `guardServer` options among the gateway's. */
export function guardOptionsOf(options: GatewayOptions): GuardServerOptions {
  return Object.fromEntries(Object.entries(options).filter(([key]) => GUARD_OPTION_KEYS.has(key)));
}

/** Rejects gateway options that would be misread, naming the option; the guard's own are checked by `guardServer`. */
export function checkGatewayOptions(options: GatewayOptions): void {
  requireOptionsObject(options, 'createGateway');
  rejectUnknownOptions(options, new Set([...OWN_KEYS, ...GUARD_OPTION_KEYS]));
  const fail = (option: string, message: string): never => {
    throw new TierguardError('INVALID_OPTIONS', message, { option });
  };
  if ((options.engine === undefined) === (options.policies === undefined))
    fail('engine', 'createGateway needs exactly one of engine and policies');
  if (options.engine !== undefined) {
    for (const key of ['mode', 'onDecision', 'metrics'] as const) {
      if (options[key] !== undefined)
        fail(key, `${key} applies to the engine createGateway compiles from policies; set it on your own engine instead`);
    }
  }
  const { policies } = options;
  if (policies !== undefined && !Array.isArray(policies) && (typeof policies !== 'string' || policies === ''))
    fail('policies', 'policies must be an array of policy definitions, or the path or URL of policies to watch');
  if (options.watch !== undefined) {
    if (typeof policies !== 'string') fail('watch', 'watch applies to policies given as a path or URL');
    if (typeof options.watch !== 'object' || options.watch === null || Array.isArray(options.watch))
      fail('watch', 'watch must be an object');
    if (Object.hasOwn(options.watch, 'engine'))
      fail('watch.engine', 'watch.engine is not an option here: set mode, onDecision and metrics on the gateway');
  }
  if (options.policySource !== undefined && typeof options.policySource !== 'string') fail('policySource', 'policySource must be a string');
  checkTarget(options.downstream, fail);
  for (const key of ['requestTimeoutMs', 'restartBackoffMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= 2 ** 31 - 1))
      fail(key, `${key} must be a whole number of milliseconds from 1 to 2^31-1`);
  }
  const { maxRestarts, restart } = options;
  if (maxRestarts !== undefined && !(Number.isInteger(maxRestarts) && maxRestarts >= 0 && maxRestarts <= 1000))
    fail('maxRestarts', 'maxRestarts must be a whole number from 0 to 1000');
  if (restart !== undefined && restart !== 'never' && restart !== 'on-failure') fail('restart', 'restart must be "never" or "on-failure"');
  for (const key of ['checkToolSchemas', 'log', 'onDecision', 'metrics'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') fail(key, `${key} must be a function`);
  }
  if (options.lenient !== undefined && typeof options.lenient !== 'boolean') fail('lenient', 'lenient must be a boolean');
  const { identity } = options;
  if (
    identity !== undefined &&
    (typeof identity !== 'object' || identity === null || typeof identity.clientId !== 'string' || !Array.isArray(identity.scopes))
  ) {
    fail('identity', 'identity must be an AuthInfo: { token, clientId, scopes, extra? }');
  }
}

function checkTarget(target: unknown, fail: (option: string, message: string) => never): void {
  if (typeof target !== 'object' || target === null) fail('downstream', 'downstream must be { command, args? } or { url }');
  const { command, args, url, env, cwd, headers } = target as Record<string, unknown>;
  if (url !== undefined) {
    if (command !== undefined) fail('downstream', 'downstream takes either command or url, not both');
    if (
      headers !== undefined &&
      (typeof headers !== 'object' || headers === null || !Object.values(headers).every((value) => typeof value === 'string'))
    ) {
      fail('downstream', 'downstream.headers must map names to strings');
    }
    let parsed: URL | undefined;
    try {
      parsed = typeof url === 'string' ? new URL(url) : undefined;
    } catch {
      parsed = undefined;
    }
    if (typeof url !== 'string' || (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:'))
      fail('downstream', 'downstream.url must be an http: or https: URL');
    return;
  }
  if (typeof command !== 'string' || command === '') fail('downstream', 'downstream.command must name the server to spawn');
  if (args !== undefined && !(Array.isArray(args) && args.every((arg) => typeof arg === 'string')))
    fail('downstream', 'downstream.args must be an array of strings');
  if (env !== undefined && (typeof env !== 'object' || env === null || !Object.values(env).every((value) => typeof value === 'string'))) {
    fail('downstream', 'downstream.env must map names to strings');
  }
  if (cwd !== undefined && typeof cwd !== 'string') fail('downstream', 'downstream.cwd must be a path');
}
