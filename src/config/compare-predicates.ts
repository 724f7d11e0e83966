import { jsonEquals } from '../json-values.js';
import { renderValue } from '../render-value.js';
import type { AspectVerdict } from './strictness.js';
import { combineVerdicts } from './strictness.js';

/** A verdict on two predicates, with what differs when they are not the same. */
export interface PredicateComparison {
  readonly verdict: AspectVerdict;
  readonly message?: string;
}

/** Comparisons whose bound can be compared: a larger `lte` allows more, a smaller `gte` allows more, and so on. */
const BOUNDED: ReadonlySet<string> = new Set(['lt', 'lte', 'gt', 'gte', 'in', 'not_in']);

/**
 * Compares the `assert` of a lower-precedence definition with the higher one's.
 * Both are read as conjunctions (`all` flattened; anything else one conjunct):
 * each conjunct of the higher must be met by a conjunct of the lower that is
 * the same or a decidably tighter bound on the same field and operator (`lte`
 * or `lt` with a smaller number, `gte` or `gt` with a larger one, `in` with
 * fewer values, `not_in` with more). A conjunct only the lower has tightens.
 * A bound the lower widens is weaker; anything else (`any`, `not`, `eq`, `regex`,
 * another operator or field, a `valueRef`) is undecidable unless identical.
 */
export function comparePredicates(higher: unknown, lower: unknown): PredicateComparison {
  if (jsonEquals(higher, lower)) return { verdict: 'same' };
  const highers = conjuncts(higher);
  const lowers = conjuncts(lower);
  const matched = new Set<number>();
  const verdicts: AspectVerdict[] = [];
  const messages: string[] = [];
  for (const conjunct of highers) {
    const equal = lowers.findIndex((candidate) => jsonEquals(candidate, conjunct));
    if (equal !== -1) {
      matched.add(equal);
      verdicts.push('same');
      continue;
    }
    let best: { verdict: AspectVerdict; index: number; message: string } | undefined;
    lowers.forEach((candidate, index) => {
      const bound = compareBound(conjunct, candidate);
      if (bound === undefined) return;
      // A tighter bound on the same field meets the conjunct; otherwise the weaker one is what is reported.
      if (best === undefined || bound.verdict === 'tighter' || (bound.verdict === 'weaker' && best.verdict !== 'tighter'))
        best = { ...bound, index };
    });
    if (best === undefined) {
      verdicts.push('undecidable');
      messages.push(`${describe(conjunct)} has no same or comparable conjunct in the lower definition`);
      continue;
    }
    matched.add(best.index);
    verdicts.push(best.verdict);
    if (best.verdict !== 'tighter') messages.push(best.message);
  }
  // A conjunct only the lower has is one more condition an action must meet.
  if (lowers.some((_, index) => !matched.has(index))) verdicts.push('tighter');
  const verdict = combineVerdicts(verdicts);
  return messages.length === 0 ? { verdict } : { verdict, message: messages.join('; ') };
}

/** The conjuncts of a predicate: an `all` (nested `all`s included) is its members; anything else is itself. */
function conjuncts(predicate: unknown): unknown[] {
  if (typeof predicate === 'object' && predicate !== null && !Array.isArray(predicate)) {
    const keys = Object.keys(predicate);
    const { all } = predicate as { all?: unknown };
    if (keys.length === 1 && Array.isArray(all)) return all.flatMap(conjuncts);
  }
  return [predicate];
}

interface Comparison {
  readonly field: unknown;
  readonly op: unknown;
  readonly value?: unknown;
  readonly [key: string]: unknown;
}

/**
 * Two comparisons of one field with one bounded operator and otherwise equal
 * keys, compared by their bound; `undefined` when they are not comparable so.
 */
function compareBound(higher: unknown, lower: unknown): { verdict: AspectVerdict; message: string } | undefined {
  if (!isComparison(higher) || !isComparison(lower)) return undefined;
  if (higher.field !== lower.field || higher.op !== lower.op || typeof higher.op !== 'string' || !BOUNDED.has(higher.op)) return undefined;
  if (Object.hasOwn(higher, 'valueRef') || Object.hasOwn(lower, 'valueRef')) return undefined;
  const { value: highValue, ...highRest } = higher;
  const { value: lowValue, ...lowRest } = lower;
  if (!jsonEquals(highRest, lowRest)) return undefined;
  const change = `${String(higher.field)} ${higher.op} ${renderValue(highValue)} became ${higher.op} ${renderValue(lowValue)}`;
  const verdict = boundVerdict(higher.op, highValue, lowValue);
  if (verdict === 'undecidable') return { verdict, message: `${change}: the bounds cannot be compared` };
  return { verdict, message: verdict === 'weaker' ? `${change}: it allows more` : change };
}

function boundVerdict(op: string, higher: unknown, lower: unknown): AspectVerdict {
  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(higher) || !Array.isArray(lower)) return 'undecidable';
    // `in` with a value only the lower lists, or `not_in` missing a value the higher lists, lets that value through.
    const [wider, narrower] = op === 'in' ? [lower, higher] : [higher, lower];
    const missingFrom = (values: unknown[], from: unknown[]): boolean =>
      values.some((value) => !from.some((other) => jsonEquals(other, value)));
    if (missingFrom(wider, narrower)) return 'weaker';
    return missingFrom(narrower, wider) ? 'tighter' : 'same';
  }
  if (typeof higher !== 'number' || typeof lower !== 'number') return 'undecidable';
  if (higher === lower) return 'same';
  const upperBound = op === 'lt' || op === 'lte';
  return (upperBound ? lower > higher : lower < higher) ? 'weaker' : 'tighter';
}

function isComparison(value: unknown): value is Comparison {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'field') && Object.hasOwn(value, 'op')
  );
}

function describe(predicate: unknown): string {
  if (isComparison(predicate)) return `${String(predicate.field)} ${String(predicate.op)} ${renderValue(predicate.value)}`;
  return renderValue(predicate);
}
