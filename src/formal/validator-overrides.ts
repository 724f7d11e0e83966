import { DataFactory } from 'n3';
import type { Store } from 'n3';
import type { NamedNode } from '@rdfjs/types';
import type { Limits } from '../limits.js';
import { closedValidator } from './closed-validator.js';
import { comparisonValidators } from './comparison-validators.js';
import { lengthValidators } from './length-validators.js';
import { PATTERN_COMPONENT, re2PatternValidator } from './re2-pattern-validator.js';
import type { StockValidator, Validator } from './shacl-internals.js';
import { SH } from './vocabulary.js';

const CLOSED_COMPONENT = DataFactory.namedNode(`${SH}ClosedConstraintComponent`);

/**
 * The constraint components tierguard validates itself instead of
 * rdf-validate-shacl, each for a reason in its own module: `sh:pattern` on RE2,
 * the bounds and orderings so that non-finite numbers compare correctly, the
 * lengths so that a character is a code point, not a UTF-16 unit, and
 * `sh:closed` so that a key without a value is still a key. `shapes` is the
 * shapes graph they run in; `stock` gives the validator being replaced, for the
 * cases it still handles.
 */
export function validatorOverrides(limits: Limits, shapes: Store, stock: StockValidator): [NamedNode, Validator][] {
  const closed = stock(CLOSED_COMPONENT);
  if (closed === undefined || !('validate' in closed)) throw new Error('rdf-validate-shacl has no generic validator for sh:closed');
  return [
    [PATTERN_COMPONENT, re2PatternValidator(limits)],
    ...comparisonValidators(stock),
    ...lengthValidators(stock),
    [CLOSED_COMPONENT, closedValidator(closed, shapes)],
  ];
}
