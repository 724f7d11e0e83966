/**
 * tierguard: decide whether an action an AI agent proposes satisfies your
 * policies. The root entry holds the engine, the data types and the errors; it
 * imports nothing that a user of the auto tier alone does not need.
 *
 * @packageDocumentation
 */
export { createEngine } from './engine.js';
export type { Engine, EngineOptions, EvaluateOptions } from './engine.js';
export type { ValidateOptions } from './enforcement/validator.js';
export type {
  AppliesExplanation,
  BindingExplanation,
  CheckFinding,
  CheckResult,
  ComparisonExplanation,
  CompoundExplanation,
  Explanation,
  FormalExplanation,
  NotExplanation,
  OperandExplanation,
  PolicyExplanation,
  PolicyStatus,
  PredicateExplanation,
  PredicateNodeExplanation,
  RequireExplanation,
  RewriteExplanation,
  ToolsExplanation,
  ValueExplanation,
} from './explain/explanation.js';
export type { Artifact, EngineAdapter, EngineVerdict } from './engines/types.js';
export { TierguardError, isTierguardError } from './errors.js';
export type {
  AuditBacklogDetails,
  EmptyBundleDetails,
  EvaluationFailedDetails,
  InvalidBundleDetails,
  InvalidActionDetails,
  InvalidOptionsDetails,
  InvalidPolicyDetails,
  IoErrorDetails,
  LimitExceededDetails,
  PolicyIssueDetails,
  TierguardErrorCode,
  TierguardErrorDetails,
  TierguardErrorDetailsMap,
} from './errors.js';
export { DEFAULT_AUDIT_SINK_LIMITS, DEFAULT_LIMITS, DEFAULT_REMOTE_BUNDLE_LIMITS } from './limits.js';
export type { AuditSinkLimits, Limits, RemoteBundleLimits } from './limits.js';
export { OPERATORS, POLICY_CATEGORIES } from './types.js';
export type {
  Action,
  AllDefinition,
  AnyDefinition,
  AuditEvent,
  ComparisonDefinition,
  Decision,
  Effect,
  EnforcementDefinition,
  EvaluationError,
  FindingLevel,
  GuidanceExample,
  JsonValue,
  Mode,
  NotDefinition,
  OnError,
  Operator,
  Outcome,
  PathSegment,
  Phase,
  PolicyCategory,
  PolicyDefinition,
  PolicyGuidance,
  PolicyProvenance,
  PolicyScope,
  PolicySeverity,
  PredicateDefinition,
  PropertyShapeDefinition,
  Quantifier,
  Rewrite,
  RewriteDefinition,
  RelationshipScope,
  RewriteOp,
  ShapeDatatype,
  ShapeDefinition,
  ShapeSeverity,
  Severity,
  Tier,
  TierTimings,
  ValidationDecision,
  ValidationOutcome,
  ValueConstraints,
  Verdict,
  Violation,
} from './types.js';
export { actionToRdf } from './action-rdf.js';
export type { ActionToRdfOptions } from './action-rdf.js';
export { describePredicate } from './predicate/describe.js';
export { formatPath } from './format-path.js';
export { loadPolicies } from './bundle/load-policies.js';
export type { LoadedBundle, LoadedPolicies, LoadPoliciesOptions } from './bundle/load-policies.js';
export { buildBundleArchive, buildPolicyBundle } from './bundle/build-bundle.js';
export type { BuildArchiveOptions, BuildBundleOptions, BuiltArchive, BuiltBundle } from './bundle/build-bundle.js';
export type { BundleSignature } from './bundle/archive-bundle.js';
export type { BundleKey } from './bundle/bundle-keys.js';
export type { BundleVerificationOptions } from './bundle/bundle-verification.js';
export type { RemoteBundleOptions } from './bundle/remote-options.js';
export type { PolicyBundle } from './bundle/bundle-format.js';
export type { FileContent } from './file-content.js';
export type { PolicySource, PolicySources } from './bundle/policy-sources.js';
export { watchPolicies } from './bundle/watch-policies.js';
export type { PolicyWatcher, WatchPoliciesOptions } from './bundle/watch-policies.js';
export { loadConfig } from './config/load-config.js';
export type { LoadConfigOptions, LoadedConfig, WatchConfigOptions } from './config/load-config.js';
export type { PreparedPolicies } from './config/prepare-policies.js';
export type { ConfigAdapterModule, ConfigOptions, ConfigSource, TierguardConfig } from './config/config-types.js';
export type { ConflictSide, PrecedenceConflict, Replacement } from './config/merge-sources.js';
export type { DroppedPolicy } from './config/isolate-invalid.js';
export type { StrictnessComparison, StrictnessReason } from './config/strictness.js';
export { compareStrictness } from './config/compare-strictness.js';
export { createJsonLinesSink } from './effects/json-lines-sink.js';
export type { JsonLinesSink, JsonLinesSinkOptions, JsonLinesSinkStats } from './effects/json-lines-sink.js';
export { actionDigest } from './effects/action-digest.js';
export type { DigestBounds } from './effects/action-digest.js';
export { matchesScope, scopeMismatch } from './guidance/scope-match.js';
export type { ScopeMismatch } from './guidance/scope-match.js';
export { parseScopeQuery, SCOPE_DIMENSIONS, RELATIONSHIP_DIMENSIONS } from './guidance/scope-query.js';
export type { ParsedScopeQuery, ParsedValues, RelationshipQuery, ScopeQuery, ScopeValue } from './guidance/scope-query.js';
export { scopeVocabulary } from './guidance/scope-vocabulary.js';
export type { ScopeVocabulary } from './guidance/scope-vocabulary.js';
export { POLICY_SEVERITIES } from './guidance/severities.js';
export { lintPolicies } from './lint/lint-policies.js';
export type { LintOptions } from './lint/lint-policies.js';
export type { LintFinding } from './lint/lint-finding.js';
export { LINT_RULES, LINT_RULE_IDS } from './lint/lint-rules.js';
export type { LintRuleId, LintRuleInfo, LintSeverity } from './lint/lint-rules.js';
export type { ToolDescription } from './mcp/gateway/check-tool-schemas.js';
