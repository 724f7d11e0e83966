import { DataFactory } from 'n3';
import type { Term } from '@rdfjs/types';
import type { Constraint, GenericValidator } from './shacl-internals.js';
import { checkTextLength } from '../predicate/operators/text-input.js';
import type { Limits } from '../limits.js';
import type { RegexLike } from '../regex/regex-engine.js';
import { compileRegex } from '../regex/regex-engine.js';
import { SH } from './vocabulary.js';

const SH_PATTERN = DataFactory.namedNode(`${SH}pattern`);
const SH_FLAGS = DataFactory.namedNode(`${SH}flags`);

/**
 * `sh:pattern` on RE2. rdf-validate-shacl's own validator builds a V8 RegExp,
 * which backtracks: a pattern like `^(a+)+$` would bring ReDoS back through the
 * formal tier. Patterns are compiled once and cached; a value longer than
 * `limits.maxStringLength` is an evaluation error, as in the auto tier.
 */
export function re2PatternValidator(limits: Limits): GenericValidator {
  const compiled = new Map<string, RegexLike>();
  const patternOf = (pattern: string, flags: string): RegexLike => {
    const key = `${flags}/${pattern}`;
    let regex = compiled.get(key);
    if (regex === undefined) {
      regex = compileRegex(pattern, flags, limits);
      compiled.set(key, regex);
    }
    return regex;
  };
  return {
    validate(_context, _focusNode, valueNode: Term, constraint: Constraint) {
      if (valueNode.termType === 'BlankNode') return false;
      const pattern = constraint.getParameterValue(SH_PATTERN).value;
      const flags = (constraint.getParameterValue(SH_FLAGS) as Term | undefined)?.value ?? '';
      checkTextLength(valueNode.value, limits, 'sh:pattern');
      return patternOf(pattern, flags).test(valueNode.value);
    },
    validationMessage: 'Value does not match pattern "{$pattern}"',
  };
}

/** The constraint component this validator replaces. */
export const PATTERN_COMPONENT = DataFactory.namedNode(`${SH}PatternConstraintComponent`);
