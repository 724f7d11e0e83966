import { types } from 'node:util';
import { formatPath } from '../format-path.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { readOwn } from '../path/own-property.js';
import type { Decision, JsonValue, PathSegment, RewriteOp, Violation } from '../types.js';

// Audit-safe violations: every value a violation quotes from the action is
// rendered as bounded JSON data, and none that a rewrite hid is kept. The two
// halves stay in one file (longer than most) because the bounded rendering is
// what finds the hidden values: split, each would walk the value again.

/** Bounds on one value (a violation's `expected` or `actual`, a label) copied into an audit event. */
export interface AuditValueBounds {
  /** Longer strings (and object keys) are cut here and marked with their full length. */
  readonly maxStringLength: number;
  /** Objects and arrays nested deeper become `"<too deep>"`; the value itself is at depth 0. */
  readonly maxDepth: number;
  /** A value with more parts than this is replaced whole by a description of it. */
  readonly maxNodes: number;
}

/**
 * Defaults: enough to show what failed in a log line, small enough that an
 * action holding a megabyte string or a 100,000-element array cannot bloat
 * every audit record.
 */
export const AUDIT_VALUE_BOUNDS: AuditValueBounds = Object.freeze({ maxStringLength: 1_024, maxDepth: 16, maxNodes: 1_000 });

/** Thrown inside the walk only, when a value passes `maxNodes`. */
class TooLarge extends Error {}

/**
 * `value` as plain JSON data that survives `JSON.parse(JSON.stringify(...))`
 * unchanged, or `undefined` for `undefined`. What JSON cannot hold becomes a
 * short description (`"<bigint>"`, `"<function>"`, `"<symbol>"`, `"<NaN>"`,
 * `"<cycle>"`, `"<proxy>"`, `"<unreadable>"` for a getter that throws, `"<too deep>"`);
 * a Date becomes its ISO string, as JSON.stringify writes it. Never throws and
 * never runs a Proxy trap.
 */
export function auditValue(value: unknown, bounds: AuditValueBounds = AUDIT_VALUE_BOUNDS): JsonValue | undefined {
  if (value === undefined) return undefined;
  // A scalar (a label, most violation values) is rendered as the walk would render it, without one.
  if (bounds.maxNodes >= 1) {
    if (typeof value === 'string') return truncate(value, bounds.maxStringLength);
    if (typeof value === 'boolean' || value === null) return value;
    if (typeof value === 'number') return renderNumber(value);
  }
  const walk = new ValueWalk(bounds);
  try {
    return walk.render(value, 0);
  } catch (error) {
    if (!(error instanceof TooLarge)) return '<unreadable>';
    return `<${Array.isArray(value) ? 'array' : 'object'} of more than ${bounds.maxNodes} values>`;
  }
}

class ValueWalk {
  private nodes = 0;
  /** The objects on the path from the root, to tell a cycle from a shared reference. */
  private readonly ancestors = new Set<object>();

  constructor(private readonly bounds: AuditValueBounds) {}

  render(value: unknown, depth: number): JsonValue {
    this.count(1);
    switch (typeof value) {
      case 'string':
        return truncate(value, this.bounds.maxStringLength);
      case 'number':
        return renderNumber(value);
      case 'boolean':
        return value;
      case 'object':
        return value === null ? null : this.container(value, depth);
      default:
        return `<${typeof value}>`;
    }
  }

  private container(value: object, depth: number): JsonValue {
    if (types.isProxy(value)) return '<proxy>';
    if (this.ancestors.has(value)) return '<cycle>';
    if (depth >= this.bounds.maxDepth) return '<too deep>';
    if (types.isDate(value)) {
      try {
        return Date.prototype.toISOString.call(value);
      } catch {
        return '<invalid date>';
      }
    }
    this.ancestors.add(value);
    try {
      return Array.isArray(value) ? this.array(value, depth) : this.object(value, depth);
    } finally {
      this.ancestors.delete(value);
    }
  }

