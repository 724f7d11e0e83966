import { performance } from 'node:perf_hooks';
import { decide } from '../effects/decide.js';
import type { VerdictRules } from '../effects/decide.js';
import type { Artifact, EngineAdapter, EngineEvaluateOptions, EngineVerdict } from '../engines/types.js';
import { TierguardError } from '../errors.js';
import { rejectUnknownOptions, requireOptionsObject } from '../check-options.js';
import { DEFAULT_ENGINE_LIMITS } from '../limits.js';
import type { Action, Decision, EvaluationError, OnError, ValidationDecision } from '../types.js';
import { artifactName } from './artifact-selector.js';
import { combineVerdicts } from './combine-verdicts.js';
import type { CompiledEnforcement, EnforcedPolicy } from './compile-enforcement.js';
import { loadDefaultAdapter } from './default-adapters.js';
import { deadlineFor, runBinding } from './run-binding.js';
import { snapshotArtifact } from './snapshot-artifact.js';

/** Per-call options of `engine.validate`. Unknown keys are rejected. */
export interface ValidateOptions {
  /**
   * The ids of the policies whose bindings run, each with `enforcement`, whatever
   * their `artifacts` say; default every policy with `enforcement` whose
   * `artifacts` select the artifact (or that has none).
   */
  readonly policies?: readonly string[];
  /** Aborts the run: the engine running is killed and its verdict is an `ABORTED` error. */
  readonly signal?: AbortSignal;
  /** Time limit per engine run, in milliseconds; default each adapter's own. */
  readonly timeoutMs?: number;
  /** Copied into the audit event's `labels`, as for `evaluate`. */
  readonly labels?: Readonly<Record<string, string | number | boolean | null>>;
}

/** What the engine hands the validator: fixed per engine. */
export interface ValidatorContext {
  /** The resolved bindings. */
  readonly enforcement: CompiledEnforcement;
  /** Every policy id of the set, to tell an unknown id from a policy without enforcement. */
  readonly policyIds: ReadonlySet<string>;
  /** Adapters given to `createEngine`, by name; other engines get their default adapter. */
  readonly adapters: ReadonlyMap<string, EngineAdapter>;
  /** How findings become a verdict. */
  readonly rules: VerdictRules;
  /** `throw` makes an engine error throw instead of deciding. */
  readonly onError: OnError;
  /** Emits the audit event of a decision (absent when nobody listens); throws `AUDIT_FAILED` if the listener throws. */
  readonly audit?: (decision: Decision, tool: string, durationMs: number, labels: ValidateOptions['labels']) => void;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['policies', 'signal', 'timeoutMs', 'labels']);

/**
 * Builds `engine.validate`: runs every binding of the selected policies on the
 * artifact (those named in `policies`, else those whose `artifacts` select it),
 * one after another (engines are processes that each want a core;
 * running them in turn keeps the order of verdicts and the load predictable),
 * and folds the verdicts into a decision. An artifact that cannot be validated
 * (not an object, both path and content, content over the limit) is an error in
 * the decision, never a throw, unless `onError` is `throw`. Options that name an
 * unknown policy, or one without enforcement, throw `INVALID_OPTIONS`. An
 * artifact no policy selects passes with no engine run (`engines: []`), as an
 * action no policy covers is allowed.
 */
