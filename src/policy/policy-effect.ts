import type { Effect, PolicyDefinition, PolicySeverity } from '../types.js';

/**
 * What a violation of `definition` does: its `effect`, or the default its
 * severity gives (`warn` for a `soft` policy, `deny` otherwise). The engine,
 * the constraint tools and the CLI all read it here, so a soft policy without
 * an effect can never deny in one place and warn in another. An advisory
 * policy is never evaluated; it answers `warn`, the effect that never blocks.
 */
export function effectOf(definition: PolicyDefinition): Effect {
  if (definition.effect !== undefined) return definition.effect;
  return definition.severity === 'soft' || definition.severity === 'advisory' ? 'warn' : 'deny';
}

/**
 * The severity of `definition`: the one declared, or the one its effect
 * implies when none is (`deny` and `escalate` block, so `hard`; `warn` never
 * does, so `soft`).
 */
export function severityOf(definition: PolicyDefinition): PolicySeverity {
  if (definition.severity !== undefined) return definition.severity;
  return effectOf(definition) === 'warn' ? 'soft' : 'hard';
}
