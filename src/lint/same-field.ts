import { jsonEquals, jsonKind, type JsonKind } from '../json-values.js';
import { KIND_NAMES } from '../predicate/describe.js';
import { renderValue } from '../render-value.js';
import type { ComparisonDefinition } from '../types.js';

/**
 * One condition on the value of one field, as the search for contradictions
 * reads it: a comparison of the predicate (or its negation), or a fact known
 * whatever the predicate says (the tools patterns for `tool`, a tool schema's
 * type for an argument).
 */
export interface Atom {
  /** How a message names it: `arguments.amount > 10 (/when/all/0)`. */
  readonly label: string;
  /** A negated comparison holds for a missing field; with the field present, its value must fail `test`. */
  readonly negated: boolean;
  /** True for a comparison, which the field must be present for; false for a fact, which holds of a missing field. */
  readonly needsValue: boolean;
  /** The kinds a present value can have for the atom to hold. */
  readonly kinds: ReadonlySet<JsonKind>;
  /** Whether a present value passes the comparison or the fact (before any negation). */
  readonly test: (value: unknown) => boolean;
  /** The comparison it stands for; absent for a fact. */
  readonly comparison?: ComparisonDefinition;
}

/** Every JSON kind: what a condition that says nothing of kinds lets a value be. */
export const EVERY_KIND: ReadonlySet<JsonKind> = new Set<JsonKind>(['string', 'number', 'boolean', 'null', 'array', 'object']);

const ORDERINGS: ReadonlySet<string> = new Set(['gt', 'gte', 'lt', 'lte']);

/**
 * Why the atoms of one field cannot all hold of any value, or `undefined` when
 * they may (or it cannot be told). Only decidable cases are claimed: an atom and
 * its negation; kinds no value has at once (`gt 5` with `regex`, `eq "5"` with an
 * integer schema, `in []`); a value `eq` (or `in`, or a negated `exists`)
 * pins down that fails another atom; numeric or string bounds with nothing
 * between them; `in` a list `not_in` excludes whole. Atoms of a field nothing
 * requires to be present (only negations and facts) never contradict: a missing
 * field satisfies them all.
 */
export function contradiction(atoms: readonly Atom[]): string | undefined {
  const needed = atoms.filter((atom) => atom.needsValue && !atom.negated);
  if (needed.length === 0) return undefined;
  const holding = atoms.filter((atom) => !atom.negated);
  const negated = atoms.filter((atom) => atom.negated);
  for (const atom of negated) {
    const same = needed.find((other) => other.comparison !== undefined && jsonEquals(other.comparison, atom.comparison));
    if (same !== undefined) return `${same.label} and its negation ${atom.label} cannot both hold`;
  }
  const empty = atoms.find((atom) => atom.kinds.size === 0);
  if (empty !== undefined) return `${empty.label} holds for no value`;
  const kinds = commonKinds(atoms);
  if (kinds.size === 0) {
    const saying = atoms.filter((atom) => atom.kinds.size < EVERY_KIND.size);
    return `${saying.map((atom) => `${atom.label} takes ${describeKinds(atom.kinds)}`).join('; ')}: no value is ${saying.length === 2 ? 'both' : 'all of these'}`;
  }
  const candidates = pinnedValues(atoms, kinds);
  if (candidates !== undefined) {
    const passing = candidates.values.find(
      (value) => holding.every((atom) => atom.test(value)) && negated.every((atom) => !atom.test(value)),
    );
    if (passing !== undefined) return undefined;
    const [only] = candidates.values;
    const failing = atoms.filter((atom) => atom !== candidates.by && (candidates.values.length !== 1 || atom.test(only) === atom.negated));
    return `${candidates.by.label} leaves ${describeValues(candidates.values)}, which ${failing.map((atom) => atom.label).join(' and ')} ${failing.length === 1 ? 'rules' : 'rule'} out`;
  }
  return emptyRange(atoms, kinds) ?? excludedList(needed, negated);
}

function commonKinds(atoms: readonly Atom[]): Set<JsonKind> {
  let kinds = new Set(EVERY_KIND);
  for (const atom of atoms) kinds = new Set([...kinds].filter((kind) => atom.kinds.has(kind)));
  return kinds;
}

