/**
 * The contract between tierguard and an enforcement engine (OPA, Conftest,
 * Checkov, Semgrep, or a third party's): types only, so importing it loads
 * nothing. Each adapter lives on its own subpath and implements
 * {@link EngineAdapter}; the conformance suite in `tierguard/engines/testing`
 * checks that it keeps this contract.
 *
 * @packageDocumentation
 */
import type { Effect, JsonValue, Violation } from '../types.js';

/**
 * How an in-memory artifact is written for the engine, and so which parser or
 * language the engine picks: engines choose by file extension (`.tf`, `.js`,
 * `.yaml`), and OPA reads JSON input. `terraform` is HCL source (`.tf`);
 * `terraform-plan` is the JSON of `terraform show -json`.
 */
export type ArtifactFormat =
  | 'json'
  | 'yaml'
  | 'hcl'
  | 'terraform'
  | 'terraform-plan'
  | 'dockerfile'
  | 'javascript'
  | 'typescript'
  | 'python'
  | 'text';

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
 * in a policy definition is `{ "engine", "policy", "query"?, "options"? }` with
 * `policy` relative to the policy file; the caller resolves `policy` against that
 * file's directory and adds the policy's id and effect, which violations carry.
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

/**
 * Why an engine could not give a verdict. Callers branch on these codes, never on
 * message text, so a code is never renamed once released.
 */
export type EngineErrorCode =
  /** The binding names another engine, or its query or options are malformed. */
  | 'INVALID_BINDING'
  /** The artifact is missing, unreadable, too large, or not in the format it claims. */
  | 'INVALID_ARTIFACT'
  /** The binding's policy file (or directory) does not exist or cannot be read. */
  | 'POLICY_NOT_FOUND'
  /** The engine is not installed, not on PATH, or not runnable. */
  | 'ENGINE_UNAVAILABLE'
  /** The engine ran past its time limit and was killed with its whole process tree. */
  | 'TIMEOUT'
  /** The caller's AbortSignal fired; the engine was killed. */
  | 'ABORTED'
  /** The engine's output, or the results in it, exceeded a bound in the engine limits. */
  | 'LIMIT_EXCEEDED'
  /** The engine exited in a way that does not mean pass or fail: a crash, a bad policy, a usage error. */
  | 'ENGINE_FAILED'
  /** The engine's output could not be understood (malformed JSON or SARIF). */
  | 'INVALID_OUTPUT';

/** What went wrong when the verdict is `error`. */
export interface EngineError {
  /** Stable machine-readable code. */
  readonly code: EngineErrorCode;
  /** What went wrong, in words, with temporary paths rewritten out. */
  readonly message: string;
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
 * One engine's answer about one artifact. `pass`: no violation; `fail`: at least
 * one violation; `error`: no answer could be had, and `error` says why.
 */
export interface EngineVerdict {
  /** `pass`, `fail` or `error`. */
  readonly verdict: 'pass' | 'fail' | 'error';
  /** The adapter's name. */
  readonly engine: string;
  /** The binding's `policy`, as given. */
  readonly policy: string;
  /**
   * Violations with `tier: 'engine'` and the engine's rule id as `constraint`,
   * sorted so two runs list them in the same order; empty unless `fail`.
   */
  readonly violations: readonly Violation[];
  /** Why there is no verdict; present exactly when `verdict` is `error`. */
  readonly error?: EngineError;
  /** Wall time of the call, in milliseconds; the only field that differs between identical runs. */
  readonly durationMs: number;
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
