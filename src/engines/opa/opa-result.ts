import { describeThrown } from '../../describe-thrown.js';
import type { Effect, PathSegment, Severity, Violation } from '../../types.js';
import { boundText, compareText, isRecord, own, stringOf } from '../json-reading.js';
import type { EngineError } from '../types.js';

/**
 * How a query's value decides: `violations` (default) reads a set or array of
 * messages or objects, one violation each; `allow` reads a boolean that must be
 * `true`; `deny` reads a boolean that must be `false`.
 */
export type OpaResultKind = 'violations' | 'allow' | 'deny';

/** What the mapping needs besides the value. */
export interface OpaResultContext {
  /** The query, which is the rule the violations name (`data.s3.deny`). */
  readonly query: string;
  /** The tierguard policy the violations belong to. */
  readonly policyId: string;
  /** Effect of violations that do not say they are warnings; default `deny`. */
  readonly effect?: Effect;
  /** How to read the value. */
  readonly kind: OpaResultKind;
  /** Most violations kept before the value is refused as too large. */
  readonly maxViolations: number;
  /** Longest message kept; longer is cut and marked. */
  readonly maxMessageLength: number;
  /** Applied to every message, e.g. to rewrite temporary paths out. */
  readonly scrub: (text: string) => string;
}

/** Violations from a query's value, or why the value cannot be read. */
export type OpaMapping =
  { readonly ok: true; readonly violations: readonly Violation[] } | { readonly ok: false; readonly error: EngineError };

/**
 * Maps the JSON that `opa eval --format json` prints to violations, never
 * throwing. The output must hold exactly one result with one expression (a
 * query like `data.s3.deny`, not `data.s3.deny[x]`); an undefined query (`{}`:
 * usually a misspelt package or rule) is an error, never a pass. For
 * `violations`, each element is a string (the message) or an object with
 * `msg` or `message`, and optionally `id` (the rule), `path` (segments or a
 * dotted string into the artifact) and `severity` (`warning`/`warn` and
 * `info`/`note` do not block); anything else is shown as JSON.
 */
export function mapOpaOutput(output: string, context: OpaResultContext): OpaMapping {
  try {
    return { ok: true, violations: readOutput(output, context) };
  } catch (thrown) {
    if (thrown instanceof OpaProblem) return { ok: false, error: thrown.problem };
    return { ok: false, error: { code: 'INVALID_OUTPUT', message: `opa output could not be read: ${describeThrown(thrown)}` } };
  }
}

/**
 * The errors OPA printed as `{ "errors": [...] }` (a policy that does not
 * compile, an input it cannot read), as one line, or `undefined` when the
 * output holds none.
 */
export function opaErrors(output: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return undefined;
  }
  const errors = isRecord(parsed) ? own(parsed, 'errors') : undefined;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors
    .slice(0, 3)
    .map((error: unknown) => {
      if (!isRecord(error)) return 'an error';
      const code = own(error, 'code');
      const message = own(error, 'message');
      const location = own(error, 'location');
      const file = isRecord(location) ? own(location, 'file') : undefined;
      const row = isRecord(location) ? own(location, 'row') : undefined;
      const where = typeof file === 'string' && file.length > 0 ? ` (${file}${typeof row === 'number' ? `:${row}` : ''})` : '';
      return `${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : 'no message'}${where}`;
    })
    .join('; ');
}

/**
 * The error for a query with no value: usually a misspelt package or rule, and
 * never a pass, since "no answer" must not read as "no violations". The same in
 * every mode, so a binding means the same thing wherever it runs.
 */
export function undefinedQueryError(query: string): EngineError {
  return {
    code: 'INVALID_BINDING',
    message: `the query ${query} is undefined for this policy and input (is the package or rule name right?)`,
  };
}

class OpaProblem extends Error {
  constructor(readonly problem: EngineError) {
    super(problem.message);
  }
}

function readOutput(output: string, context: OpaResultContext): Violation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch (thrown) {
    throw invalidOutput(`not JSON (${describeThrown(thrown)})`);
  }
  if (!isRecord(parsed)) throw invalidOutput('not an object');
  const results = own(parsed, 'result');
  if (results === undefined) {
    throw new OpaProblem(undefinedQueryError(context.query));
  }
  if (!Array.isArray(results)) throw invalidOutput('"result" is not an array');
  const first: unknown = results[0];
  const expressions = isRecord(first) ? own(first, 'expressions') : undefined;
  // A query with variables (`data.pkg.deny[x]`) has bindings, and as many results as values: refuse it even when there is one.
  const bindings = isRecord(first) ? own(first, 'bindings') : undefined;
  const bound = isRecord(bindings) && Object.keys(bindings).length > 0;
  if (results.length !== 1 || bound || !Array.isArray(expressions) || expressions.length !== 1 || !isRecord(expressions[0])) {
    throw new OpaProblem({
      code: 'INVALID_BINDING',
      message: `the query ${context.query} must be one expression with one value (data.pkg.deny, not data.pkg.deny[x])`,
    });
  }
  return readValue(own(expressions[0], 'value'), context);
}

