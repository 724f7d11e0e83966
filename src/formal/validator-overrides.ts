import type { NamedNode } from '@rdfjs/types';
import type { Validator } from 'rdf-validate-shacl/src/validation-engine.js';
import type { Limits } from '../limits.js';
import { comparisonValidators } from './comparison-validators.js';
import { PATTERN_COMPONENT, re2PatternValidator } from './re2-pattern-validator.js';

/**
 * The constraint components tierguard validates itself instead of
 * rdf-validate-shacl, each for a reason in its own module: `sh:pattern` on RE2,
 * and the bounds and orderings so that non-finite numbers compare correctly.
 * `stock` gives the validator being replaced, for the cases it still handles.
 */
export function validatorOverrides(limits: Limits, stock: (component: NamedNode) => Validator | undefined): [NamedNode, Validator][] {
  return [[PATTERN_COMPONENT, re2PatternValidator(limits)], ...comparisonValidators(stock)];
}
