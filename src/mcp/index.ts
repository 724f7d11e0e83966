/**
 * tierguard/mcp: put a tierguard engine in front of an MCP server's tools
 * (`guardServer`) and let agents ask what the constraints are
 * (`registerConstraintTools`). `@modelcontextprotocol/sdk` is an optional peer
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
export type { PolicyDescription } from './describe-policy.js';
export type { ScopeDescription } from './describe-scope.js';
export type { ConstraintsQuery, ConstraintsReport } from './get-constraints.js';
export type { RewriteReport, ValidationReport, ViolationReport } from './dry-run-validate-tool.js';
