import { describePredicate } from '../predicate/describe.js';
import type { Effect, Mode, Phase, PolicyDefinition } from '../types.js';
import { describeRewrite } from './describe-rewrite.js';
import { describeShape } from './describe-shape.js';
import { policyParts } from '../policy/policy-parts.js';
import { effectOf } from '../policy/policy-effect.js';

/** The tool pattern listed for a policy without `tools`: it applies to every tool. */
export const EVERY_TOOL = '*';

/** One policy as an agent reads it: what it selects, what it checks and what it does when violated. */
export interface PolicyDescription {
  /** The policy id; violations name it. */
  readonly id: string;
  /** What the policy is for, in the author's words. */
  readonly description?: string;
  /** The glob patterns over the action's tool; `['*']` when the policy applies to every tool. */
  readonly tools: readonly string[];
  /**
   * What a violation does: `deny`, `escalate` (a human approves) or `warn`
   * (reported, never blocks). Absent for an advisory policy: it is guidance only, never evaluated.
   */
  readonly effect?: Effect;
  /**
   * `enforce`, or `monitor` when the policy or the whole engine is monitored: its
   * violations never block. Absent for an advisory policy.
   */
  readonly mode?: Mode;
  /** `request`: judges the proposed action; `response`: judges and rewrites the tool's result, under `result`. */
  readonly phase: Phase;
  /** The condition under which the policy applies, e.g. `arguments.amount > 5000`. */
  readonly when?: string;
  /** Fields that must be present and not null. */
  readonly require?: readonly string[];
  /** What must hold, e.g. `(arguments.amount > 0 and arguments.amount <= 10000)`. */
  readonly assert?: string;
  /** The patches applied when the policy applies, e.g. `cap arguments.limit at 100`. */
  readonly rewrites?: readonly string[];
  /** The shape's constraints, one line per path, e.g. `arguments.lines.sku: required, matches /^[A-Z]{3}-[0-9]{4}$/`. */
  readonly shape?: readonly string[];
  /** A hand-written SHACL file (Turtle) the action must conform to; its constraints are not described here. */
  readonly shapesFile?: string;
  /**
   * The engines the policy binds, e.g. `opa data.s3.deny (rego/s3.rego)`. They judge
   * artifacts through `validate`, not tool calls: a policy whose only checks these are
   * is never listed for a tool.
   */
  readonly enforcement?: readonly string[];
  /**
   * Glob patterns over the artifact's name selecting what the engines judge, e.g.
   * `*.tf` (a pattern without `/` matches the base name); absent: every artifact.
   */
  readonly artifacts?: readonly string[];
  /** True for a policy that checks nothing: it is violated whenever it applies (its tools match and `when` holds). */
  readonly violatedWhenApplies?: true;
  /** The message template of its violations. */
  readonly message?: string;
  /** Orders its rewrites against other policies' rewrites of the same field: higher first. */
  readonly priority?: number;
}

/**
 * A policy definition in readable form: predicates through `describePredicate`,
 * rewrites and shapes as short lines. `engineMode` is the engine's mode: an
 * engine in `monitor` monitors every policy, whatever the policy says. The
 * guidance fields are `describeGuidance`'s.
 */
export function describePolicy(definition: PolicyDefinition, engineMode: Mode): PolicyDescription {
  // An advisory policy is guidance only: it has no effect or mode, and checking nothing does not make it violated.
  const { advisory, assertsNothing: checksNothing } = policyParts(definition);
  return {
    id: definition.id,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    tools: definition.tools === undefined ? [EVERY_TOOL] : [...definition.tools],
    ...(advisory ? {} : { effect: effectOf(definition), mode: engineMode === 'monitor' ? 'monitor' : (definition.mode ?? 'enforce') }),
    phase: definition.on ?? 'request',
    ...(definition.when === undefined ? {} : { when: describePredicate(definition.when) }),
    ...(definition.require === undefined ? {} : { require: [...definition.require] }),
    ...(definition.assert === undefined ? {} : { assert: describePredicate(definition.assert) }),
    ...(definition.rewrite === undefined ? {} : { rewrites: definition.rewrite.map(describeRewrite) }),
    ...(definition.shape === undefined ? {} : { shape: describeShape(definition.shape) }),
    ...(definition.shapesFile === undefined ? {} : { shapesFile: definition.shapesFile }),
    ...(definition.enforcement === undefined ? {} : { enforcement: definition.enforcement.map(describeBinding) }),
    ...(definition.artifacts === undefined ? {} : { artifacts: [...definition.artifacts] }),
    ...(checksNothing ? { violatedWhenApplies: true as const } : {}),
    ...(definition.message === undefined ? {} : { message: definition.message }),
    ...(definition.priority === undefined ? {} : { priority: definition.priority }),
  };
}

/** One engine binding in readable form: the engine, its query when it takes one, and its policy file. */
function describeBinding(binding: { readonly engine: string; readonly policy: string; readonly query?: string }): string {
  return `${binding.engine}${binding.query === undefined ? '' : ` ${binding.query}`} (${binding.policy})`;
}
