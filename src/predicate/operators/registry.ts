import type { Operator } from '../../types.js';
import { eq, neq, orderings } from './comparison.js';
import { exists } from './exists.js';
import { glob } from './glob.js';
import { inList, notInList } from './membership.js';
import type { OperatorCompiler } from './operator.js';
import { regex } from './regex.js';

/** Every operator of the auto tier, by name: the one table the predicate compiler reads. */
export const OPERATOR_COMPILERS: ReadonlyMap<Operator, OperatorCompiler> = new Map<Operator, OperatorCompiler>([
  ['eq', eq],
  ['neq', neq],
  ['gt', orderings.gt],
  ['gte', orderings.gte],
  ['lt', orderings.lt],
  ['lte', orderings.lte],
  ['in', inList],
  ['not_in', notInList],
  ['regex', regex],
  ['glob', glob],
  ['exists', exists],
]);
