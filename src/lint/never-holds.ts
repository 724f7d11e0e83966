import { jsonKind, type JsonKind } from '../json-values.js';
import type { Limits } from '../limits.js';
import { isJsonPath, parseDotPath } from '../path/parse-path.js';
import { describeComparison } from '../predicate/describe.js';
import { operatorNamed } from '../predicate/operators/registry.js';
import type { ComparisonDefinition, PredicateDefinition } from '../types.js';
import { contradiction, EVERY_KIND, type Atom } from './same-field.js';

/** A predicate and where it is written in its policy (`/when`). */
export interface PlacedPredicate {
  readonly predicate: PredicateDefinition;
  readonly pointer: string;
}

/** What the search knows beyond the predicates. */
export interface HoldsContext {
  readonly limits: Limits;
  /** Facts about the field at `path` (its dot-path segments) that hold whatever the predicates say. */
  readonly factsAbout: (field: string, segments: readonly string[]) => readonly Atom[];
}

/** A conjunct that is an alternative of several: it holds when one of them does. */
type Alternatives = readonly (PlacedPredicate & { readonly negated: boolean })[];

interface Conjunction {
  /** Atoms by field (segments joined), in the order met. */
  readonly atoms: Map<string, { readonly field: string; readonly segments: readonly string[]; readonly atoms: Atom[] }>;
  readonly alternatives: { readonly pointer: string; readonly options: Alternatives }[];
}

// Each disjunction is tried alternative by alternative with the rest; past this much work (the
// conjuncts read, over every try) or this many disjunctions deep, the search gives up, claiming nothing.
const MAX_WORK = 100_000;
const MAX_NESTED_DISJUNCTIONS = 64;

/**
 * Why the predicates can never all hold together, or `undefined` when they may
 * (or it cannot be told). The predicates are read as one conjunction: `all`
 * flattened, `not` pushed inward (`not any` is every alternative negated), and
 * each `any` (or `not all`) tried one alternative at a time with the rest, so a
 * claim is made only when every alternative fails. Within the conjunction,
 * comparisons of one dot-path field with a literal value are checked together
 * with the facts the context knows of that field (see `contradiction`);
 * JSONPath fields and `valueRef`s are taken to be satisfiable. Bounded: past
 * 100,000 conjuncts read over all tries, or 64 disjunctions deep, it claims nothing.
 */
export function whyNeverHolds(predicates: readonly PlacedPredicate[], context: HoldsContext): string | undefined {
  const work = { left: MAX_WORK };
  return search(
    predicates.map((placed) => ({ ...placed, negated: false })),
    context,
    work,
    0,
  );
}

function search(parts: Alternatives, context: HoldsContext, work: { left: number }, depth: number): string | undefined {
  if (depth > MAX_NESTED_DISJUNCTIONS) return undefined;
  const conjunction: Conjunction = { atoms: new Map(), alternatives: [] };
  for (const part of parts) collect(part.predicate, part.pointer, part.negated, conjunction, context);
  work.left -= 1 + conjunction.atoms.size + conjunction.alternatives.length;
  if (work.left < 0) return undefined;
  // What the conjunction says outside its disjunctions may already fail every alternative.
  for (const { field, segments, atoms } of conjunction.atoms.values()) {
    const reason = contradiction([...atoms, ...context.factsAbout(field, segments)]);
    if (reason !== undefined) return reason;
  }
  const first = conjunction.alternatives[0];
  if (first !== undefined) {
    // Everything but the first disjunction, as it was written, goes along with each of its alternatives.
    const others: Alternatives = parts.flatMap((part) => withoutDisjunction(part, first.pointer));
    const reasons: string[] = [];
    for (const option of first.options) {
      const found = search([...others, option], context, work, depth + 1);
      if (found === undefined) return undefined;
      reasons.push(found);
    }
    const shown = reasons.length > 3 ? [...reasons.slice(0, 3), '…'] : reasons;
    return `no alternative of ${first.pointer} can hold: ${shown.join('; ')}`;
  }
  return undefined;
}

