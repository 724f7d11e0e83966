import { describeThrown } from '../../describe-thrown.js';
import type { Effect, PathSegment, Severity, Violation } from '../../types.js';
import { boundText, compareText, isRecord, own, stringOf } from '../json-reading.js';
import type { JsonRecord } from '../json-reading.js';
import type { EngineError } from '../types.js';

/** What the mapping needs besides Conftest's output. */
export interface ConftestResultContext {
  /** The tierguard policy the violations belong to. */
  readonly policyId: string;
  /** Effect of failures (`deny`, `violation` rules); default `deny`. Warnings always `warn`. */
  readonly effect?: Effect;
  /** Most failures and warnings together before the output is refused as too large. */
  readonly maxViolations: number;
  /** Longest message or rule name kept; longer is cut and marked. */
  readonly maxMessageLength: number;
  /** Applied to every message, e.g. to rewrite temporary paths out. */
  readonly scrub: (text: string) => string;
  /** What was asked for, for the message when nothing was evaluated: `all namespaces` or the list. */
  readonly namespaces: string;
}

/** Violations from Conftest's output, or why the output cannot be trusted. */
export type ConftestMapping =
  { readonly ok: true; readonly violations: readonly Violation[] } | { readonly ok: false; readonly error: EngineError };

/** Deepest `metadata.path` kept; a longer one is no path rather than a cut one that points elsewhere. */
const MAX_PATH_SEGMENTS = 64;

class ConftestProblem extends Error {
  constructor(readonly problem: EngineError) {
    super(problem.message);
  }
}

/**
 * Maps what `conftest test --output json` prints (an array with one entry per
 * file and namespace, each with `successes` and lists of `failures`,
 * `warnings`, `exceptions` and `skipped`, whose entries are `{ msg, loc?,
 * metadata? }`) to violations, never throwing.
 *
 * - failures: the context's effect, severity `violation`; warnings: effect
 *   `warn`, severity `warning`. Exceptions and skipped entries are rules the
 *   policy itself waived: not violations.
 * - `constraint`: `metadata.query`, the rule Conftest evaluated
 *   (`data.main.deny`), else `data.<namespace>`.
 * - `path`: `metadata.path` when the policy gives one (segments, or a dotted
 *   string), else `[]`.
 *
 * Output in which not a single rule was evaluated (no success, failure,
 * warning or exception in any entry; `null` when a namespace pattern matched
 * nothing) is an error, never a pass: it means the policy has no `deny`,
 * `violation` or `warn` rules in the namespaces asked for, which is a misspelt
 * rule or namespace far more often than a policy meant to pass everything.
 */
export function mapConftestOutput(output: string, context: ConftestResultContext): ConftestMapping {
  try {
    return { ok: true, violations: readOutput(output, context) };
  } catch (thrown) {
    if (thrown instanceof ConftestProblem) return { ok: false, error: thrown.problem };
    return { ok: false, error: { code: 'INVALID_OUTPUT', message: `conftest output could not be read: ${describeThrown(thrown)}` } };
  }
}

function invalid(message: string): ConftestProblem {
  return new ConftestProblem({ code: 'INVALID_OUTPUT', message: `unexpected conftest output: ${message}` });
}