  private array(value: readonly unknown[], depth: number): JsonValue[] {
    const rendered: JsonValue[] = [];
    const length = value.length;
    for (let index = 0; index < length; index += 1) {
      // Holes and undefined elements are null, as in JSON.
      const element = this.read(() => (Object.hasOwn(value, index) ? value[index] : undefined));
      if (element === undefined) {
        this.count(1);
        rendered.push(null);
      } else {
        rendered.push(this.render(element, depth + 1));
      }
    }
    return rendered;
  }

  private object(value: object, depth: number): { [key: string]: JsonValue } {
    // for-in with an own-property check lists no more keys than the budget allows.
    const keys: string[] = [];
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      keys.push(key);
      if (this.nodes + keys.length > this.bounds.maxNodes) throw new TooLarge();
    }
    const rendered: { [key: string]: JsonValue } = {};
    for (const key of keys) {
      const child = this.read(() => (value as Record<string, unknown>)[key]);
      if (child === undefined) continue;
      setOwn(rendered, truncate(key, this.bounds.maxStringLength), this.render(child, depth + 1));
    }
    return rendered;
  }

  /** A getter may throw; its value is then described, not propagated. */
  private read(get: () => unknown): unknown {
    try {
      return get();
    } catch {
      return '<unreadable>';
    }
  }

  private count(nodes: number): void {
    this.nodes += nodes;
    if (this.nodes > this.bounds.maxNodes) throw new TooLarge();
  }
}

// `-0` would come back from JSON as `0`; NaN and the infinities as null.
function renderNumber(value: number): JsonValue {
  return Number.isFinite(value) ? (value === 0 ? 0 : value) : `<${value}>`;
}

/** Cuts a string, never between the halves of a surrogate pair, and says how long it was. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return `${text.slice(0, end)}…(${text.length} chars)`;
}

// `rendered.__proto__ = x` would set the prototype instead of adding the key JSON.parse would add.
function setOwn(target: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** The rewrites that hide a value: what they replaced must not reach the audit log. */
const HIDING_OPS: ReadonlySet<RewriteOp> = new Set<RewriteOp>(['mask_field', 'remove_field', 'replace']);

/** A rewrite path segment that stands for any segment, in case a path is reported unexpanded; at worst it redacts more. */
const ANY_SEGMENT = '*';

/** Strings shorter than this are not searched for in messages: `"on"` would match half of them. */
const MIN_NEEDLE_LENGTH = 4;

/** How many characters of a hidden string are searched for: messages quote values cut short. */
const NEEDLE_LENGTH = 64;

/**
 * Most distinct needles searched for in each message. Each costs a scan of every
 * message, and the agent may choose what a monitored rewrite hides; past this,
 * messages are withheld rather than searched, so a decision's audit stays cheap.
 */
export const MAX_MESSAGE_NEEDLES = 1_024;

/**
 * How far the values at hidden paths are read: as far as the engine's default
 * limits let an action go, so every hidden value of an action those limits
 * accept is collected whole. Past them (an engine with raised limits) the
 * redaction is incomplete and fails closed. Strings are cut exactly as
 * {@link AUDIT_VALUE_BOUNDS} cuts them in events, so they compare equal.
 */
const HIDDEN_VALUE_BOUNDS: AuditValueBounds = Object.freeze({
  maxStringLength: AUDIT_VALUE_BOUNDS.maxStringLength,
  maxDepth: DEFAULT_LIMITS.maxDepth,
  maxNodes: DEFAULT_LIMITS.maxNodes,
});

/** What to redact for one decision; built once by {@link redactionFor}, applied per violation. */
export interface Redaction {
  /** Paths of the `mask_field`, `remove_field` and `replace` rewrites, applied or proposed, segments as strings. */
  readonly paths: readonly (readonly string[])[];
  /**
   * Strings and numbers found at the paths of proposed (monitored) hiding rewrites:
   * the action still holds them, and a comparison with `valueRef` can quote them
   * as `expected` of a violation at any path.
   */
  readonly values: ReadonlySet<string | number>;
  /** Prefixes of the longer hidden strings, raw and JSON-escaped, searched for in messages. */
  readonly needles: readonly string[];
  /** False when there were more than {@link MAX_MESSAGE_NEEDLES} needles: then no message is kept. */
  readonly messagesSearched: boolean;
  /**
   * False when a hidden value could not be read whole (past the bounds, a Proxy,
   * a getter that throws): `values` may then miss some, so every value and
   * message taken from the action is withheld rather than searched.
   */
  readonly complete: boolean;
}

