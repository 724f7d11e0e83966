import { parseArgs } from 'node:util';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { DEFAULT_GATEWAY_LIMITS } from '../limits.js';
import type { Mode } from '../types.js';
import type { BundleVerificationArgs } from './bundle-verification-args.js';
import { BUNDLE_VERIFICATION_OPTIONS, BUNDLE_VERIFICATION_USAGE, parseVerificationArgs } from './bundle-verification-args.js';
import { POLICY_INPUT_OPTIONS, requirePolicyInput } from './policy-input.js';
import type { PolicyInputArgs } from './policy-input.js';
import { MAX_INTERVAL_MS, parseReloadInterval } from './reload-interval.js';
import { UsageError } from './usage-error.js';

/** Usage of `tierguard gateway`. */
export const GATEWAY_USAGE =
  `tierguard gateway (--policies <file|dir|url> ${BUNDLE_VERIFICATION_USAGE} | --config <file> [--strict]) [--http [--host 127.0.0.1] [--port 8765] [--max-sessions 32] [--identity-header <name>] [--metrics]] [--mode enforce|monitor] [--lenient] ` +
  '[--identity <json>] [--restart never|on-failure] [--max-restarts 3] [--timeout <seconds>] [--reload-interval <seconds>] [--audit <file>] [--otel <setup.mjs>] [--allow-empty] ' +
  '(--upstream-url <url> | -- <command> [args...])';

/** The environment variable `--identity` falls back to, so a launcher can set the caller without putting it on the command line. */
export const IDENTITY_VARIABLE = 'TIERGUARD_GATEWAY_IDENTITY';

