import { expect } from 'vitest';
import type { CompiledPolicy } from '../../../src/policy/compile-policy.js';
import type { RewriteResult } from '../../../src/rewrite/compile-rewrites.js';
import { TierguardError } from '../../../src/errors.js';
import type { Limits } from '../../../src/limits.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { compilePolicies } from '../../../src/policy/compile-policies.js';
import type { Action, PolicyDefinition, RewriteDefinition } from '../../../src/types.js';

/** The tool of every action built here. */
export const TOOL = 't';

/** One policy `p` that only rewrites, compiled through `compilePolicies`. */
export function rewritingPolicy(
  rewrite: readonly RewriteDefinition[],
  extra: Partial<PolicyDefinition> = {},
  limits: Limits = DEFAULT_LIMITS,
): CompiledPolicy {
  const [policy] = compilePolicies([{ id: 'p', rewrite, ...extra }], limits);
  if (policy === undefined) throw new Error('compilePolicies returned no policy');
  return policy;
}

/** Runs the rewrites of policy `p` on `action`. */
export function rewriteWith(
  rewrite: readonly RewriteDefinition[],
  action: Action,
  extra: Partial<PolicyDefinition> = {},
  limits: Limits = DEFAULT_LIMITS,
): RewriteResult {
  const run = rewritingPolicy(rewrite, extra, limits).rewrite;
  if (run === undefined) throw new Error('the policy has no compiled rewrite');
  return run(action, TOOL);
}

/** An action for tool `t` with `args` as its arguments. */
export const act = (args: Record<string, unknown>): Action => ({ tool: TOOL, arguments: args });

/** Freezes `value` and everything in it, so any write to it throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/**
 * Runs `run` on a deep-frozen `action` and checks that the action still equals
 * its snapshot afterwards: a mutation would throw or show in the comparison.
 */
export function withoutMutation<T>(action: Action, run: (frozen: Action) => T): T {
  const snapshot = structuredClone(action);
  const result = run(deepFreeze(action));
  expect(action).toEqual(snapshot);
  return result;
}

/** The INVALID_POLICY error `compilePolicies` throws for `policies`; fails the test when it does not throw one. */
export function compileError(policies: readonly unknown[], limits: Limits = DEFAULT_LIMITS): TierguardError {
  try {
    compilePolicies(policies, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(TierguardError);
    expect((error as TierguardError).code).toBe('INVALID_POLICY');
    return error as TierguardError;
  }
  throw new Error('compilePolicies accepted the policies');
}

/** One issue as `invalidPolicy` lists it in `details.issues`. */
export interface Issue {
  readonly pointer: string;
  readonly expected: string;
  readonly message: string;
  readonly actual: unknown;
}

/** The issues of a single-policy INVALID_POLICY error. */
export const issuesOf = (error: TierguardError): Issue[] => error.details.issues as Issue[];
