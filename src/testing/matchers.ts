import { formatPath } from '../format-path.js';
import { renderValue } from '../render-value.js';
import type { Effect, Verdict } from '../types.js';

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

/** A violation or warning as the messages show it. */
interface ShownViolation {
  readonly policyId: string;
  readonly path: string;
  readonly message: string;
  readonly effect: Effect;
}

/** An evaluation error as the messages show it. */
interface ShownError {
  readonly code: string;
  readonly message: string;
  readonly policyId: string | undefined;
}

/**
 * A copy of the received decision, taken once while it is checked, so that the
 * message (built later, and only on failure) never reads the received value again.
 */
interface ShownDecision {
  readonly verdict: Verdict;
  readonly violations: readonly ShownViolation[];
  readonly warnings: readonly ShownViolation[];
  readonly errors: readonly ShownError[];
}

/** Why a matcher passed or failed, phrased for the direction that fails. */
interface Outcome {
  readonly pass: boolean;
  readonly reason: string;
}

const VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>(['allow', 'deny', 'escalate']);
const EFFECTS: ReadonlySet<Effect> = new Set<Effect>(['deny', 'escalate', 'warn']);
const NOT_A_DECISION = 'expected a tierguard Decision (what engine.evaluate or engine.evaluateAuto returns)';

/** Narrows `value` to a member of `set`. */
function isOneOf<T>(set: ReadonlySet<T>, value: unknown): value is T {
  return (set as ReadonlySet<unknown>).has(value);
}

/** Reads a value as a Record, or undefined when it is not a non-null object. */
function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** A violation or warning, or the reason `value` is not one. */
function readViolation(value: unknown, where: string): ShownViolation | string {
  const record = asRecord(value);
  const path = record?.path;
  if (
    record === undefined ||
    typeof record.policyId !== 'string' ||
    typeof record.message !== 'string' ||
    !isOneOf(EFFECTS, record.effect) ||
    !Array.isArray(path) ||
    !path.every((segment) => typeof segment === 'string' || typeof segment === 'number')
  ) {
    return `${where} is not a Violation (a string policyId and message, a path of keys and indices, an effect)`;
  }
  return { policyId: record.policyId, path: formatPath(path), message: record.message, effect: record.effect };
}

/** An evaluation error, or the reason `value` is not one. */
function readError(value: unknown, where: string): ShownError | string {
  const record = asRecord(value);
  if (record === undefined || typeof record.code !== 'string' || typeof record.message !== 'string') {
    return `${where} is not an EvaluationError (a string code and message)`;
  }
  return { code: record.code, message: record.message, policyId: typeof record.policyId === 'string' ? record.policyId : undefined };
}

/** Reads every entry of `list` with `read`, or returns the first reason one is unreadable. */
function readAll<T>(list: readonly unknown[], name: string, read: (value: unknown, where: string) => T | string): T[] | string {
  const shown: T[] = [];
  for (const [index, value] of list.entries()) {
    const entry = read(value, `${name}[${index}]`);
    if (typeof entry === 'string') return entry;
    shown.push(entry);
  }
  return shown;
}

/** The received value as a decision, or the reason it is not one. Never throws, even on hostile getters. */
function readDecision(received: unknown): ShownDecision | string {
  try {
    if (typeof (received as { then?: unknown } | null)?.then === 'function') {
      return `${NOT_A_DECISION}, but received a Promise: await engine.evaluate(action) first, or use expect(promise).resolves`;
    }
    const record = asRecord(received);
    const verdict = record?.verdict;
    if (record === undefined || !isOneOf(VERDICTS, verdict)) {
      return `${NOT_A_DECISION}, but received ${renderValue(received)}: no verdict of allow, deny or escalate`;
    }
    const { violations, warnings, errors } = record;
    if (!Array.isArray(violations) || !Array.isArray(warnings) || !Array.isArray(errors)) {
      return `${NOT_A_DECISION}, but received ${renderValue(received)}: violations, warnings and errors must be arrays`;
    }
    const shownViolations = readAll(violations, 'violations', readViolation);
    if (typeof shownViolations === 'string') return `${NOT_A_DECISION}, but its ${shownViolations}`;
    const shownWarnings = readAll(warnings, 'warnings', readViolation);
    if (typeof shownWarnings === 'string') return `${NOT_A_DECISION}, but its ${shownWarnings}`;
    const shownErrors = readAll(errors, 'errors', readError);
    if (typeof shownErrors === 'string') return `${NOT_A_DECISION}, but its ${shownErrors}`;
    return { verdict, violations: shownViolations, warnings: shownWarnings, errors: shownErrors };
  } catch {
    return `${NOT_A_DECISION}, but reading the received value threw`;
  }
}

