/**
 * tierguard: decide whether an action an AI agent proposes satisfies your
 * policies. The root entry holds the engine, the data types and the errors; it
 * imports nothing that a user of the auto tier alone does not need.
 *
 * @packageDocumentation
 */
export { createEngine } from './engine.js';
export type { Engine, EngineOptions } from './engine.js';
export { TierguardError, isTierguardError } from './errors.js';
export type { TierguardErrorCode } from './errors.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { Limits } from './limits.js';
export { OPERATORS } from './types.js';
export type {
  Action,
  AllDefinition,
  AnyDefinition,
  ComparisonDefinition,
  Decision,
  Effect,
  EvaluationError,
  JsonValue,
  NotDefinition,
  OnError,
  Operator,
  PathSegment,
  PolicyDefinition,
  PredicateDefinition,
  PropertyShapeDefinition,
  Quantifier,
  ShapeDatatype,
  ShapeDefinition,
  ShapeSeverity,
  Severity,
  Tier,
  ValueConstraints,
  Verdict,
  Violation,
} from './types.js';
export { describePredicate } from './auto/describe.js';
export { formatPath } from './format-path.js';
export { loadPolicies } from './bundle/load-policies.js';
export type { LoadedPolicies } from './bundle/load-policies.js';
