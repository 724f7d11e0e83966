import type { OperatorDefinition } from './operator.js';
import { OperatorValueError } from './operator.js';

/**
 * `exists`: the field is present and not null. Null counts as absent, as it does
 * for `require` and in the formal tier, where null values are omitted from the graph.
 */
export const exists: OperatorDefinition = {
  kind: 'none',
  expects: 'no value',
  flags: '',
  symbol: 'exists',
  requirement: 'is required',
  literal(value) {
    if (value !== undefined) throw new OperatorValueError('value', this.expects, 'exists takes no value');
    return (actual) => actual !== null;
  },
};
