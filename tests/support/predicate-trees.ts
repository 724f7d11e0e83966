import fc from 'fast-check';
import type { ComparisonDefinition, PredicateDefinition } from '../../src/types.js';

/** Predicates of `all`, `any` and `not` nested freely over the given comparisons, kept small: for property tests. */
export function predicateTrees(comparison: fc.Arbitrary<ComparisonDefinition>): fc.Arbitrary<PredicateDefinition> {
  return fc.letrec<{ node: PredicateDefinition }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      comparison,
      fc.record({ all: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ any: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ not: tie('node') }),
    ),
  })).node;
}
