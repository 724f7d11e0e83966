import { policyParts } from '../policy/policy-parts.js';
import type { PolicyDefinition } from '../types.js';

/**
 * True when `definition` is about tool calls, so it is listed for a tool: not
 * when its only checks are enforcement bindings (it judges artifacts), nor when
 * it is an advisory policy that selects with `artifacts` and names no `tools`
 * (its guidance is about generated files, not every tool).
 */
export function selectsToolCalls(definition: PolicyDefinition): boolean {
  if (policyParts(definition).engineOnly) return false;
  return !(definition.severity === 'advisory' && definition.tools === undefined && definition.artifacts !== undefined);
}