/** The redaction a decision calls for: empty when no rewrite hid anything. */
export function redactionFor(decision: Pick<Decision, 'rewrites' | 'action'>): Redaction {
  const paths: string[][] = [];
  const values = new Set<string | number>();
  let complete = true;
  for (const rewrite of decision.rewrites) {
    if (!HIDING_OPS.has(rewrite.op)) continue;
    const path = rewrite.path.map(String);
    paths.push(path);
    // An applied rewrite left only its own constant in the action; a proposed one left the original.
    if (rewrite.applied || !complete) continue;
    const hidden = valueAt(decision.action, path);
    complete = hidden !== UNREADABLE && collectLeaves(hidden, values);
  }
  const needles = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_NEEDLE_LENGTH) continue;
    needles.add(value.slice(0, NEEDLE_LENGTH)).add(JSON.stringify(value).slice(1, -1).slice(0, NEEDLE_LENGTH));
    if (needles.size > MAX_MESSAGE_NEEDLES) break;
  }
  const messagesSearched = needles.size <= MAX_MESSAGE_NEEDLES;
  return { paths, values, needles: messagesSearched ? [...needles] : [], messagesSearched, complete };
}

/**
 * A violation as it goes into an audit event. `expected` and `actual` are
 * rendered with {@link auditValue}. When its path is equal to, inside or an
 * ancestor of a hiding rewrite's path, `actual` is dropped and the message,
 * which may quote it, is replaced by a neutral one; `expected` (the policy's
 * side) is kept. When `expected` or `actual` holds a value hidden by a proposed
 * rewrite (read through `valueRef`), or the message quotes one, those go too.
 * When the hidden values could not all be collected, `expected`, `actual` and the
 * message all go: what cannot be searched is withheld.
 */
export function auditViolation(violation: Violation, redaction: Redaction): Violation {
  const atHiddenPath = redaction.paths.some((path) => overlaps(violation.path, path));
  let expected = redaction.complete ? auditValue(violation.expected) : undefined;
  let actual = atHiddenPath || !redaction.complete ? undefined : auditValue(violation.actual);
  let redacted = atHiddenPath || !redaction.complete;
  if (redaction.values.size > 0) {
    if (expected !== undefined && holdsAny(expected, redaction)) {
      expected = undefined;
      redacted = true;
    }
    if (actual !== undefined && holdsAny(actual, redaction)) {
      actual = undefined;
      redacted = true;
    }
    if (quotesHidden(violation.message, redaction)) redacted = true;
  }
  const path = [...violation.path];
  return {
    policyId: violation.policyId,
    tier: violation.tier,
    constraint: violation.constraint,
    path,
    message: redacted ? neutralMessage(violation) : violation.message,
    ...(expected === undefined ? {} : { expected }),
    ...(actual === undefined ? {} : { actual }),
    effect: violation.effect,
    severity: violation.severity,
  };
}

/**
 * A violation's message as it may leave the engine for someone who must not see
 * what a proposed rewrite hid (an MCP client): neutral when it quotes a hidden
 * value, or may (its `expected` or `actual` holds one, or the hidden values
 * could not all be collected). Unlike {@link auditViolation} it keeps messages at
 * rewritten paths, which quote only what the caller sent or the rewrite left.
 */
export function redactedMessage(violation: Violation, redaction: Redaction): string {
  if (!redaction.complete) return neutralMessage(violation);
  if (redaction.values.size === 0) return violation.message;
  const leaks =
    quotesHidden(violation.message, redaction) ||
    [violation.expected, violation.actual].some((value) => {
      const rendered = auditValue(value);
      return rendered !== undefined && holdsAny(rendered, redaction);
    });
  return leaks ? neutralMessage(violation) : violation.message;
}

function neutralMessage(violation: Violation): string {
  return `${violation.policyId}: ${violation.constraint} failed at ${formatPath(violation.path)} (value redacted)`;
}

