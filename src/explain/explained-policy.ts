import type { Limits } from '../limits.js';
import { effectOf } from '../policy/policy-effect.js';
import type { PolicyParts } from '../policy/policy-parts.js';
import { policyParts } from '../policy/policy-parts.js';
import type { CompiledRewrite } from '../rewrite/compile-rewrites.js';
import { compileRewrites } from '../rewrite/compile-rewrites.js';
import type { Effect, Mode, Phase, PolicyDefinition } from '../types.js';
import { ChecksTracer } from './trace-checks.js';

/** One policy of the set, compiled for explaining from its definition, once per engine. */
export interface ExplainedPolicy {
  readonly definition: PolicyDefinition;
  /** Its position in the set. */
  readonly index: number;
  readonly effect: Effect;
  readonly parts: PolicyParts;
  readonly phase: Phase;
  /** `monitor` when its findings never block (its own mode, or the engine's). */
  readonly mode: Mode;
  /** Why `evaluate` never judges it, when it does not: advisory, engines only, or a response policy. */
  readonly notJudged: string | undefined;
  readonly checks: ChecksTracer;
  /** Its rewrites, compiled as the engine compiles them; `undefined` when it has none. */
  readonly rewrite: CompiledRewrite | undefined;
  /** Its place in rewrite order: higher `priority` first, then policy order. */
  readonly rewriteRank: number;
}

/** Compiles every policy of a (validated) set for explaining. */
export function explainedPolicies(
  definitions: readonly PolicyDefinition[],
  isMonitored: (policyId: string) => boolean,
  limits: Limits,
): ExplainedPolicy[] {
  const rank = new Map(
    definitions
      .map((definition, index) => ({ definition, index }))
      .filter(({ definition }) => definition.rewrite !== undefined)
      .sort((left, right) => (right.definition.priority ?? 0) - (left.definition.priority ?? 0) || left.index - right.index)
      .map(({ index }, position) => [index, position] as const),
  );
  return definitions.map((definition, index) => {
    const effect = effectOf(definition);
    const parts = policyParts(definition);
    const phase = definition.on ?? 'request';
    return {
      definition,
      index,
      effect,
      parts,
      phase,
      mode: isMonitored(definition.id) ? 'monitor' : 'enforce',
      notJudged: notJudged(parts, phase),
      // An engine-only policy never reaches the checks; if it did, it would fail closed like one that asserts nothing.
      checks: new ChecksTracer(definition, effect, parts.assertsNothing || parts.engineOnly, limits),
      rewrite: definition.rewrite && compileRewrites(definition.rewrite, { id: definition.id, effect }, limits),
      rewriteRank: rank.get(index) ?? -1,
    };
  });
}

function notJudged(parts: PolicyParts, phase: Phase): string | undefined {
  if (parts.advisory) return 'advisory: guidance only, never evaluated';
  if (parts.engineOnly) return 'binds engines only: it judges artifacts (engine.validate, tierguard validate), not actions';
  if (phase === 'response') return "judges a tool's result after it ran (engine.evaluateResponse), not the request";
  return undefined;
}