/** Reads `predicate` (negated or not) into the conjunction: atoms by field, and the disjunctions met. */
function collect(predicate: PredicateDefinition, pointer: string, negated: boolean, into: Conjunction, context: HoldsContext): void {
  if ('not' in predicate) {
    collect(predicate.not, `${pointer}/not`, !negated, into, context);
  } else if ('all' in predicate) {
    const parts = predicate.all.map((part, index) => ({ predicate: part, pointer: `${pointer}/all/${index}`, negated }));
    if (negated) into.alternatives.push({ pointer, options: parts });
    else for (const part of parts) collect(part.predicate, part.pointer, false, into, context);
  } else if ('any' in predicate) {
    const parts = predicate.any.map((part, index) => ({ predicate: part, pointer: `${pointer}/any/${index}`, negated }));
    if (negated) for (const part of parts) collect(part.predicate, part.pointer, true, into, context);
    else into.alternatives.push({ pointer, options: parts });
  } else {
    const atom = atomOf(predicate, pointer, negated, context.limits);
    if (atom === undefined) return;
    const segments = parseDotPath(predicate.field);
    const key = segments.join('\u0000');
    const entry = into.atoms.get(key) ?? { field: predicate.field, segments, atoms: [] };
    entry.atoms.push(atom);
    into.atoms.set(key, entry);
  }
}

/**
 * `part` with the disjunction at `pointer` left out (it is tried alternative by
 * alternative instead): the parts of the conjunction it sits in, each placed where
 * it is written, so a disjunction nested in an `all` is not dropped with its siblings.
 */
function withoutDisjunction(part: Alternatives[number], pointer: string): Alternatives {
  if (part.pointer === pointer) return [];
  if (!pointer.startsWith(`${part.pointer}/`)) return [part];
  const { predicate } = part;
  if ('not' in predicate)
    return withoutDisjunction({ predicate: predicate.not, pointer: `${part.pointer}/not`, negated: !part.negated }, pointer);
  const conjunctive = ('all' in predicate && !part.negated) || ('any' in predicate && part.negated);
  if (!conjunctive) return [part];
  const members = 'all' in predicate ? predicate.all : 'any' in predicate ? predicate.any : [];
  const key = 'all' in predicate ? 'all' : 'any';
  return members.flatMap((member, index) =>
    withoutDisjunction({ predicate: member, pointer: `${part.pointer}/${key}/${index}`, negated: part.negated }, pointer),
  );
}

/** A comparison with a literal value on a dot-path, as an atom; `undefined` for what the search does not reason about. */
function atomOf(comparison: ComparisonDefinition, pointer: string, negated: boolean, limits: Limits): Atom | undefined {
  if (comparison.valueRef !== undefined || isJsonPath(comparison.field)) return undefined;
  const operator = operatorNamed(comparison.op);
  if (operator === undefined) return undefined;
  let test: (value: unknown) => boolean;
  try {
    test = operator.literal(comparison.value, { flags: comparison.flags ?? '', limits });
  } catch {
    return undefined;
  }
  const label = `${negated ? 'not ' : ''}${describeComparison(comparison)} (${pointer})`;
  return {
    label,
    negated,
    needsValue: true,
    kinds: negated ? (comparison.op === 'exists' ? new Set<JsonKind>(['null']) : EVERY_KIND) : kindsPassing(comparison),
    test: (value) => {
      try {
        return test(value);
      } catch {
        // A value the operator refuses to read (a string past the regex limits) is an error in use, not a pass:
        // taking it as passing claims nothing.
        return !negated;
      }
    },
    comparison,
  };
}

/** The kinds of value a comparison can hold for. */
function kindsPassing(comparison: ComparisonDefinition): ReadonlySet<JsonKind> {
  const { op, value } = comparison;
  const kind = jsonKind(value);
  switch (op) {
    case 'eq':
    case 'neq':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return kind === undefined ? new Set() : new Set([kind]);
    case 'regex':
    case 'glob':
      return new Set(['string']);
    case 'in': {
      const list = Array.isArray(value) ? value : [];
      // An array field is in the list when one of its elements is; an empty list holds nothing.
      const kinds = new Set<JsonKind>(list.length === 0 ? [] : ['array']);
      for (const item of list) {
        const itemKind = jsonKind(item);
        if (itemKind !== undefined) kinds.add(itemKind);
      }
      return kinds;
    }
    case 'exists':
      return new Set([...EVERY_KIND].filter((each) => each !== 'null'));
    default:
      return EVERY_KIND;
  }
}
