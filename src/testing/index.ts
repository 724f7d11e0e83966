/**
 * tierguard/testing: vitest matchers that assert what tierguard decided, for
 * your own test suites. Failure messages show the verdict and every violation,
 * warning and error. The module does not import vitest at run time; vitest is
 * an optional peer dependency, used here for its types only.
 *
 * @example
 * ```ts
 * import { expect, it } from 'vitest';
 * import { createEngine } from 'tierguard';
 * import { tierguardMatchers } from 'tierguard/testing';
 *
 * expect.extend(tierguardMatchers);
 *
 * it('refuses large payments', async () => {
 *   const engine = await createEngine({
 *     policies: [{ id: 'payments.limit', assert: { field: 'arguments.amount', op: 'lte', value: 1000 } }],
 *   });
 *   expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 5000 } })).toBeDeniedBy('payments.limit');
 *   expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 5000 } })).toHaveViolationAt('arguments.amount');
 *   expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 50 } })).toAllow();
 * });
 * ```
 *
 * @packageDocumentation
 */
// Brings vitest's types into the program for the augmentation below; erased from the JavaScript.
import type {} from 'vitest';
import { toAllow, toBeDeniedBy, toBeEscalatedBy, toDeny, toEscalate, toHaveViolationAt, toRewrite, toWarn } from './matchers.js';
import type { DecisionPath } from './path-argument.js';

export type { MatcherContext, MatcherResult } from './matchers.js';
export type { DecisionPath } from './path-argument.js';

/**
 * The matchers to pass to `expect.extend`: `toAllow`, `toDeny`, `toEscalate`,
 * `toBeDeniedBy(policyId)`, `toBeEscalatedBy(policyId)`, `toWarn(policyId?)`,
 * `toRewrite(path?)` and `toHaveViolationAt(path)`. Each works under `.not` and
 * as an asymmetric matcher (`expect.toAllow()`); a value that is not a Decision,
 * or an argument a matcher cannot use, always fails.
 *
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * import { tierguardMatchers } from 'tierguard/testing';
 *
 * expect.extend(tierguardMatchers);
 * ```
 */
export const tierguardMatchers = Object.freeze({
  toAllow,
  toDeny,
  toEscalate,
  toBeDeniedBy,
  toBeEscalatedBy,
  toWarn,
  toRewrite,
  toHaveViolationAt,
});

/** The assertions `tierguardMatchers` add to `expect(decision)`; `R` is what an assertion returns. */
export interface TierguardMatchers<R = unknown> {
  /** Asserts that the decision's verdict is `allow` (warnings may be present). */
  toAllow(): R;
  /** Asserts that the decision's verdict is `deny`, from violations or from errors under `onError: 'deny'`. */
  toDeny(): R;
  /** Asserts that the decision's verdict is `escalate`. */
  toEscalate(): R;
  /** Asserts that the verdict is `deny` and a violation with effect `deny` names the policy `policyId`. */
  toBeDeniedBy(policyId: string): R;
  /** Asserts that the verdict is `escalate` and `policyId` is among the policies that asked for approval (`decision.escalatedBy`). */
  toBeEscalatedBy(policyId: string): R;
  /** Asserts that the decision has a warning (from a `warn` policy), from the policy `policyId` when given. */
  toWarn(policyId?: string): R;
  /** Asserts that a rewrite was applied to the action (a monitored policy's proposal does not count), at `path` when given. */
  toRewrite(path?: DecisionPath): R;
  /** Asserts that a violation of an enforced `deny` or `escalate` policy is at `path` (warnings are not violations: use `toWarn`). */
  toHaveViolationAt(path: DecisionPath): R;
}

// vitest 3.2+ reads custom matchers from `Matchers`, which types `expect(x).*`,
// `expect.*` and `expect.extend` at once; `expect.not.*` still reads
// `AsymmetricMatchersContaining`.
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends TierguardMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface AsymmetricMatchersContaining extends TierguardMatchers<any> {}
}