function quotesHidden(message: string, redaction: Redaction): boolean {
  return !redaction.messagesSearched || redaction.needles.some((needle) => message.includes(needle));
}

/** True when one path is a prefix of the other: the same field, a field inside it, or one containing it. */
function overlaps(violationPath: readonly PathSegment[], rewritePath: readonly string[]): boolean {
  const shared = Math.min(violationPath.length, rewritePath.length);
  for (let index = 0; index < shared; index += 1) {
    const segment = rewritePath[index];
    // Index 0 and key "0" name the same element; comparing as strings errs towards redacting.
    if (segment !== ANY_SEGMENT && segment !== String(violationPath[index])) return false;
  }
  return true;
}

/** Stands for a value that is there but cannot be read without running foreign code. */
const UNREADABLE: unique symbol = Symbol('unreadable');

/**
 * The value at a concrete path, own properties only; `undefined` when missing,
 * {@link UNREADABLE} when the path runs through a Proxy, a `*` or a getter that throws.
 */
function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  try {
    for (const segment of path) {
      if (segment === ANY_SEGMENT || (typeof value === 'object' && value !== null && types.isProxy(value))) return UNREADABLE;
      value = readOwn(value, segment);
    }
  } catch {
    return UNREADABLE;
  }
  return value;
}

/**
 * Adds every string and number in a hidden value to `into`, in the forms an
 * audit event would hold them (strings cut as {@link auditValue} cuts them, `-0`
 * as `0`, a Date as its ISO string). Returns false, having collected only part,
 * when the value cannot be read whole: past {@link HIDDEN_VALUE_BOUNDS}, a Proxy
 * (reading it would run its traps), or a getter that throws.
 */
function collectLeaves(value: unknown, into: Set<string | number>): boolean {
  const { maxDepth, maxNodes, maxStringLength } = HIDDEN_VALUE_BOUNDS;
  // Shared references are read once; a cycle is then no different from one.
  const seen = new Set<object>();
  const pending: { readonly value: unknown; readonly depth: number }[] = [{ value, depth: 0 }];
  // Counted as values are queued, so a huge array or object is refused before it is listed.
  let nodes = 1;
  const queue = (child: unknown, depth: number): boolean => {
    nodes += 1;
    if (nodes > maxNodes) return false;
    pending.push({ value: child, depth });
    return true;
  };
  try {
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const { value: current, depth } = next;
      if (typeof current === 'string') {
        into.add(truncate(current, maxStringLength));
      } else if (typeof current === 'number') {
        if (Number.isFinite(current)) into.add(current === 0 ? 0 : current);
      } else if (typeof current === 'object' && current !== null) {
        if (types.isProxy(current) || depth >= maxDepth) return false;
        if (seen.has(current)) continue;
        seen.add(current);
        if (types.isDate(current)) {
          if (Number.isFinite(current.getTime())) into.add(current.toISOString());
        } else if (Array.isArray(current)) {
          const length = current.length;
          // A hole counts too: a sparse array of length 2^32-1 must not be walked to its end.
          for (let index = 0; index < length; index += 1) {
            if (!queue(Object.hasOwn(current, index) ? current[index] : undefined, depth + 1)) return false;
          }
        } else {
          for (const key in current) {
            if (Object.hasOwn(current, key) && !queue((current as Record<string, unknown>)[key], depth + 1)) return false;
          }
        }
      }
      // Booleans, null and what JSON cannot hold are quoted as descriptions, never as the value.
    }
  } catch {
    // A getter that throws: what it guards cannot be known, so neither can what to redact.
    return false;
  }
  return true;
}

/** True when a rendered value is, or contains, a hidden string or number. */
function holdsAny(value: JsonValue, redaction: Redaction): boolean {
  const pending: JsonValue[] = [value];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next === 'string' || typeof next === 'number') {
      if (redaction.values.has(next)) return true;
    } else if (Array.isArray(next)) {
      pending.push(...next);
    } else if (typeof next === 'object' && next !== null) {
      pending.push(...Object.values(next));
    }
  }
  return false;
}
