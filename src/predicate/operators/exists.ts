import type { OperatorCompiler } from './operator.js';
import { OperatorValueError } from './operator.js';

/**
 * `exists`: the field is present and not null. Null counts as absent, as it does
 * for `require` and in the formal tier, where null values are omitted from the graph.
 */
export const exists: OperatorCompiler = {
  expects: 'no value',
  flags: '',
  value: 'none',
  literal(value) {
    if (value !== undefined) throw new OperatorValueError('value', this.expects, 'exists takes no value');
    return (actual) => actual !== null;
  },
};
