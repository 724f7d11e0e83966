import type { Engine, EvaluateOptions } from '../engine.js';
import type { Decision } from '../types.js';
import { argumentFreePolicies } from './argument-free-policies.js';

/**
 * A `tools/list` result without the tools the caller can never be allowed to
 * call. Each listed tool is probed with `{ tool, kind: 'tools/call', arguments: {}, context }`
 * (the list request's context) and hidden only when the probe is denied by an
 * enforced `deny` policy that cannot depend on the arguments: its violation is not
 * at a path under `arguments`, and none of the policy's paths can reach
 * `arguments` (see {@link argumentFreePolicies}). A role rule on
 * `context.user.roles` or a tool-level deny with no assertion hides a tool; a
 * bound on an argument, an escalation, a monitored policy, or an evaluation error
 * never does, since some call might still pass. A probe that throws keeps the
 * tool. The result is returned unchanged when it has no `tools` array or nothing
 * is hidden.
 */
export async function withoutForbiddenTools(
  result: unknown,
  engine: Engine,
  context: Record<string, unknown>,
  options: EvaluateOptions,
): Promise<unknown> {
  if (typeof result !== 'object' || result === null) return result;
  const tools: unknown = (result as { tools?: unknown }).tools;
  if (!Array.isArray(tools)) return result;
  const free = argumentFreePolicies(engine);
  const hidden = await Promise.all(
    tools.map(async (tool: unknown) => {
      const name = typeof tool === 'object' && tool !== null ? (tool as { name?: unknown }).name : undefined;
      if (typeof name !== 'string') return false;
      try {
        return surelyDenied(await engine.evaluate({ tool: name, kind: 'tools/call', arguments: {}, context }, options), free);
      } catch {
        return false;
      }
    }),
  );
  if (!hidden.includes(true)) return result;
  return { ...result, tools: tools.filter((_tool, index) => hidden[index] !== true) };
}

function surelyDenied(decision: Decision, argumentFree: ReadonlySet<string>): boolean {
  return decision.violations.some((violation) => violation.effect === 'deny' && violation.path[0] !== 'arguments' && argumentFree.has(violation.policyId));
}
