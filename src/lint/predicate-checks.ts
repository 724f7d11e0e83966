import type { Limits } from '../limits.js';
import type { ToolDescription } from '../mcp/gateway/check-tool-schemas.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import { fieldFacts, type AdmittedCache } from './field-facts.js';
import { rewrittenFields } from './rewritten-fields.js';
import type { RuleFinding } from './lint-finding.js';
import { whyNeverHolds, type PlacedPredicate } from './never-holds.js';

/**
 * Predicates that can never hold (see `whyNeverHolds`), with what the policy's
 * `tools` and the tool schemas (when given) say of its fields: a `when` that
 * never holds means the policy never applies (`never-applies`); an `assert`
 * that never holds where the `when` does means every action the policy applies
 * to violates it (`always-violated`), as if it had no assert at all. A value a
 * default or a mask writes at a field is possible whatever the schema says:
 * rewrites run first.
 */
export function checkPredicates(
  policies: readonly CompiledPolicy[],
  tools: readonly ToolDescription[] | undefined,
  limits: Limits,
): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const cache: AdmittedCache = new Map();
  const rewritten = rewrittenFields(policies);
  for (const policy of policies) {
    const { when, assert } = policy.definition;
    if (policy.parts.advisory || policy.parts.engineOnly || (when === undefined && assert === undefined)) continue;
    const written = (segments: readonly string[]): readonly unknown[] | undefined =>
      rewritten.constants(
        policy.phase,
        segments.map((key) => ({ kind: 'key', key })),
      );
    const context = { limits, factsAbout: fieldFacts([policy.tools], tools, limits, cache, written) };
    const applies: PlacedPredicate[] = when === undefined ? [] : [{ predicate: when, pointer: '/when' }];
    const never = applies.length === 0 ? undefined : whyNeverHolds(applies, context);
    const base = { index: policy.index, policyId: policy.id };
    if (never !== undefined) {
      findings.push({
        ...base,
        rule: 'never-applies',
        pointer: '/when',
        message: `policy ${JSON.stringify(policy.id)}: its when can never hold, so the policy never applies: ${never}`,
      });
      continue;
    }
    if (assert === undefined) continue;
    const violated = whyNeverHolds([...applies, { predicate: assert, pointer: '/assert' }], context);
    if (violated !== undefined) {
      findings.push({
        ...base,
        rule: 'always-violated',
        pointer: '/assert',
        message: `policy ${JSON.stringify(policy.id)}: its assert can never hold where the policy applies, so every action it applies to violates it: ${violated}`,
      });
    }
  }
  return findings;
}
