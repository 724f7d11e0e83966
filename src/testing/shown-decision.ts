import { formatPath } from '../format-path.js';
import { renderValue } from '../render-value.js';
import type { Effect, Verdict } from '../types.js';

/** A violation or warning as the matchers read it. */
export interface ShownViolation {
  readonly policyId: string;
  /** The path as a policy writes it (`arguments.items[0].sku`), for messages. */
  readonly path: string;
  /** The path's segments as strings, for comparing with a path a test names. */
  readonly segments: readonly string[];
  readonly message: string;
  readonly effect: Effect;
}

/** A rewrite as the matchers read it. */
export interface ShownRewrite {
  readonly policyId: string;
  readonly op: string;
  readonly path: string;
  readonly segments: readonly string[];
  /** The value written, rendered; undefined for ops that write none (`remove_field`). */
  readonly value: string | undefined;
  /** False for a monitored policy's proposal, which did not change the action. */
  readonly applied: boolean;
}

/** An evaluation error as the matchers read it. */
export interface ShownError {
  readonly code: string;
  readonly message: string;
  readonly policyId: string | undefined;
}

/**
 * A copy of the received decision, taken once while it is checked, so that the
 * message (built later, and only on failure) never reads the received value again.
 * `rewrites` and `escalatedBy` are undefined when the value has no such field: the
 * matchers that need them then fail, and the others still read a decision built
 * by hand with only a verdict, violations, warnings and errors.
 */
export interface ShownDecision {
  readonly verdict: Verdict;
  readonly violations: readonly ShownViolation[];
  readonly warnings: readonly ShownViolation[];
  readonly errors: readonly ShownError[];
  readonly rewrites: readonly ShownRewrite[] | undefined;
  readonly escalatedBy: readonly string[] | undefined;
}

/** The start of every message about a value that is not a decision. */
export const NOT_A_DECISION = 'expected a tierguard Decision (what engine.evaluate or engine.evaluateAuto returns)';

const VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>(['allow', 'deny', 'escalate']);
const EFFECTS: ReadonlySet<Effect> = new Set<Effect>(['deny', 'escalate', 'warn']);

/** Narrows `value` to a member of `set`. */
function isOneOf<T>(set: ReadonlySet<T>, value: unknown): value is T {
  return (set as ReadonlySet<unknown>).has(value);
}

/** Reads a value as a Record, or undefined when it is not a non-null object. */
function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** True for a path of keys and indices, as violations and rewrites carry. */
function isPath(value: unknown): value is readonly (string | number)[] {
  return Array.isArray(value) && value.every((segment) => typeof segment === 'string' || typeof segment === 'number');
}

/** What every violation and rewrite has: the policy that reported it and the path into the action. */
interface Located {
  readonly record: Record<string, unknown>;
  readonly policyId: string;
  /** The path as a policy writes it, and its segments as strings. */
  readonly shown: { readonly path: string; readonly segments: readonly string[] };
}

/** Reads the policy id and path of a violation or rewrite; undefined when `value` lacks either. */
function readLocated(value: unknown): Located | undefined {
  const record = asRecord(value);
  const path = record?.path;
  if (record === undefined || typeof record.policyId !== 'string' || !isPath(path)) return undefined;
  return { record, policyId: record.policyId, shown: { path: formatPath(path), segments: path.map(String) } };
}

/** A violation or warning, or the reason `value` is not one. */
function readViolation(value: unknown, where: string): ShownViolation | string {
  const located = readLocated(value);
  const { message, effect } = located?.record ?? {};
  if (located === undefined || typeof message !== 'string' || !isOneOf(EFFECTS, effect)) {
    return `${where} is not a Violation (a string policyId and message, a path of keys and indices, an effect)`;
  }
  return { policyId: located.policyId, ...located.shown, message, effect };
}

/** A rewrite, or the reason `value` is not one. */
function readRewrite(value: unknown, where: string): ShownRewrite | string {
  const located = readLocated(value);
  const { op, applied } = located?.record ?? {};
  if (located === undefined || typeof op !== 'string' || typeof applied !== 'boolean') {
    return `${where} is not a Rewrite (a string policyId and op, a path of keys and indices, a boolean applied)`;
  }
  const written = Object.hasOwn(located.record, 'value') ? renderValue(located.record.value) : undefined;
  return { policyId: located.policyId, op, ...located.shown, value: written, applied };
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

/** The list of policy ids in `escalatedBy`, or the reason it is unreadable; undefined when the field is absent. */
function readEscalatedBy(value: unknown): readonly string[] | string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return 'escalatedBy is not an array';
  const index = value.findIndex((id) => typeof id !== 'string');
  return index === -1 ? [...(value as string[])] : `escalatedBy[${index}] is not a policy id string`;
}

/** The received value as a decision, or the reason it is not one. Never throws, even on hostile getters. */
export function readDecision(received: unknown): ShownDecision | string {
  try {
    if (typeof (received as { then?: unknown } | null)?.then === 'function') {
      return `${NOT_A_DECISION}, but received a Promise: await engine.evaluate(action) first, or use expect(promise).resolves`;
    }
    const record = asRecord(received);
    const verdict = record?.verdict;
    if (record === undefined || !isOneOf(VERDICTS, verdict)) {
      return `${NOT_A_DECISION}, but received ${renderValue(received)}: no verdict of allow, deny or escalate`;
    }
    const { violations, warnings, errors, rewrites } = record;
    if (!Array.isArray(violations) || !Array.isArray(warnings) || !Array.isArray(errors)) {
      return `${NOT_A_DECISION}, but received ${renderValue(received)}: violations, warnings and errors must be arrays`;
    }
    if (rewrites !== undefined && !Array.isArray(rewrites)) return `${NOT_A_DECISION}, but its rewrites is not an array`;
    const shownViolations = readAll(violations, 'violations', readViolation);
    if (typeof shownViolations === 'string') return `${NOT_A_DECISION}, but its ${shownViolations}`;
    const shownWarnings = readAll(warnings, 'warnings', readViolation);
    if (typeof shownWarnings === 'string') return `${NOT_A_DECISION}, but its ${shownWarnings}`;
    const shownErrors = readAll(errors, 'errors', readError);
    if (typeof shownErrors === 'string') return `${NOT_A_DECISION}, but its ${shownErrors}`;
    const shownRewrites = rewrites === undefined ? undefined : readAll(rewrites as unknown[], 'rewrites', readRewrite);
    if (typeof shownRewrites === 'string') return `${NOT_A_DECISION}, but its ${shownRewrites}`;
    const escalatedBy = readEscalatedBy(record.escalatedBy);
    if (typeof escalatedBy === 'string') return `${NOT_A_DECISION}, but its ${escalatedBy}`;
    return {
      verdict,
      violations: shownViolations,
      warnings: shownWarnings,
      errors: shownErrors,
      rewrites: shownRewrites,
      escalatedBy,
    };
  } catch {
    return `${NOT_A_DECISION}, but reading the received value threw`;
  }
}
