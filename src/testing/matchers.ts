import { renderValue } from '../render-value.js';
import type { Verdict } from '../types.js';
import { describeDecision, policies } from './describe-decision.js';
import { isSamePath, readPathArgument } from './path-argument.js';
import type { DecisionPath, ExpectedPath } from './path-argument.js';
import { NOT_A_DECISION, readDecision } from './shown-decision.js';
import type { ShownDecision, ShownRewrite } from './shown-decision.js';

/** The part of the `this` that vitest (and Jest) give a matcher which the tierguard matchers read. */
export interface MatcherContext {
  /** True under `.not`. */
  readonly isNot: boolean;
}

/** What a matcher returns, in the shape `expect.extend` expects. */
export interface MatcherResult {
  /** Whether the decision matched; the test runner inverts it under `.not`. */
  readonly pass: boolean;
  /** The failure message, built only when the assertion fails. */
  readonly message: () => string;
}

/** Why a matcher passed or failed, phrased for the direction that fails. */
interface Outcome {
  readonly pass: boolean;
  readonly reason: string;
}

/** What a check answers: an outcome, or (as a string) why the value is not a decision it can judge. */
type Check = (decision: ShownDecision) => Outcome | string;

/** Whether `this` is a negated assertion; a matcher called without a context is not. */
function isNegated(context: MatcherContext | undefined): boolean {
  return context?.isNot === true;
}

/** The first line of every message: the assertion as the test wrote it. */
function hintOf(isNot: boolean, call: string): string {
  return `expect(decision)${isNot ? '.not' : ''}.${call}`;
}

/**
 * A result that fails in both directions: a value that is not a decision, or an
 * argument the matcher cannot use, makes a broken test, never a pass under `.not`.
 */
function broken(isNot: boolean, call: string, reason: string): MatcherResult {
  return { pass: isNot, message: () => `${hintOf(isNot, call)}\n\n${reason}` };
}

/** Runs `check` on the received decision; the message shows the reason and then the whole decision. */
function match(isNot: boolean, call: string, received: unknown, check: Check): MatcherResult {
  const decision = readDecision(received);
  if (typeof decision === 'string') return broken(isNot, call, decision);
  const outcome = check(decision);
  if (typeof outcome === 'string') return broken(isNot, call, `${NOT_A_DECISION}, but ${outcome}`);
  return { pass: outcome.pass, message: () => `${hintOf(isNot, call)}\n\n${outcome.reason}\n\n${describeDecision(decision)}` };
}

/** A matcher that passes when the decision's verdict is `verdict`. */
function verdictMatcher(verdict: Verdict, name: string): (this: MatcherContext, received: unknown) => MatcherResult {
  return function (this: MatcherContext, received: unknown): MatcherResult {
    return match(isNegated(this), `${name}()`, received, (decision) => {
      const pass = decision.verdict === verdict;
      return { pass, reason: `expected the decision ${pass ? 'not ' : ''}to ${verdict}, but its verdict is ${decision.verdict}` };
    });
  };
}

/** Passes when the decision's verdict is `allow` (warnings may be present). */
export const toAllow = verdictMatcher('allow', 'toAllow');

/** Passes when the decision's verdict is `deny`, whether from violations or from errors under `onError: 'deny'`. */
export const toDeny = verdictMatcher('deny', 'toDeny');

/** Passes when the decision's verdict is `escalate`. */
export const toEscalate = verdictMatcher('escalate', 'toEscalate');

/** The reason a policy id argument is unusable, or undefined when it is a string. */
function policyIdProblem(policyId: unknown): string | undefined {
  return typeof policyId === 'string' ? undefined : `expected a policy id string, but received ${renderValue(policyId)}`;
}

/** Passes when the verdict is `deny` and a violation with effect `deny` names the policy `policyId`. */
export function toBeDeniedBy(this: MatcherContext, received: unknown, policyId: string): MatcherResult {
  const isNot = isNegated(this);
  const problem = policyIdProblem(policyId);
  if (problem !== undefined) return broken(isNot, 'toBeDeniedBy(policyId)', problem);
  const policy = `policy ${JSON.stringify(policyId)}`;
  return match(isNot, `toBeDeniedBy(${JSON.stringify(policyId)})`, received, (decision) => {
    const deniers = [...new Set(decision.violations.filter(({ effect }) => effect === 'deny').map(({ policyId: id }) => id))];
    if (decision.verdict !== 'deny') {
      return { pass: false, reason: `expected the decision to be denied by ${policy}, but its verdict is ${decision.verdict}` };
    }
    if (deniers.includes(policyId)) {
      return { pass: true, reason: `expected the decision not to be denied by ${policy}, but a deny violation names it` };
    }
    const by = deniers.length === 0 ? 'evaluation errors' : policies(deniers);
    return { pass: false, reason: `expected the decision to be denied by ${policy}, but it was denied by ${by}` };
  });
}

/**
 * Passes when the verdict is `escalate` and `policyId` is among the policies that
 * asked for approval (`decision.escalatedBy`). An escalation a deny outranks is
 * not one: the action is refused, nobody is asked.
 */
