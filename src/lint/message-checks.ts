import { closestNames, didYouMean } from '../did-you-mean.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import { literalBraces, TEMPLATE_VARIABLES } from '../predicate/message-template.js';
import type { RuleFinding } from './lint-finding.js';

const PLACEHOLDERS = TEMPLATE_VARIABLES.map((name) => `{${name}}`).join(', ');

/**
 * Messages that never read as meant. `unused-message`: the policy has no
 * auto-tier check (its checks are shapes, rewrites or engines, whose findings
 * carry their own messages), so its `message` is never used. `unfilled-placeholder`:
 * brace text that is no placeholder (`{arguments.amount}`, `{ field }`) shows
 * as written in every message; and `{actual}` in a policy whose only checks are
 * `require` never has a value (a required field that fails is missing or null).
 * Unknown `{names}` are not here: the set does not compile with one.
 */
export function checkMessages(policies: readonly CompiledPolicy[]): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const policy of policies) {
    const { message, assert, require } = policy.definition;
    if (message === undefined) continue;
    const base = { index: policy.index, policyId: policy.id, pointer: '/message' };
    const name = JSON.stringify(policy.id);
    if (!policy.parts.auto) {
      findings.push({
        ...base,
        rule: 'unused-message',
        message: `policy ${name} has a message, but no require or assert (nor is it violated whenever it applies): its violations come from shapes, rewrites or engines, which never use it`,
      });
      continue;
    }
    for (const text of new Set(literalBraces(message))) {
      const inner = text.slice(1, -1).trim();
      const near = (TEMPLATE_VARIABLES as readonly string[]).includes(inner) ? [inner] : closestNames(inner, TEMPLATE_VARIABLES);
      findings.push({
        ...base,
        rule: 'unfilled-placeholder',
        message: `policy ${name}: ${JSON.stringify(text)} in its message is no placeholder and shows as written; the placeholders are ${PLACEHOLDERS}${didYouMean(near.map((variable) => `{${variable}}`))}`,
      });
    }
    if (assert === undefined && require !== undefined && message.includes('{actual}')) {
      findings.push({
        ...base,
        rule: 'unfilled-placeholder',
        message: `policy ${name}: {actual} in its message never has a value: the policy only requires fields, and a required field that fails is missing or null`,
      });
    }
  }
  return findings;
}
