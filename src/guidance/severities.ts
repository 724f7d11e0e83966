import type { PolicySeverity } from '../types.js';

/** The severities, from most to least binding: the values `get_constraints` filters by and `describe_scope` lists in this order. */
export const POLICY_SEVERITIES: readonly PolicySeverity[] = Object.freeze(['hard', 'soft', 'advisory']);