function readOutput(output: string, context: ConftestResultContext): Violation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch (thrown) {
    throw invalid(`not JSON (${describeThrown(thrown)})`);
  }
  // `null` is what Conftest prints when a namespace pattern matched no namespace at all.
  if (parsed !== null && !Array.isArray(parsed)) throw invalid('not an array of results');
  const entries: readonly unknown[] = Array.isArray(parsed) ? parsed : [];

  // Check and count first, so a flood of findings is refused before any work is done on it.
  const checked: { entry: JsonRecord; failures: readonly unknown[]; warnings: readonly unknown[] }[] = [];
  let evaluated = 0;
  let findings = 0;
  entries.forEach((entry: unknown, index) => {
    if (!isRecord(entry)) throw invalid(`results[${index}] is not an object`);
    const successes = own(entry, 'successes');
    if (successes !== undefined && (typeof successes !== 'number' || !Number.isSafeInteger(successes) || successes < 0)) {
      throw invalid(`results[${index}].successes is not a count`);
    }
    const lists = ['failures', 'warnings', 'exceptions', 'skipped'].map((key): readonly unknown[] => {
      const list = own(entry, key);
      if (list !== undefined && list !== null && !Array.isArray(list)) throw invalid(`results[${index}].${key} is not an array`);
      return Array.isArray(list) ? (list as readonly unknown[]) : [];
    });
    const [failures = [], warnings = [], exceptions = [], skipped = []] = lists;
    evaluated += (successes ?? 0) + failures.length + warnings.length + exceptions.length + skipped.length;
    findings += failures.length + warnings.length;
    checked.push({ entry, failures, warnings });
  });
  if (findings > context.maxViolations) {
    throw new ConftestProblem({
      code: 'LIMIT_EXCEEDED',
      message: `conftest reported ${findings} failures and warnings, more than the limit of ${context.maxViolations}`,
    });
  }
  if (evaluated === 0) {
    throw new ConftestProblem({
      code: 'INVALID_BINDING',
      message: `conftest found no deny, violation or warn rule to evaluate in ${context.namespaces} (are the rule and package names right?)`,
    });
  }

  const violations: Violation[] = [];
  checked.forEach(({ entry, failures, warnings }, index) => {
    const namespace = stringOf(own(entry, 'namespace'));
    failures.forEach((failure: unknown, at) =>
      violations.push(toViolation(failure, `results[${index}].failures[${at}]`, namespace, 'violation', context)),
    );
    warnings.forEach((warning: unknown, at) =>
      violations.push(toViolation(warning, `results[${index}].warnings[${at}]`, namespace, 'warning', context)),
    );
  });
  return violations.sort(compareViolations);
}

function toViolation(
  finding: unknown,
  where: string,
  namespace: string | undefined,
  severity: Severity,
  context: ConftestResultContext,
): Violation {
  if (!isRecord(finding)) throw invalid(`${where} is not an object`);
  const message = stringOf(own(finding, 'msg'));
  if (message === undefined) throw invalid(`${where} has no message`);
  const metadata = own(finding, 'metadata');
  const query = isRecord(metadata) ? stringOf(own(metadata, 'query')) : undefined;
  const rule = query ?? (namespace === undefined ? 'conftest' : `data.${namespace}`);
  const effect = severity === 'violation' ? (context.effect ?? 'deny') : 'warn';
  return {
    policyId: context.policyId,
    tier: 'engine',
    constraint: boundText(context.scrub(rule), context.maxMessageLength),
    path: isRecord(metadata) ? readPath(own(metadata, 'path'), context) : [],
    message: boundText(context.scrub(message), context.maxMessageLength),
    effect,
    // A failure of a `warn` policy is a warning: it never blocks.
    severity: effect === 'warn' ? 'warning' : severity,
  };
}

/** Segments as given (strings and non-negative integers), or a dotted string split; anything else is no path. */
function readPath(value: unknown, context: ConftestResultContext): readonly PathSegment[] {
  const bound = (segment: string): string => boundText(context.scrub(segment), context.maxMessageLength);
  if (typeof value === 'string') {
    const segments = value.length === 0 ? [] : value.split('.');
    return segments.length > MAX_PATH_SEGMENTS ? [] : segments.map(bound);
  }
  if (!Array.isArray(value) || value.length > MAX_PATH_SEGMENTS) return [];
  const segments: PathSegment[] = [];
  for (const segment of value) {
    if (typeof segment === 'string') segments.push(bound(segment));
    else if (typeof segment === 'number' && Number.isSafeInteger(segment) && segment >= 0) segments.push(segment);
    else return [];
  }
  return segments;
}

function compareViolations(a: Violation, b: Violation): number {
  return (
    compareText(a.constraint, b.constraint) ||
    compareText(JSON.stringify(a.path), JSON.stringify(b.path)) ||
    compareText(a.message, b.message) ||
    compareText(a.severity, b.severity)
  );
}
