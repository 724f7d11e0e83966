import { renderValue } from '../render-value.js';
import type { JsonKind } from '../json-values.js';
import { jsonKind } from '../json-values.js';
import type { ComparisonDefinition, PredicateDefinition } from '../types.js';
import type { OperatorDefinition } from './operators/operator.js';
import { operatorNamed } from './operators/registry.js';

// The wording of each operator is in its definition (symbol, requirement,
// show); this file only puts the pieces of a predicate together. The compiled
// predicates build their descriptions from the same pieces, once.

function rightHandSide(definition: ComparisonDefinition, operator: OperatorDefinition | undefined): string {
  if (definition.valueRef !== undefined) return definition.valueRef;
  return operator?.show ? operator.show(definition.value, definition.flags ?? '') : renderValue(definition.value);
}

/** A comparison in readable form: `arguments.amount <= 10000`, `arguments.id exists`. */
export function describeComparison(definition: ComparisonDefinition): string {
  // An unknown operator (a definition that was never validated) is written as `undefined`, never a crash.
  const operator = operatorNamed(definition.op);
  if (operator?.kind === 'none') return `${definition.field} ${operator.symbol}`;
  return `${definition.field} ${operator?.symbol} ${rightHandSide(definition, operator)}`;
}

/** Sub-predicates, already described, that must all hold. */
export function describeAll(parts: readonly string[]): string {
  return `(${parts.join(' and ')})`;
}

/** Sub-predicates, already described, of which one must hold. */
export function describeAny(parts: readonly string[]): string {
  return `(${parts.join(' or ')})`;
}

/** A sub-predicate, already described, that must not hold. */
export function describeNot(part: string): string {
  return `not ${part}`;
}

/** A predicate in readable form, e.g. `(arguments.amount <= 10000 and arguments.currency in ["EUR","USD"])`. */
export function describePredicate(definition: PredicateDefinition): string {
  if ('all' in definition) return describeAll(definition.all.map(describePredicate));
  if ('any' in definition) return describeAny(definition.any.map(describePredicate));
  if ('not' in definition) return describeNot(describePredicate(definition.not));
  return describeComparison(definition);
}

/**
 * The default message for a failed comparison (`arguments.amount must be at
 * most 10000 (got 25000)`), with everything that depends on the definition alone
 * (the operator, the field, the right-hand side) worked out once: a denial
 * builds its messages on the hot path.
 */
export function compileFailureMessage(definition: ComparisonDefinition): (expected: unknown, actual: unknown) => string {
  const operator = operatorNamed(definition.op);
  const got = (expected: unknown, actual: unknown): string => `(got ${renderValue(actual)}${kindNote(operator, expected, actual)})`;
  if (operator?.kind === 'none') {
    const head = `${definition.field} ${operator.requirement} `;
    return (expected, actual) => head + got(expected, actual);
  }
  // Only operators that take a valueRef meet one here; the value read from the action is shown beside its path.
  if (definition.valueRef !== undefined && operator?.dynamic !== undefined) {
    const head = `${definition.field} ${operator.requirement} ${definition.valueRef} = `;
    return (expected, actual) => `${head}${renderValue(expected)} ${got(expected, actual)}`;
  }
  const head = `${definition.field} ${operator?.requirement} ${rightHandSide(definition, operator)} `;
  return (expected, actual) => head + got(expected, actual);
}

/** Each JSON kind in words, as messages name it: `a string`, `null`. */
export const KIND_NAMES: Readonly<Record<JsonKind, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
  array: 'an array',
  object: 'an object',
};

// "got "500", a string" says why 500 failed `gt 0`: tierguard never coerces.
// The operator's value kind says what the actual value is held against.
function kindNote(operator: OperatorDefinition | undefined, expected: unknown, actual: unknown): string {
  if (actual === undefined || operator?.kind === 'list' || operator?.kind === 'none') return '';
  const actualKind = jsonKind(actual);
  const expectedKind = operator?.kind === 'pattern' ? 'string' : jsonKind(expected);
  if (actualKind === expectedKind || expectedKind === undefined) return '';
  return actualKind === undefined ? ', not a JSON value' : `, ${KIND_NAMES[actualKind]}`;
}
