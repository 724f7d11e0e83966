import type { Limits } from '../limits.js';
import { checkEngineAgainstTools, type ToolDescription } from '../mcp/gateway/check-tool-schemas.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import type { RuleFinding } from './lint-finding.js';

/**
 * Policies against tool schemas, by the gateway's own check
 * (`checkPoliciesAgainstTools`): a `tools` pattern of a request policy that
 * matches no listed tool is `unreachable-tools`; a path no schema of the tools a
 * policy selects has (or one that cannot be followed, or a policy that could not
 * be checked) is `unknown-field`. The gateway's messages are kept as they are,
 * with their "did you mean"; the first of its suggestions is the finding's.
 */
export function checkAgainstToolSchemas(
  policies: readonly CompiledPolicy[],
  tools: readonly ToolDescription[],
  limits: Limits,
): RuleFinding[] {
  const indexOf = new Map(policies.map((policy) => [policy.id, policy.index]));
  const problems = checkEngineAgainstTools({ definitions: policies.map((policy) => policy.definition), limits }, tools);
  return problems.map((problem) => {
    const suggestion = problem.suggestions?.[0];
    return {
      rule: problem.field === undefined && problem.pointer.startsWith('/tools/') ? 'unreachable-tools' : 'unknown-field',
      index: indexOf.get(problem.policyId) ?? 0,
      policyId: problem.policyId,
      pointer: problem.pointer,
      message: problem.message,
      ...(suggestion === undefined ? {} : { suggestion }),
      ...(problem.tool === undefined ? {} : { tool: problem.tool }),
    };
  });
}