/** What `tierguard gateway` was asked to do. */
export interface GatewayArgs {
  /** `--policies`, or `--config` and `--strict`. */
  readonly input: PolicyInputArgs;
  /** `--public-key` and `--require-signature`, for a bundle at `--policies`. */
  readonly verification: BundleVerificationArgs;
  readonly downstream: { readonly command: string; readonly args: readonly string[] } | { readonly url: string };
  readonly http: boolean;
  readonly host: string;
  readonly port: number;
  readonly maxSessions: number;
  readonly identityHeader: string | undefined;
  /** Serve `/metrics` (Prometheus text) on the HTTP port (`--metrics`, with `--http` only). */
  readonly metrics: boolean;
  readonly identity: AuthInfo | undefined;
  /** `--mode`; absent, the config's mode, else `enforce`. */
  readonly mode: Mode | undefined;
  readonly lenient: boolean;
  readonly restart: 'never' | 'on-failure';
  readonly maxRestarts: number;
  readonly timeoutMs: number;
  /** Polling interval for watchPolicies; `undefined` when polling is off (`--reload-interval 0`). */
  readonly intervalMs: number | undefined;
  readonly audit: string | undefined;
  /** `--otel`: the module that registers the OpenTelemetry SDK, imported before decisions are exported through its global providers. */
  readonly otel: string | undefined;
  readonly allowEmpty: boolean;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 8765;
const DEFAULT_TIMEOUT_SECONDS = DEFAULT_GATEWAY_LIMITS.requestTimeoutMs / 1000;

/** Reads the command line of `tierguard gateway`; a mistake is a UsageError naming the option. */
export function parseGatewayArgs(args: readonly string[], environment: NodeJS.ProcessEnv = process.env): GatewayArgs {
  const { values, positionals, tokens } = parseArgs({
    args: [...args],
    options: {
      ...POLICY_INPUT_OPTIONS,
      ...BUNDLE_VERIFICATION_OPTIONS,
      'upstream-url': { type: 'string' },
      http: { type: 'boolean', default: false },
      host: { type: 'string' },
      port: { type: 'string' },
      'max-sessions': { type: 'string' },
      'identity-header': { type: 'string' },
      metrics: { type: 'boolean', default: false },
      identity: { type: 'string' },
      mode: { type: 'string' },
      lenient: { type: 'boolean', default: false },
      restart: { type: 'string', default: 'never' },
      'max-restarts': { type: 'string' },
      timeout: { type: 'string' },
      'reload-interval': { type: 'string' },
      audit: { type: 'string' },
      otel: { type: 'string' },
      'allow-empty': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
    tokens: true,
  });
  // A word before `--` is a typo (a value without its option), not the start of the command to run.
  const terminator = tokens.findIndex((token) => token.kind === 'option-terminator');
  const stray = tokens.find((token, index) => token.kind === 'positional' && (terminator === -1 || index < terminator));
  if (stray?.kind === 'positional') throw new UsageError(`unexpected "${stray.value}": put -- before the command that starts the server`);
  requirePolicyInput(values);
  const upstream = values['upstream-url'];
  if ((upstream === undefined) === (positionals.length === 0)) {
    throw new UsageError('name the server to guard: either --upstream-url <url>, or -- followed by the command that starts it');
  }
  const [command, ...commandArgs] = positionals;
  if (
    !values.http &&
    (values.host !== undefined ||
      values.port !== undefined ||
      values['identity-header'] !== undefined ||
      values['max-sessions'] !== undefined ||
      values.metrics)
  ) {
    throw new UsageError('--host, --port, --max-sessions, --identity-header and --metrics apply to --http only');
  }
  const identityText = values.identity ?? environment[IDENTITY_VARIABLE];
  if (values.http && identityText !== undefined) {
    throw new UsageError(
      `--identity (or ${IDENTITY_VARIABLE}) applies to stdio only; over --http the caller is who --identity-header names`,
    );
  }
  const mode = values.mode;
  if (mode !== undefined && mode !== 'enforce' && mode !== 'monitor')
    throw new UsageError(`--mode must be enforce or monitor, not "${mode}"`);
  const restart = values.restart;
  if (restart !== 'never' && restart !== 'on-failure') throw new UsageError(`--restart must be never or on-failure, not "${restart}"`);
  const host = values.host ?? DEFAULT_HOST;
  if (host === '') throw new UsageError('--host must name an address, e.g. 127.0.0.1');
  const input = { policies: values.policies, config: values.config, strict: values.strict };
  return {
    input,
    verification: parseVerificationArgs(values, input),
    downstream: upstream === undefined ? { command: command ?? '', args: commandArgs } : { url: parseUrl(upstream) },
    http: values.http,
    host,
    port: values.port === undefined ? DEFAULT_PORT : parseWhole(values.port, '--port', 0, 65535),
    maxSessions:
      values['max-sessions'] === undefined
        ? DEFAULT_GATEWAY_LIMITS.maxSessions
        : parseWhole(values['max-sessions'], '--max-sessions', 1, 10_000),
    identityHeader: values['identity-header'],
    metrics: values.metrics,
    identity: identityText === undefined ? undefined : parseIdentity(identityText),
    mode,
    lenient: values.lenient,
    restart,
    maxRestarts:
      values['max-restarts'] === undefined
        ? DEFAULT_GATEWAY_LIMITS.maxRestarts
        : parseWhole(values['max-restarts'], '--max-restarts', 0, 1000),
    timeoutMs: parseSeconds(values.timeout, '--timeout', DEFAULT_TIMEOUT_SECONDS),
    intervalMs: parseReloadInterval(values['reload-interval']),
    audit: values.audit,
    otel: values.otel,
    allowEmpty: values['allow-empty'],
  };
}

function parseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--upstream-url must be an http: or https: URL, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--upstream-url must be an http: or https: URL, not "${text}"`);
  return url.href;
}

/** `{"clientId": "...", "scopes": [...], "extra": {...}}`: who launched the gateway, as policies see it in `context.auth`. */
function parseIdentity(text: string): AuthInfo {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const shape = '--identity must be a JSON object like {"clientId":"alice","scopes":["read"],"extra":{"team":"ops"}}';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(shape);
  const { clientId, scopes, extra, ...rest } = value as Record<string, unknown>;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined) throw new UsageError(`${shape}; "${unknownKey}" is not one of its keys`);
  if (typeof clientId !== 'string' || clientId === '') throw new UsageError(`${shape}; clientId is required`);
  if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string')))
    throw new UsageError(`${shape}; scopes must be strings`);
  if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra)))
    throw new UsageError(`${shape}; extra must be an object`);
  // The token is never shown to policies; the gateway has none of its own to give.
  const identity: AuthInfo = {
    token: '',
    clientId,
    scopes: Array.isArray(scopes) ? scopes.filter((scope) => typeof scope === 'string') : [],
  };
  return extra === undefined ? identity : { ...identity, extra: { ...extra } };
}

function parseWhole(text: string, option: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || value < min || value > max)
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}

function parseSeconds(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback * 1000;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0.001 || seconds * 1000 > MAX_INTERVAL_MS) {
    throw new UsageError(`${option} must be a number of seconds from 0.001 to ${Math.floor(MAX_INTERVAL_MS / 1000)}, not "${text}"`);
  }
  return Math.round(seconds * 1000);
}
