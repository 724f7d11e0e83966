/**
 * tierguard/mcp: put a tierguard engine in front of an MCP server's tools
 * (`guardServer`), in front of a server you did not write (`createGateway`),
 * and let agents ask what the constraints are (`registerConstraintTools`). `@modelcontextprotocol/sdk` is an optional peer
 * dependency, imported only by this subpath.
 *
 * @packageDocumentation
 */
export type { EngineSource } from './engine-source.js';
export { guardServer } from './guard-server.js';
export type { GuardHandle } from './guard-server.js';
export type { GuardRequest, GuardServerOptions } from './guard-options.js';
export { DECISION_META_KEY, TIERGUARD_DENIED } from './deny-response.js';
export type { GuardDecisionSummary, GuardDenyReason, GuardViolationSummary } from './decision-summary.js';
export type { HandlerExtra } from './request-context.js';
export { withRemoteAddress } from './remote-address.js';
export { canonicalResourceUri } from './resource-uri.js';
export { registerConstraintTools } from './constraint-tools.js';
export type { ConstraintTools, ConstraintToolsOptions } from './constraint-tools.js';
export type { HeldVersions } from './held-versions.js';
export type { PolicyDescription } from './describe-policy.js';
export type { ScopeDescription } from './describe-scope.js';
export type { ConstraintsQuery, ConstraintsReport } from './get-constraints.js';
export type { RewriteReport, ValidationReport, ViolationReport } from './dry-run-validate-tool.js';
export { createGateway } from './gateway/create-gateway.js';
export type { Gateway, GatewayStatus } from './gateway/create-gateway.js';
export type { GatewayOptions } from './gateway/gateway-options.js';
export type { GatewayWatchOptions } from './gateway/gateway-policies.js';
export { GATEWAY_DEFAULTS } from './gateway/gateway-options.js';
export { DEFAULT_GATEWAY_LIMITS } from '../limits.js';
export type { GatewayLimits } from '../limits.js';
export { serveGatewayHttp } from './gateway/serve-gateway-http.js';
export type { GatewayHttpEndpoint, GatewayHttpOptions } from './gateway/serve-gateway-http.js';
export type { DownstreamExit, DownstreamTarget, HttpTarget, StdioTarget } from './gateway/connect-downstream.js';
export type { DownstreamState, DownstreamStatus, RestartPolicy } from './gateway/downstream.js';
export { DOWNSTREAM_UNAVAILABLE } from './gateway/downstream-error.js';
export { decisionObserver } from './gateway/decision-observer.js';
export type { DecisionObservation } from './gateway/decision-observer.js';
export { healthReport, healthRoute } from './gateway/healthz.js';
export type { HealthReport } from './gateway/healthz.js';
export { serveHttp, HTTP_DEFAULTS, MCP_PATH } from './serve-http.js';
export type { ExtraRoute, HttpEndpoint, ServeHttpOptions, SessionServer } from './serve-http.js';
export type { HttpIdentityOptions, VerifyToken } from './http-identity.js';
export { serveStdio } from './serve-stdio.js';
export type { ServeStdioOptions, StdioConnection, StdioStreams } from './serve-stdio.js';
export { checkEngineAgainstTools, checkPoliciesAgainstTools, formatToolSchemaProblems } from './gateway/check-tool-schemas.js';
export type { CheckToolSchemasOptions, ToolDescription, ToolSchemaProblem } from './gateway/check-tool-schemas.js';
export { createGatewayMetrics, PROMETHEUS_CONTENT_TYPE } from './gateway/metrics.js';
export type { GatewayMetrics, GatewayMetricsOptions, ObservedDecision } from './gateway/metrics.js';
