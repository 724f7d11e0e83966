/**
 * `tierguard/engines`: the contract between tierguard and an enforcement engine.
 * Types only, so importing it loads nothing; each adapter has its own subpath
 * (`tierguard/engines/opa`, `/conftest`, `/checkov`, `/semgrep`) and the
 * conformance suite lives in `tierguard/engines/testing`.
 *
 * @packageDocumentation
 */
export type {
  Artifact,
  ArtifactFormat,
  ContentArtifact,
  EngineAdapter,
  EngineAvailability,
  EngineBinding,
  EngineError,
  EngineErrorCode,
  EngineErrorVerdict,
  EngineEvaluateOptions,
  EngineFailVerdict,
  EnginePassVerdict,
  EngineVerdict,
  FileArtifact,
  ValidationOutcome,
} from './types.js';
export type { EngineLimits } from '../limits.js';
export type { Effect, JsonValue, PathSegment, Severity, Violation } from '../types.js';
