import { DataFactory } from 'n3';
import type { NamedNode } from '@rdfjs/types';
import { orderLiterals } from './literal-order.js';
import { getPathObjects } from './shacl-internals.js';
import type { GenericValidator, PropertyValidator, StockValidator, ValidationResult, Validator } from './shacl-internals.js';
import { SH } from './vocabulary.js';

/** The four bounds, each with the orders (value compared with the bound) that satisfy it. */
const BOUNDS: readonly (readonly [string, (order: number) => boolean])[] = [
  ['minInclusive', (order) => order >= 0],
  ['minExclusive', (order) => order > 0],
  ['maxInclusive', (order) => order <= 0],
  ['maxExclusive', (order) => order < 0],
];

/** The two property pairs that order a value against the values of another key, with the orders that satisfy them. */
const PAIRS: readonly (readonly [string, (order: number) => boolean])[] = [
  ['lessThan', (order) => order < 0],
  ['lessThanOrEquals', (order) => order <= 0],
];

const component = (name: string): NamedNode =>
  DataFactory.namedNode(`${SH}${name.charAt(0).toUpperCase()}${name.slice(1)}ConstraintComponent`);

/**
 * `sh:minInclusive` ... `sh:maxExclusive`, `sh:lessThan` and `sh:lessThanOrEquals`
 * ordered by {@link orderLiterals}, so that Infinity (`"INF"^^xsd:double`) lies
 * beyond every finite bound and NaN satisfies none. Bounds of kinds an action
 * never holds (a date in hand-written Turtle) keep the validator's own
 * comparison, `stock`: the validators these replace.
 */
export function comparisonValidators(stock: StockValidator): [NamedNode, Validator][] {
  const bounds = BOUNDS.map(([name, holds]): [NamedNode, Validator] => {
    const node = component(name);
    const original = stock(node);
    if (original === undefined || !('validate' in original)) throw new Error(`rdf-validate-shacl has no generic validator for sh:${name}`);
    return [node, boundValidator(DataFactory.namedNode(`${SH}${name}`), holds, original)];
  });
  const pairs = PAIRS.map(([name, holds]): [NamedNode, Validator] => {
    const node = component(name);
    const original = stock(node);
    const message = original !== undefined && 'propertyValidationMessage' in original ? original.propertyValidationMessage : undefined;
    return [node, pairValidator(DataFactory.namedNode(`${SH}${name}`), holds, message)];
  });
  return [...bounds, ...pairs];
}

function boundValidator(parameter: NamedNode, holds: (order: number) => boolean, original: GenericValidator): GenericValidator {
  return {
    validate(context, focusNode, valueNode, constraint) {
      const order = orderLiterals(valueNode, constraint.getParameterValue(parameter));
      if (order === 'other') return original.validate(context, focusNode, valueNode, constraint);
      return order !== 'incomparable' && holds(order);
    },
    ...(original.validationMessage === undefined ? {} : { validationMessage: original.validationMessage }),
  };
}

// Each value against each value of the other key, as SHACL defines it; every
// pair out of order is a result. Both sides come from the action's graph, which
// holds no literal kind orderLiterals leaves to others, so 'other' cannot occur
// and would count as out of order.
function pairValidator(parameter: NamedNode, holds: (order: number) => boolean, message: string | undefined): PropertyValidator {
  return {
    propertyValidate(context, focusNode, _valueNode, constraint) {
      const values = getPathObjects(context.$data, focusNode, constraint.pathObject);
      // The other key's values: the objects of its predicate, a one-step path.
      const references = getPathObjects(context.$data, focusNode, constraint.getParameterValue(parameter));
      const invalid: ValidationResult[] = [];
      for (const value of values) {
        for (const reference of references) {
          const order = orderLiterals(value, reference);
          if (typeof order !== 'number' || !holds(order)) invalid.push({ value });
        }
      }
      return invalid;
    },
    ...(message === undefined ? {} : { propertyValidationMessage: message }),
  };
}
