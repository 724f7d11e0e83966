/**
 * What `import('tierguard/mcp')` loads: the `tierguard/mcp` barrel (`index.ts`,
 * whose types and docs are the subpath's), after its peer dependencies. The
 * barrel imports the MCP SDK statically, and Node resolves a module's whole
 * static graph before running any of it, so a missing SDK could only be told
 * apart here, around a dynamic import: it becomes an error that says what to
 * install instead of a bare "Cannot find package". The top-level await keeps this
 * file out of `require()`; the exports map sends `require` to the barrel itself.
 *
 * Every value the barrel exports is listed once below; a test fails when the two differ.
 *
 * @module
 */
import type * as Mcp from './index.js';
import { isMissingMcpPeer, missingMcpPeerError } from './missing-peer.js';

async function loadMcp(): Promise<typeof Mcp> {
  try {
    return await import('./index.js');
  } catch (error) {
    if (isMissingMcpPeer(error)) throw missingMcpPeerError(error);
    throw error;
  }
}

export const {
  guardServer,
  DECISION_META_KEY,
  TIERGUARD_DENIED,
  withRemoteAddress,
  canonicalResourceUri,
  registerConstraintTools,
  createGateway,
  GATEWAY_DEFAULTS,
  DEFAULT_GATEWAY_LIMITS,
  serveGatewayHttp,
  DOWNSTREAM_UNAVAILABLE,
  decisionObserver,
  healthReport,
  healthRoute,
  serveHttp,
  HTTP_DEFAULTS,
  MCP_PATH,
  serveStdio,
  checkEngineAgainstTools,
  checkPoliciesAgainstTools,
  formatToolSchemaProblems,
  createGatewayMetrics,
  PROMETHEUS_CONTENT_TYPE,
} = await loadMcp();