/** One titled list of the decision's contents: `violations (2):` then one line each, or `violations: none`. */
function section(title: string, lines: readonly string[]): string {
  return lines.length === 0 ? `${title}: none` : [`${title} (${lines.length}):`, ...lines.map((line) => `  - ${line}`)].join('\n');
}

/** One line per violation: policy, field, message, effect. */
function violationLine({ policyId, path, message, effect }: ShownViolation): string {
  return `policy ${JSON.stringify(policyId)} at ${path}: ${message} [${effect}]`;
}

/** The whole decision as the messages show it. */
function describeDecision(decision: ShownDecision): string {
  return [
    `verdict: ${decision.verdict}`,
    section('violations', decision.violations.map(violationLine)),
    section('warnings', decision.warnings.map(violationLine)),
    section(
      'errors',
      decision.errors.map(
        ({ code, message, policyId }) => `${code}${policyId === undefined ? '' : ` in policy ${JSON.stringify(policyId)}`}: ${message}`,
      ),
    ),
  ].join('\n');
}

/** Whether `this` is a negated assertion; a matcher called without a context is not. */
function isNegated(context: MatcherContext | undefined): boolean {
  return context?.isNot === true;
}

/**
 * Runs `check` on the received decision. A value that is not a decision fails
 * under `.not` as well: `expect(42).not.toAllow()` is a broken test, not a pass.
 */
function match(isNot: boolean, call: string, received: unknown, check: (decision: ShownDecision) => Outcome): MatcherResult {
  const hint = `expect(decision)${isNot ? '.not' : ''}.${call}`;
  const decision = readDecision(received);
  if (typeof decision === 'string') return { pass: isNot, message: () => `${hint}\n\n${decision}` };
  const { pass, reason } = check(decision);
  return { pass, message: () => `${hint}\n\n${reason}\n\n${describeDecision(decision)}` };
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

/** Passes when the verdict is `deny` and a violation with effect `deny` names the policy `policyId`. */
export function toBeDeniedBy(this: MatcherContext, received: unknown, policyId: string): MatcherResult {
  const isNot = isNegated(this);
  if (typeof policyId !== 'string') {
    const hint = `expect(decision)${isNot ? '.not' : ''}.toBeDeniedBy(policyId)`;
    return { pass: isNot, message: () => `${hint}\n\nexpected a policy id string, but received ${renderValue(policyId)}` };
  }
  const policy = `policy ${JSON.stringify(policyId)}`;
  return match(isNot, `toBeDeniedBy(${JSON.stringify(policyId)})`, received, (decision) => {
    const deniers = [...new Set(decision.violations.filter(({ effect }) => effect === 'deny').map(({ policyId: id }) => id))];
    if (decision.verdict !== 'deny') {
      return { pass: false, reason: `expected the decision to be denied by ${policy}, but its verdict is ${decision.verdict}` };
    }
    if (deniers.includes(policyId)) {
      return { pass: true, reason: `expected the decision not to be denied by ${policy}, but a deny violation names it` };
    }
    const by = deniers.length === 0 ? 'evaluation errors' : deniers.map((id) => `policy ${JSON.stringify(id)}`).join(', ');
    return { pass: false, reason: `expected the decision to be denied by ${policy}, but it was denied by ${by}` };
  });
}
