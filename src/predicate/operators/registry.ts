import type { Operator } from '../../types.js';
import { OPERATORS } from '../../types.js';
import { eq, neq, orderings } from './comparison.js';
import { exists } from './exists.js';
import { glob } from './glob.js';
import { inList, notInList } from './membership.js';
import type { OperatorDefinition } from './operator.js';
import { regex } from './regex.js';

/**
 * Every operator of the auto tier, by name: the one table that says what each
 * one is. The predicate compiler, descriptions and failure messages read it,
 * and a test holds the shipped schema to it. `satisfies` makes a name missing
 * from `OPERATORS`, or one it does not list, a compile error.
 */
export const OPERATOR_DEFINITIONS = Object.freeze({
  eq,
  neq,
  gt: orderings.gt,
  gte: orderings.gte,
  lt: orderings.lt,
  lte: orderings.lte,
  in: inList,
  not_in: notInList,
  regex,
  glob,
  exists,
} satisfies Record<Operator, OperatorDefinition>);

// A Map, in documentation order, so that a name such as `constructor` or
// `__proto__` finds nothing rather than something of Object.prototype.
const BY_NAME: ReadonlyMap<string, OperatorDefinition> = new Map(OPERATORS.map((name) => [name, OPERATOR_DEFINITIONS[name]] as const));

/** The operator called `name`, or `undefined` when there is none. */
export function operatorNamed(name: string): OperatorDefinition | undefined {
  return BY_NAME.get(name);
}
