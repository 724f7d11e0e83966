import { DEFAULT_GATEWAY_LIMITS } from '../../limits.js';
import type { ExtraRoute, HttpEndpoint } from '../serve-http.js';
import { serveHttp } from '../serve-http.js';
import type { HttpIdentityOptions } from '../http-identity.js';
import { checkHttpIdentityOptions } from '../http-identity.js';
import { resolveEngine } from '../engine-source.js';
import { checkGuardOptions } from '../guard-options.js';
import type { Gateway } from './create-gateway.js';
import { createGateway } from './create-gateway.js';
import { endSessionWhenInitializeRefused } from './end-refused-session.js';
import type { GatewayOptions } from './gateway-options.js';
import { checkGatewayOptions, guardOptionsOf } from './gateway-options.js';
import { openGatewayPolicies } from './gateway-policies.js';
import type { HealthReport } from './healthz.js';
import { healthReport, healthRoute } from './healthz.js';

/** Options of {@link serveGatewayHttp}: those of `createGateway` (but `identity`), where to listen, and how callers prove who they are. */
export interface GatewayHttpOptions extends Omit<GatewayOptions, 'identity'>, HttpIdentityOptions {
  /** The address to bind; default `127.0.0.1`. */
  readonly host?: string;
  /** The port; default 8765; `0` picks a free one (read it from `url`). */
  readonly port?: number;
  /** Most open sessions, so most downstream connections (processes, for a command); default 32 (`DEFAULT_GATEWAY_LIMITS.maxSessions`). */
  readonly maxSessions?: number;
  /** Largest request body in bytes; default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** More GET routes beside `/mcp` and `/healthz` (e.g. `/metrics`), served without the identity check. */
  readonly extraRoutes?: Readonly<Record<string, ExtraRoute>>;
}

/** A listening gateway. */
export interface GatewayHttpEndpoint extends HttpEndpoint {
  /** The gateways of the sessions open now. */
  gateways(): readonly Gateway[];
  /** What `/healthz` would answer now. */
  health(): Promise<HealthReport>;
}

const HTTP_KEYS: ReadonlySet<string> = new Set([
  'host',
  'port',
  'maxSessions',
  'maxBodyBytes',
  'extraRoutes',
  'verifyToken',
  'trustedIdentityHeader',
]);
// Compiled once for every session, so these go into the one engine rather than to each gateway.
const ENGINE_KEYS: ReadonlySet<string> = new Set(['policies', 'watch', 'policySource', 'mode', 'onDecision', 'metrics']);

/**
 * Serves a gateway over Streamable HTTP at `/mcp`, one gateway (so one
 * downstream connection: a process of its own for a command) per session, so
 * subscriptions, log levels and restarts never mix between clients; at most
 * `maxSessions` of them (opening one more closes the least recently used).
 * The downstream server is started once before listening and closed again, so
 * a command that cannot start, or tools the policies do not match
 * (`checkToolSchemas`), reject here. `context.auth` is what `verifyToken` or the
 * `trustedIdentityHeader` vouch for (see `serveHttp`) and the socket's address.
 * `/healthz` answers each open downstream connection's state, the policy
 * version and where the policies come from (200 when all serve, 503 otherwise).
 * With `policies` as a path or bundle URL, one watcher serves every session
 * and stops when the endpoint closes.
 */
export async function serveGatewayHttp(options: GatewayHttpOptions): Promise<GatewayHttpEndpoint> {
  checkHttpIdentityOptions(options);
  const own = Object.fromEntries(Object.entries(options).filter(([key]) => !HTTP_KEYS.has(key))) as GatewayOptions;
  checkGatewayOptions(own);
  checkGuardOptions(guardOptionsOf(own));
  // Compiled (or watched) once, here; every session shares the engine.
  const policies = await openGatewayPolicies(own);
  const engine = policies.source;
  const gatewayOptions = {
    ...Object.fromEntries(Object.entries(own).filter(([key]) => !ENGINE_KEYS.has(key))),
    engine,
    ...(policies.policySource === undefined ? {} : { policySource: policies.policySource }),
  } as GatewayOptions;
  try {
    // The probe: the downstream server must start, and its tools match the policies.
    await (await createGateway(gatewayOptions)).close();
  } catch (error) {
    policies.close();
    throw error;
  }
  const live = new Set<Gateway>();
  const gateways = (): Gateway[] => [...live];
  const health = async (): Promise<HealthReport> => {
    const statuses = await Promise.all(gateways().map((gateway) => gateway.status()));
    let policyVersion: string | null;
    try {
      policyVersion = (await resolveEngine(engine)).version;
    } catch {
      policyVersion = null;
    }
    return healthReport(statuses, policyVersion, policies.policySource ?? null);
  };
  const { host, port, maxSessions, maxBodyBytes, verifyToken, trustedIdentityHeader, log } = options;
  const endpoint = await serveHttp({
    createServer: async () => {
      const gateway = await createGateway(gatewayOptions);
      live.add(gateway);
      // However it ends (the client's DELETE, eviction, a shutdown), it leaves the set.
      void gateway.closed.then(() => live.delete(gateway));
      return {
        connect: async (transport) => {
          await gateway.connect(transport);
          endSessionWhenInitializeRefused(transport, () => gateway.close());
        },
        close: () => gateway.close(),
      };
    },
    extraRoutes: { ...options.extraRoutes, '/healthz': healthRoute(health) },
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    maxSessions: maxSessions ?? DEFAULT_GATEWAY_LIMITS.maxSessions,
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    ...(verifyToken === undefined ? {} : { verifyToken }),
    ...(trustedIdentityHeader === undefined ? {} : { trustedIdentityHeader }),
    ...(log === undefined ? {} : { log }),
  });
  const close = async (): Promise<void> => {
    await endpoint.close();
    await Promise.allSettled(gateways().map((gateway) => gateway.close()));
    policies.close();
  };
  return Object.freeze({ url: endpoint.url, close, gateways, health });
}
