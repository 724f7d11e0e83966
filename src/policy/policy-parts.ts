import type { PolicyDefinition } from '../types.js';

/** Where a policy's formal tier comes from: its JSON `shape` (SHACL generated from it) or a hand-written `shapesFile`. */
export type FormalSource = 'shape' | 'shapesFile';

/**
 * Which tiers and engines a policy uses, derived once from its definition. The
 * engine, the formal tier's compiler, the fixture runner, the MCP constraint
 * tools and the CLI all read this, so they cannot disagree about a policy.
 */
export interface PolicyParts {
  /**
   * True when the auto tier judges the policy: it has `assert` or `require`, or
   * it {@link PolicyParts.assertsNothing | asserts nothing} (and is then violated
   * whenever it applies). False for a policy whose checks are all formal, one
   * that only rewrites, and one that only binds engines.
   */
  readonly auto: boolean;
  /**
   * The sources of its formal tier, in this order: `shape`, `shapesFile` (a
   * policy may have both). Empty when the formal tier never judges it.
   */
  readonly formal: readonly FormalSource[];
  /** True when it has `rewrite`: it patches the actions it applies to. */
  readonly rewrites: boolean;
  /** The names of the enforcement engines it binds, each once, in binding order; empty when it binds none. */
  readonly engines: readonly string[];
  /**
   * True when its only checks are its `enforcement` bindings: nothing in it reads
   * an action, so it judges artifacts (through `engine.validate`) and never
   * applies in `evaluate`.
   */
  readonly engineOnly: boolean;
  /**
   * True when it has nothing at all to judge or change with: no `assert`,
   * `require`, `shape`, `shapesFile`, `rewrite` or `enforcement`. Such a policy
   * is violated whenever it applies (its tools match and its `when` holds).
   */
  readonly assertsNothing: boolean;
  /**
   * True for a policy of severity `advisory`: guidance only. It is never
   * evaluated (it reads no action and binds no engine), so it is not
   * {@link PolicyParts.assertsNothing | violated whenever it applies} either.
   */
  readonly advisory: boolean;
}

/**
 * The parts of `definition`: the one derivation `compilePolicy` stores as
 * `CompiledPolicy.parts`, for callers that hold a definition. Frozen.
 */
export function policyParts(definition: PolicyDefinition): PolicyParts {
  const formal: FormalSource[] = [];
  if (definition.shape !== undefined) formal.push('shape');
  if (definition.shapesFile !== undefined) formal.push('shapesFile');
  const engines = [...new Set((definition.enforcement ?? []).map((binding) => binding.engine))];
  const rewrites = definition.rewrite !== undefined;
  const autoChecks = definition.assert !== undefined || definition.require !== undefined;
  const readsAction = autoChecks || formal.length > 0 || rewrites;
  const advisory = definition.severity === 'advisory';
  const assertsNothing = !advisory && !readsAction && engines.length === 0;
  return Object.freeze({
    auto: autoChecks || assertsNothing,
    formal: Object.freeze(formal),
    rewrites,
    engines: Object.freeze(engines),
    engineOnly: !readsAction && engines.length > 0,
    assertsNothing,
    advisory,
  });
}