export function toBeEscalatedBy(this: MatcherContext, received: unknown, policyId: string): MatcherResult {
  const isNot = isNegated(this);
  const problem = policyIdProblem(policyId);
  if (problem !== undefined) return broken(isNot, 'toBeEscalatedBy(policyId)', problem);
  const policy = `policy ${JSON.stringify(policyId)}`;
  return match(isNot, `toBeEscalatedBy(${JSON.stringify(policyId)})`, received, ({ verdict, escalatedBy }) => {
    if (escalatedBy === undefined) return 'it has no escalatedBy list';
    const asked = escalatedBy.includes(policyId);
    if (verdict !== 'escalate') {
      const outranked = asked ? ` (${policy} asked for approval, but a deny outranks an escalation)` : '';
      return { pass: false, reason: `expected the decision to be escalated by ${policy}, but its verdict is ${verdict}${outranked}` };
    }
    if (asked) return { pass: true, reason: `expected the decision not to be escalated by ${policy}, but it asked for approval` };
    return {
      pass: false,
      reason: `expected the decision to be escalated by ${policy}, but approval was asked by ${policies(escalatedBy)}`,
    };
  });
}

/** Passes when the decision has a warning (from a `warn` policy), from the policy `policyId` when one is given. */
export function toWarn(this: MatcherContext, received: unknown, policyId?: string): MatcherResult {
  const isNot = isNegated(this);
  const problem = policyId === undefined ? undefined : policyIdProblem(policyId);
  if (problem !== undefined) return broken(isNot, 'toWarn(policyId?)', problem);
  const call = policyId === undefined ? 'toWarn()' : `toWarn(${JSON.stringify(policyId)})`;
  return match(isNot, call, received, ({ warnings }) => {
    const warners = [...new Set(warnings.map(({ policyId: id }) => id))];
    if (policyId === undefined) {
      return warnings.length === 0
        ? { pass: false, reason: 'expected the decision to warn, but it has no warnings' }
        : { pass: true, reason: `expected the decision not to warn, but it has ${warnings.length} warning(s) from ${policies(warners)}` };
    }
    const policy = `policy ${JSON.stringify(policyId)}`;
    if (warners.includes(policyId)) return { pass: true, reason: `expected no warning from ${policy}, but it warned` };
    const from = warnings.length === 0 ? 'the decision has no warnings' : `the warnings come from ${policies(warners)}`;
    return { pass: false, reason: `expected a warning from ${policy}, but ${from}` };
  });
}

/** Rewrites as a message lists them: `policy "p" cap_value at arguments.amount`. */
function listRewrites(rewrites: readonly ShownRewrite[]): string {
  return rewrites.map(({ policyId, op, path }) => `policy ${JSON.stringify(policyId)} ${op} at ${path}`).join(', ');
}

/**
 * Passes when a rewrite was applied to the action, at `path` when one is given.
 * A monitored policy's proposal (`applied: false`) does not count: it did not
 * change the action that runs.
 */
export function toRewrite(this: MatcherContext, received: unknown, path?: DecisionPath): MatcherResult {
  const isNot = isNegated(this);
  let expected: ExpectedPath | undefined;
  if (path !== undefined) {
    const read = readPathArgument(path);
    if (typeof read === 'string') return broken(isNot, 'toRewrite(path?)', read);
    expected = read;
  }
  const at = expected === undefined ? '' : ` at ${expected.shown}`;
  const call = path === undefined ? 'toRewrite()' : `toRewrite(${renderValue(path)})`;
  return match(isNot, call, received, ({ rewrites }) => {
    if (rewrites === undefined) return 'it has no rewrites list';
    const here = expected === undefined ? rewrites : rewrites.filter(({ segments }) => isSamePath(segments, expected));
    const applied = here.filter((rewrite) => rewrite.applied);
    if (applied.length > 0) return { pass: true, reason: `expected no rewrite${at}, but ${listRewrites(applied)} applied` };
    const proposed = here.length > 0 ? ` (${listRewrites(here)}: proposed by a monitored policy, not applied)` : '';
    const elsewhere = rewrites.filter((rewrite) => rewrite.applied);
    const found = elsewhere.length === 0 ? 'no rewrite was applied' : `the rewrites applied are ${listRewrites(elsewhere)}`;
    return { pass: false, reason: `expected a rewrite${at}, but ${found}${proposed}` };
  });
}

/**
 * Passes when a violation (of an enforced `deny` or `escalate` policy:
 * `decision.violations`) is at `path`. Warnings are not violations: assert them
 * with `toWarn`.
 */
export function toHaveViolationAt(this: MatcherContext, received: unknown, path: DecisionPath): MatcherResult {
  const isNot = isNegated(this);
  const expected = readPathArgument(path);
  if (typeof expected === 'string') return broken(isNot, 'toHaveViolationAt(path)', expected);
  return match(isNot, `toHaveViolationAt(${renderValue(path)})`, received, ({ violations, warnings }) => {
    const here = violations.filter(({ segments }) => isSamePath(segments, expected));
    if (here.length > 0) {
      return {
        pass: true,
        reason: `expected no violation at ${expected.shown}, but ${policies([...new Set(here.map(({ policyId }) => policyId))])} reports one`,
      };
    }
    const paths = [...new Set(violations.map(({ path: shown }) => shown))];
    const found = paths.length === 0 ? 'the decision has no violations' : `its violations are at ${paths.join(', ')}`;
    const warned = warnings.some(({ segments }) => isSamePath(segments, expected))
      ? ' (a warning is there: assert warnings with toWarn)'
      : '';
    return { pass: false, reason: `expected a violation at ${expected.shown}, but ${found}${warned}` };
  });
}
