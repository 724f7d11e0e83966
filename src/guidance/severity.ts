import type { PolicyDefinition, PolicySeverity } from '../types.js';

/** The severities, from most to least binding. */
export const POLICY_SEVERITIES: readonly PolicySeverity[] = Object.freeze(['hard', 'soft', 'advisory']);

/**
 * How binding a policy is: its declared `severity`, or the one its effect
 * implies (README, "Guidance for agents"): `deny` and `escalate` (and no effect,
 * which denies) are `hard`, `warn` is `soft`.
 */
export function effectiveSeverity(definition: Pick<PolicyDefinition, 'severity' | 'effect'>): PolicySeverity {
  if (definition.severity !== undefined) return definition.severity;
  return definition.effect === 'warn' ? 'soft' : 'hard';
}
