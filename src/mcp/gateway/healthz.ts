import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraRoute } from '../serve-http.js';
import type { GatewayStatus } from './create-gateway.js';
import type { DownstreamStatus } from './downstream.js';

/** What `/healthz` answers. */
export interface HealthReport {
  /** `ok` when every downstream connection serves (or none is open yet), `degraded` otherwise. */
  readonly status: 'ok' | 'degraded';
  /** The version of the policies judging now (a bundle's content hash); `null` when they cannot be had. */
  readonly policyVersion: string | null;
  /** Where the policies come from: a path, or a bundle URL without its query; `null` when not known. */
  readonly policySource: string | null;
  /** One entry per open downstream connection (one per HTTP session, or the one of a stdio gateway). */
  readonly downstreams: readonly DownstreamStatus[];
}

/** The report for these gateways' states, the policy version now, and where the policies come from. */
export function healthReport(
  statuses: readonly GatewayStatus[],
  policyVersion: string | null,
  policySource: string | null = null,
): HealthReport {
  const downstreams = statuses.map((status) => status.downstream);
  const serving = downstreams.every((downstream) => downstream.state === 'connected');
  return { status: serving && policyVersion !== null ? 'ok' : 'degraded', policyVersion, policySource, downstreams };
}

/** A `/healthz` route: the report as JSON, 200 when `ok`, 503 when `degraded` (so a readiness probe takes it out of rotation). */
export function healthRoute(report: () => Promise<HealthReport>): ExtraRoute {
  return async (_request: IncomingMessage, response: ServerResponse) => {
    const body = await report();
    response.writeHead(body.status === 'ok' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(`${JSON.stringify(body)}\n`);
  };
}