export function createValidator(context: ValidatorContext): (artifact: Artifact, options?: ValidateOptions) => Promise<ValidationDecision> {
  const { enforcement, policyIds: knownIds, adapters, rules, onError, audit } = context;
  const defaults = new Map<string, Promise<EngineAdapter>>();
  const everyPolicy = [...enforcement.policies.values()];

  // The default adapter is loaded once per engine, on first use; a failed load is remembered, as reloading cannot fix it.
  const adapterFor = async (engine: string): Promise<EngineAdapter | { unavailable: string }> => {
    const given = adapters.get(engine);
    if (given !== undefined) return given;
    let loading = defaults.get(engine);
    if (loading === undefined) {
      loading = loadDefaultAdapter(engine);
      defaults.set(engine, loading);
    }
    try {
      return await loading;
    } catch (error) {
      return { unavailable: error instanceof Error ? error.message : String(error) };
    }
  };

  const conclude = (
    verdicts: readonly EngineVerdict[],
    policyIds: readonly string[],
    extra: readonly EvaluationError[],
    tool: string,
  ): ValidationDecision => {
    const combined = combineVerdicts(verdicts, policyIds);
    const errors = [...extra, ...combined.errors];
    const firstError = errors[0];
    if (onError === 'throw' && firstError !== undefined) {
      throw new TierguardError(
        firstError.code,
        firstError.message,
        firstError.policyId === undefined ? {} : { policyId: firstError.policyId },
      );
    }
    const action: Action = Object.freeze({ tool, kind: 'artifact' });
    const decision = decide({ violations: combined.violations, errors, rewrites: [], action }, rules);
    return Object.freeze({ ...decision, result: extra.length > 0 ? 'error' : combined.result, engines: Object.freeze([...verdicts]) });
  };

  return async (artifact: Artifact, options: ValidateOptions = {}): Promise<ValidationDecision> => {
    const started = performance.now();
    const named = selectPolicies(options, enforcement, knownIds, everyPolicy);
    const snapshot = snapshotArtifact(artifact, DEFAULT_ENGINE_LIMITS.maxArtifactBytes);
    let decision: ValidationDecision;
    if (!snapshot.ok) {
      decision = conclude([], [], [{ code: 'INVALID_ACTION', message: snapshot.message }], snapshot.shownAs);
    } else {
      const call: EngineEvaluateOptions = {
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      };
      const deadlineMs = deadlineFor(options.timeoutMs ?? DEFAULT_ENGINE_LIMITS.timeoutMs);
      const verdicts: EngineVerdict[] = [];
      const policyIds: string[] = [];
      // Named policies run whatever their `artifacts` say: the caller chose them for this artifact.
      const selected = named ?? selectedBy(artifactName(snapshot.artifact), everyPolicy);
      for (const policy of selected) {
        for (const resolved of policy.bindings) {
          const adapter = await adapterFor(resolved.binding.engine);
          const verdict = await runBinding(resolved, { adapter, artifact: snapshot.artifact, options: call, deadlineMs });
          verdicts.push(verdict);
          policyIds.push(policy.id);
          // With `throw`, the first engine that cannot answer ends the run: its error is what the caller gets.
          if (onError === 'throw' && verdict.verdict === 'error') return conclude(verdicts, policyIds, [], snapshot.shownAs);
        }
      }
      decision = conclude(verdicts, policyIds, [], snapshot.shownAs);
    }
    audit?.(decision, snapshot.shownAs, performance.now() - started, options.labels);
    return decision;
  };
}

/** The policies whose `artifacts` select the artifact named `name`, in policy order; a policy without `artifacts` selects every artifact. */
function selectedBy(name: string, everyPolicy: readonly EnforcedPolicy[]): readonly EnforcedPolicy[] {
  return everyPolicy.filter((policy) => policy.artifacts?.selects(name) ?? true);
}

/**
 * The policies `policies` names, in policy order whatever order it names them
 * in; `undefined` when it names none, so the artifact selects them.
 */
function selectPolicies(
  options: ValidateOptions,
  enforcement: CompiledEnforcement,
  knownIds: ReadonlySet<string>,
  everyPolicy: readonly EnforcedPolicy[],
): readonly EnforcedPolicy[] | undefined {
  requireOptionsObject(options, 'validate');
  rejectUnknownOptions(options, OPTION_KEYS, 'validate option');
  const { policies, timeoutMs, signal, labels } = options;
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
    throw new TierguardError('INVALID_OPTIONS', 'timeoutMs must be a positive number of milliseconds', {
      option: 'timeoutMs',
      actual: timeoutMs,
    });
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TierguardError('INVALID_OPTIONS', 'signal must be an AbortSignal', { option: 'signal' });
  }
  if (labels !== undefined && (typeof labels !== 'object' || labels === null || Array.isArray(labels))) {
    throw new TierguardError('INVALID_OPTIONS', 'labels must be an object of strings, numbers, booleans or null', { option: 'labels' });
  }
  if (policies === undefined) {
    if (everyPolicy.length === 0) {
      throw new TierguardError(
        'INVALID_OPTIONS',
        'no policy binds an enforcement engine, so there is nothing to validate an artifact with',
        {
          option: 'policies',
        },
      );
    }
    return undefined;
  }
  if (!Array.isArray(policies) || policies.length === 0) {
    throw new TierguardError('INVALID_OPTIONS', 'policies must be a non-empty array of policy ids', { option: 'policies' });
  }
  const wanted = new Set<string>();
  for (const id of policies as unknown[]) {
    if (typeof id !== 'string')
      throw new TierguardError('INVALID_OPTIONS', 'policies must list policy ids (strings)', { option: 'policies' });
    if (!knownIds.has(id)) {
      throw new TierguardError('INVALID_OPTIONS', `no policy has the id "${id}"`, { option: 'policies', actual: id });
    }
    if (!enforcement.policies.has(id)) {
      throw new TierguardError('INVALID_OPTIONS', `policy "${id}" binds no enforcement engine, so it cannot validate an artifact`, {
        option: 'policies',
        actual: id,
      });
    }
    wanted.add(id);
  }
  return everyPolicy.filter((policy) => wanted.has(policy.id));
}
