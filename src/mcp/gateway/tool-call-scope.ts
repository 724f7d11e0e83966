import type { PolicyDefinition, PredicateDefinition } from '../../types.js';

/**
 * False when a policy's `when` plainly rules out tool calls: it compares `kind`
 * with `eq`/`in` to methods other than `tools/call` (or with `neq`/`not_in` to
 * `tools/call`), alone or as a part of an `all`, or in every part of an `any`.
 * Such a policy selects resources, prompts or `initialize`, whose names and
 * arguments a tool's schema says nothing about. Anything less plain (`not`, a
 * JSONPath on `kind`, a `valueRef`) counts as judging tool calls.
 */
export function mayJudgeToolCalls(definition: PolicyDefinition): boolean {
  return definition.when === undefined || admitsToolCalls(definition.when);
}

const TOOL_CALL = 'tools/call';

function admitsToolCalls(predicate: PredicateDefinition): boolean {
  if ('all' in predicate) return predicate.all.every(admitsToolCalls);
  if ('any' in predicate) return predicate.any.length === 0 || predicate.any.some(admitsToolCalls);
  if ('not' in predicate) return true;
  if (predicate.field !== 'kind' || predicate.valueRef !== undefined) return true;
  const { op, value } = predicate;
  if (op === 'eq') return value === TOOL_CALL;
  if (op === 'neq') return value !== TOOL_CALL;
  if (op === 'in') return !Array.isArray(value) || value.includes(TOOL_CALL);
  if (op === 'not_in') return !Array.isArray(value) || !value.includes(TOOL_CALL);
  return true;
}