/** The only values an atom leaves: `eq`'s value, `null` for a negated `exists`, or the scalars of an `in` list when no array can pass. */
function pinnedValues(
  atoms: readonly Atom[],
  kinds: ReadonlySet<JsonKind>,
): { readonly by: Atom; readonly values: readonly unknown[] } | undefined {
  for (const atom of atoms) {
    const op = atom.comparison?.op;
    if (!atom.negated && op === 'eq') return { by: atom, values: [atom.comparison?.value] };
    if (atom.negated && op === 'exists') return { by: atom, values: [null] };
  }
  if (kinds.has('array')) return undefined;
  for (const atom of atoms) {
    const list = atom.comparison?.value;
    if (!atom.negated && atom.comparison?.op === 'in' && Array.isArray(list)) {
      return {
        by: atom,
        values: list.filter((value) => {
          const kind = jsonKind(value);
          return kind !== undefined && kinds.has(kind);
        }),
      };
    }
  }
  return undefined;
}

interface Bound {
  readonly value: number | string;
  readonly strict: boolean;
  readonly atom: Atom;
}

/** Bounds of one kind (numbers, or strings by code unit) that no value lies within; a negated bound is its complement. */
function emptyRange(atoms: readonly Atom[], kinds: ReadonlySet<JsonKind>): string | undefined {
  if (kinds.size !== 1 || !(kinds.has('number') || kinds.has('string'))) return undefined;
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  for (const atom of atoms) {
    const comparison = atom.comparison;
    const value = comparison?.value;
    if (comparison === undefined || !ORDERINGS.has(comparison.op) || (typeof value !== 'number' && typeof value !== 'string')) continue;
    if (!kinds.has(jsonKind(value) ?? 'null')) continue;
    // Flipped under `not`: not (x > 5) of a number is x <= 5.
    const below = (comparison.op === 'lt' || comparison.op === 'lte') !== atom.negated;
    const strict = (comparison.op === 'lt' || comparison.op === 'gt') !== atom.negated;
    const bound: Bound = { value, strict, atom };
    if (below) upper = upper === undefined || value < upper.value || (value === upper.value && strict) ? bound : upper;
    else lower = lower === undefined || value > lower.value || (value === lower.value && strict) ? bound : lower;
  }
  if (lower === undefined || upper === undefined) return undefined;
  const empty = lower.value > upper.value || (lower.value === upper.value && (lower.strict || upper.strict));
  return empty ? `${lower.atom.label} and ${upper.atom.label} leave no value between them` : undefined;
}

/** `in` a list every member of which a `not_in` (or a negated `in`) excludes. */
function excludedList(needed: readonly Atom[], negated: readonly Atom[]): string | undefined {
  const excluding = [
    ...needed.filter((atom) => atom.comparison?.op === 'not_in'),
    ...negated.filter((atom) => atom.comparison?.op === 'in'),
  ];
  for (const atom of needed) {
    const list = atom.comparison?.op === 'in' ? atom.comparison.value : undefined;
    if (!Array.isArray(list)) continue;
    const other = excluding.find((candidate) => {
      const excluded = candidate.comparison?.value;
      return Array.isArray(excluded) && list.every((value) => excluded.some((item) => jsonEquals(item, value)));
    });
    if (other !== undefined) return `${other.label} excludes every value of ${atom.label}`;
  }
  return undefined;
}

function describeKinds(kinds: ReadonlySet<JsonKind>): string {
  if (kinds.size === 0) return 'nothing';
  if (kinds.size === EVERY_KIND.size) return 'any value';
  const words = [...kinds].map((kind) => KIND_NAMES[kind]);
  const last = words.pop() ?? '';
  return words.length === 0 ? last : `${words.join(', ')} or ${last}`;
}

function describeValues(values: readonly unknown[]): string {
  if (values.length === 0) return 'no value';
  if (values.length === 1) return `only ${renderValue(values[0])}`;
  return `only ${values.map((value) => renderValue(value)).join(', ')}`;
}