/**
 * Maps a query's value, as OPA's server (`{ "result": value }`) and its Wasm
 * policies (`[{ "result": value }]`) give it, to violations with the same
 * rules as {@link mapOpaOutput}, never throwing. The caller has already told an
 * undefined query apart (no `result`), which is an error, never a pass.
 */
export function mapOpaValue(value: unknown, context: OpaResultContext): OpaMapping {
  try {
    return { ok: true, violations: readValue(value, context) };
  } catch (thrown) {
    if (thrown instanceof OpaProblem) return { ok: false, error: thrown.problem };
    return { ok: false, error: { code: 'INVALID_OUTPUT', message: `opa output could not be read: ${describeThrown(thrown)}` } };
  }
}

function readValue(value: unknown, context: OpaResultContext): Violation[] {
  if (context.kind !== 'violations') {
    if (typeof value !== 'boolean')
      throw invalidOutput(`the query ${context.query} gave ${kindOf(value)}, where ${context.kind} needs a boolean`);
    const passes = context.kind === 'allow' ? value : !value;
    if (passes) return [];
    return [violation(context, `${context.query} is ${String(value)}`, context.query, [], 'error')];
  }

  if (!Array.isArray(value)) {
    const hint = typeof value === 'boolean' ? ' (set the binding option "result" to "allow" or "deny" for a boolean rule)' : '';
    throw invalidOutput(`the query ${context.query} gave ${kindOf(value)}, where a set or array of violations was expected${hint}`);
  }
  if (value.length > context.maxViolations) {
    throw new OpaProblem({
      code: 'LIMIT_EXCEEDED',
      message: `the query ${context.query} gave ${value.length} violations, more than the limit of ${context.maxViolations}`,
    });
  }
  return value.map((element: unknown) => toViolation(element, context)).sort(compareViolations);
}

function toViolation(element: unknown, context: OpaResultContext): Violation {
  if (typeof element === 'string') return violation(context, element, context.query, [], 'error');
  if (!isRecord(element)) return violation(context, safeJson(element, context.maxMessageLength), context.query, [], 'error');
  const message = stringOf(own(element, 'msg')) ?? stringOf(own(element, 'message')) ?? safeJson(element, context.maxMessageLength);
  const rule = stringOf(own(element, 'id')) ?? stringOf(own(element, 'rule')) ?? context.query;
  return violation(context, message, rule, readPath(own(element, 'path')), levelOf(own(element, 'severity')));
}

type Level = 'error' | 'warning' | 'note';

const SEVERITY: Readonly<Record<Level, Severity>> = { error: 'violation', warning: 'warning', note: 'info' };

function violation(context: OpaResultContext, message: string, rule: string, path: readonly PathSegment[], level: Level): Violation {
  const effect = level === 'error' ? (context.effect ?? 'deny') : 'warn';
  return {
    policyId: context.policyId,
    tier: 'engine',
    constraint: boundText(context.scrub(rule), context.maxMessageLength),
    path,
    message: boundText(context.scrub(message), context.maxMessageLength),
    effect,
    // An error-level finding of a `warn` policy is a warning: it never blocks.
    severity: effect === 'warn' && level === 'error' ? SEVERITY.warning : SEVERITY[level],
  };
}

function levelOf(value: unknown): Level {
  if (value === 'warning' || value === 'warn') return 'warning';
  if (value === 'info' || value === 'note') return 'note';
  return 'error';
}

/** Segments as given (strings and non-negative integers), or a dotted string split; anything else is no path. */
function readPath(value: unknown): readonly PathSegment[] {
  if (typeof value === 'string') return value.length === 0 ? [] : value.split('.').slice(0, 64);
  if (!Array.isArray(value) || value.length > 64) return [];
  const segments: PathSegment[] = [];
  for (const segment of value) {
    if (typeof segment === 'string' || (typeof segment === 'number' && Number.isSafeInteger(segment) && segment >= 0))
      segments.push(segment);
    else return [];
  }
  return segments;
}

function compareViolations(a: Violation, b: Violation): number {
  return (
    compareText(a.constraint, b.constraint) ||
    compareText(JSON.stringify(a.path), JSON.stringify(b.path)) ||
    compareText(a.message, b.message)
  );
}

function invalidOutput(message: string): OpaProblem {
  return new OpaProblem({ code: 'INVALID_OUTPUT', message: `unexpected opa output: ${message}` });
}

/** JSON of a value that came from JSON.parse (so no cycles), cut to `max`. */
function safeJson(value: unknown, max: number): string {
  return boundText(JSON.stringify(value) ?? String(value), max);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
