import { describeThrown } from '../../describe-thrown.js';
import type { Engine } from '../../engine.js';
import { ALL, RELATIONSHIP_LIST_DIMENSIONS, SCOPE_LIST_DIMENSIONS } from '../../guidance/scope-query.js';
import type { ScopeQuery } from '../../guidance/scope-query.js';
import { getConstraints } from '../../mcp/get-constraints.js';
import type { PolicyDefinition } from '../../types.js';
import type { DoctorCheck } from './doctor-report.js';

/**
 * Whether every scope value a policy states reaches it: `get_constraints` asked
 * with that one value (and with the policy's first value of every dimension at
 * once, its domains aside) must return the policy. A value no query can reach
 * (a selector the matching rules read otherwise than its author meant) would
 * leave an agent without the rule; it fails the check.
 */
export function checkScopeReach(engine: Engine): DoctorCheck {
  const findings: string[] = [];
  let asked = 0;
  for (const definition of engine.definitions) {
    for (const query of queriesOf(definition)) {
      asked += 1;
      let reached = false;
      try {
        reached = getConstraints(engine, { scope: query }).policies.some((policy) => policy.id === definition.id);
      } catch (error) {
        findings.push(`${definition.id}: get_constraints refused its own scope ${JSON.stringify(query)}: ${describeThrown(error)}`);
        continue;
      }
      if (!reached) findings.push(`${definition.id} is not returned for its own scope ${JSON.stringify(query)}`);
    }
  }
  if (asked === 0) return { name: 'scope', status: 'pass', summary: 'no policy states a scope', findings };
  return findings.length > 0
    ? { name: 'scope', status: 'fail', summary: `${findings.length} of ${asked} scope queries miss their policy`, findings }
    : { name: 'scope', status: 'pass', summary: `every stated scope value reaches its policy (${asked} queries)`, findings };
}

// One query per stated value, then one of every dimension's first value. The
// domains are left out of the combined query: two of them at once say whether
// they differ, which `differentDomain` may exclude on purpose.
function queriesOf(definition: PolicyDefinition): ScopeQuery[] {
  const scope = definition.scope;
  if (scope === undefined) return [];
  const queries: ScopeQuery[] = [];
  const combined: Record<string, unknown> = {};
  const combinedRelationship: Record<string, unknown> = {};
  for (const dimension of SCOPE_LIST_DIMENSIONS) {
    const values = (scope[dimension] ?? []).filter((value) => value !== ALL);
    for (const value of values) queries.push({ [dimension]: value });
    if (values[0] !== undefined) combined[dimension] = values[0];
  }
  const relationship = scope.relationship;
  for (const dimension of RELATIONSHIP_LIST_DIMENSIONS) {
    const values = (relationship?.[dimension] ?? []).filter((value) => value !== ALL);
    for (const value of values) queries.push({ relationship: { [dimension]: value } });
    if (values[0] !== undefined && dimension !== 'sourceDomain' && dimension !== 'targetDomain')
      combinedRelationship[dimension] = values[0];
  }
  // With one value in all, the combined query is one already asked.
  const stated = Object.keys(combined).length + Object.keys(combinedRelationship).length;
  if (Object.keys(combinedRelationship).length > 0) combined['relationship'] = combinedRelationship;
  if (stated > 1) queries.push(combined);
  return queries;
}
