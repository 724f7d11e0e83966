/**
 * The contract between tierguard and an enforcement engine (OPA, Conftest,
 * Checkov, Semgrep, or a third party's): types only, so importing it loads
 * nothing. Each adapter lives on its own subpath and implements
 * {@link EngineAdapter}; the conformance suite in `tierguard/engines/testing`
 * checks that it keeps this contract.
 *
 * @packageDocumentation
 */
import type { Effect, EngineVerdict, JsonValue } from '../types.js';

// The verdict types are part of every Decision, so they live with it in the
// shared types; the engine contract re-exports them under their public names.
export type {
  EngineError,
  EngineErrorCode,
  EngineErrorVerdict,
  EngineFailVerdict,
  EnginePassVerdict,
  EngineVerdict,
  ValidationOutcome,
} from '../types.js';

/**
 * How an in-memory artifact is written for the engine, and so which parser or
 * language the engine picks: engines choose by file extension (`.tf`, `.js`,
 * `.yaml`), and OPA reads JSON input. `terraform` is HCL source (`.tf`);
 * `terraform-plan` is the JSON of `terraform show -json`.
 */
export type ArtifactFormat =
  'json' | 'yaml' | 'hcl' | 'terraform' | 'terraform-plan' | 'dockerfile' | 'javascript' | 'typescript' | 'python' | 'text';

/**
 * An artifact that is already a file: the engine reads it where it is, so a
 * large file is never copied and its messages name the path the caller gave.
 */
export interface FileArtifact {
  /** The file, absolute or relative to the process's working directory. */
  readonly path: string;
  /** Overrides what the extension implies, for engines that cannot tell (a `.txt` holding JSON). */
  readonly format?: ArtifactFormat;
  /** Never set: an artifact is a file or content, not both. */
  readonly content?: never;
}

/**
 * An artifact held in memory, such as a generated file or a tool argument. The
 * adapter writes it into a private temporary directory as `name` and rewrites
 * that directory out of every message, so a verdict names `name` and is the same
 * on every run.
 */
export interface ContentArtifact {
  /** The text, or a JSON value (serialised as JSON, so `format` must then be `json` or absent). */
  readonly content: string | JsonValue;
  /** How to treat the content; absent means `json` for a JSON value and is required for text. */
  readonly format?: ArtifactFormat;
  /** The file name the engine sees and messages show; default `artifact` plus the format's extension. */
  readonly name?: string;
  /** Never set: an artifact is content or a file, not both. */
  readonly path?: never;
}

/**
 * What an engine validates. Either a file on disk or content in memory, never
 * both: one shape per source keeps "which one wins" out of every adapter.
 */
export type Artifact = FileArtifact | ContentArtifact;

/**
 * One engine bound by a policy, after the caller has resolved it: the JSON form
 * in a policy definition is `{ "engine", "policy", "query"?, "options"?,
 * "blockOn"? }` with `policy` relative to the policy file; the caller resolves
 * `policy` against that file's directory and adds the policy's id and effect,
 * which violations carry. `blockOn` is not passed on: the caller applies it to
 * the verdict, from each violation's `severity`.
 */
export interface EngineBinding {
  /** Which adapter this binding is for; an adapter given another engine's binding answers `error`. */
  readonly engine: string;
  /** The engine's policy (a Rego file or directory, a Semgrep rule file, a Checkov config), resolved by the caller. */
  readonly policy: string;
  /** What to ask the engine, where it takes a query (OPA: `data.s3.deny`). */
  readonly query?: string;
  /** Adapter-specific options; each adapter rejects keys it does not know. */
  readonly options?: Readonly<Record<string, JsonValue>>;
  /** The tierguard policy that bound the engine; every violation names it. */
  readonly policyId: string;
  /** The policy's effect, given to violations the engine reports as errors; default `deny`. */
  readonly effect?: Effect;
}

/** Whether an adapter can run here, and which engine version it found. */
export interface EngineAvailability {
  /** `true` when the engine was found and answered. */
  readonly ok: boolean;
  /** The engine's version as it reports it, when found. */
  readonly version?: string;
  /** Why it cannot run, when `ok` is `false`: what is missing and how to install it. */
  readonly reason?: string;
}

/** Per-call options of {@link EngineAdapter.evaluate}. */
export interface EngineEvaluateOptions {
  /** Aborts the run: the engine is killed and the verdict is an `ABORTED` error. */
  readonly signal?: AbortSignal;
  /** Time limit for this call in milliseconds; default the adapter's `timeoutMs`. */
  readonly timeoutMs?: number;
}

/**
 * An enforcement engine behind one interface. `evaluate` never throws and never
 * rejects: whatever goes wrong, from a missing binary to malformed output, is an
 * `error` verdict that says why.
 */
export interface EngineAdapter {
  /** The engine's name, matched against {@link EngineBinding.engine}: `opa`, `conftest`, `checkov`, `semgrep`. */
  readonly name: string;
  /** Whether the engine is installed and runnable, and its version. Never rejects. */
  available(): Promise<EngineAvailability>;
  /** Validates `artifact` against the binding's policy. Never rejects. */
  evaluate(artifact: Artifact, binding: EngineBinding, options?: EngineEvaluateOptions): Promise<EngineVerdict>;
}
