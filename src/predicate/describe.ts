import { renderValue } from '../render-value.js';
import type { JsonKind } from '../json-values.js';
import { jsonKind } from '../json-values.js';
import type { ComparisonDefinition, Operator, PredicateDefinition } from '../types.js';

const SYMBOLS: Readonly<Record<Operator, string>> = {
  eq: '==',
  neq: '!=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  in: 'in',
  not_in: 'not in',
  regex: 'matches regex',
  glob: 'matches glob',
  exists: 'exists',
};

const REQUIREMENTS: Readonly<Record<Operator, string>> = {
  eq: 'must equal',
  neq: 'must not equal',
  gt: 'must be greater than',
  gte: 'must be at least',
  lt: 'must be less than',
  lte: 'must be at most',
  in: 'must be one of',
  not_in: 'must not be one of',
  regex: 'must match regex',
  glob: 'must match glob',
  exists: 'is required',
};

function rightHandSide(definition: ComparisonDefinition): string {
  if (definition.valueRef !== undefined) return definition.valueRef;
  if (definition.op === 'regex' && typeof definition.value === 'string') return `/${definition.value}/${definition.flags ?? ''}`;
  return renderValue(definition.value);
}

/** A predicate in readable form, e.g. `(arguments.amount <= 10000 and arguments.currency in ["EUR","USD"])`. */
export function describePredicate(definition: PredicateDefinition): string {
  if ('all' in definition) return `(${definition.all.map(describePredicate).join(' and ')})`;
  if ('any' in definition) return `(${definition.any.map(describePredicate).join(' or ')})`;
  if ('not' in definition) return `not ${describePredicate(definition.not)}`;
  if (definition.op === 'exists') return `${definition.field} exists`;
  return `${definition.field} ${SYMBOLS[definition.op]} ${rightHandSide(definition)}`;
}

/** The default message for a failed comparison: `arguments.amount must be at most 10000 (got 25000)`. */
export function describeFailure(definition: ComparisonDefinition, expected: unknown, actual: unknown): string {
  const got = `(got ${renderValue(actual)}${kindNote(definition, expected, actual)})`;
  if (definition.op === 'exists') return `${definition.field} ${REQUIREMENTS.exists} ${got}`;
  const shown =
    definition.op === 'regex' || definition.valueRef === undefined
      ? rightHandSide(definition)
      : `${definition.valueRef} = ${renderValue(expected)}`;
  return `${definition.field} ${REQUIREMENTS[definition.op]} ${shown} ${got}`;
}

const KIND_NAMES: Readonly<Record<JsonKind, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
  array: 'an array',
  object: 'an object',
};

// "got "500", a string" says why 500 failed `gt 0`: tierguard never coerces.
function kindNote(definition: ComparisonDefinition, expected: unknown, actual: unknown): string {
  if (actual === undefined || definition.op === 'in' || definition.op === 'not_in' || definition.op === 'exists') return '';
  const actualKind = jsonKind(actual);
  const expectedKind = definition.op === 'regex' || definition.op === 'glob' ? 'string' : jsonKind(expected);
  if (actualKind === expectedKind || expectedKind === undefined) return '';
  return actualKind === undefined ? ', not a JSON value' : `, ${KIND_NAMES[actualKind]}`;
}
