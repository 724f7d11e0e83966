import { TierguardError } from './errors.js';
import type { Limits } from './limits.js';

/**
 * Rejects what cannot be evaluated before any policy sees it: a non-object, a
 * missing or non-string `tool`, and actions beyond the depth or node limits.
 * Returns the tool, read exactly once: a getter could answer differently on a
 * second read and steer the action past the policies meant for it.
 */
export function checkAction(action: unknown, limits: Limits): string {
  if (typeof action !== 'object' || action === null || Array.isArray(action)) {
    throw new TierguardError('INVALID_ACTION', 'an action must be a JSON object with a string "tool"', {
      actual: action === null ? 'null' : Array.isArray(action) ? 'array' : typeof action,
    });
  }
  const tool = Object.hasOwn(action, 'tool') ? (action as { tool?: unknown }).tool : undefined;
  if (typeof tool !== 'string') {
    throw new TierguardError('INVALID_ACTION', 'an action must have a string "tool"', { field: 'tool' });
  }
  if (tool.length > limits.maxStringLength) {
    // Tool names are matched against every tool glob of the policy set.
    throw new TierguardError(
      'LIMIT_EXCEEDED',
      `tool name of ${tool.length} characters exceeds limits.maxStringLength (${limits.maxStringLength})`,
      {
        limit: 'maxStringLength',
      },
    );
  }
  const remaining = countWithin(action, 0, limits.maxDepth, limits.maxNodes - 1);
  if (remaining === TOO_DEEP) {
    const pointer = deepestPointer(action, limits.maxDepth) ?? '';
    throw new TierguardError(
      'LIMIT_EXCEEDED',
      `action is nested deeper than limits.maxDepth (${limits.maxDepth}) at ${truncate(pointer)}`,
      { limit: 'maxDepth', pointer: truncate(pointer) },
    );
  }
  if (remaining < 0) {
    throw new TierguardError('LIMIT_EXCEEDED', `action holds more than limits.maxNodes (${limits.maxNodes}) values`, {
      limit: 'maxNodes',
    });
  }
  return tool;
}

const TOO_DEEP = -Infinity;

// The hot path: counts values against a budget and returns what is left (negative
// when over, TOO_DEEP when nested too deep). It builds no strings; the pointer is
// only worked out after a failure. Recursion is bounded by maxDepth, which also
// ends cycles. The child visit is written out twice rather than shared, because
// this runs on every evaluation and a helper call per value costs a measurable share.
function countWithin(value: object, depth: number, maxDepth: number, budget: number): number {
  if (depth >= maxDepth) return TOO_DEEP;
  let left = budget;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const child: unknown = value[index];
      left -= 1;
      if (typeof child === 'object' && child !== null && left >= 0) left = countWithin(child, depth + 1, maxDepth, left);
      if (left < 0) return left;
    }
    return left;
  }
  // for-in allocates no key array, and V8 reads `value[key]` inside it from the
  // enum cache. It may also count inherited enumerable keys, which only errs
  // towards the limit, never past it.
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    left -= 1;
    if (typeof child === 'object' && child !== null && left >= 0) left = countWithin(child, depth + 1, maxDepth, left);
    if (left < 0) return left;
  }
  return left;
}

function deepestPointer(value: unknown, maxDepth: number, pointer = '', depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= maxDepth) return pointer;
  for (const [key, child] of Object.entries(value)) {
    const found = deepestPointer(child, maxDepth, `${pointer}/${key}`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function truncate(pointer: string): string {
  return pointer.length > 200 ? `${pointer.slice(0, 200)}…` : pointer;
}
