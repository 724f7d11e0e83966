import { compileRegex, REGEX_FLAGS, RegexSyntaxError } from '../../regex/regex-engine.js';
import { renderValue } from '../../render-value.js';
import type { OperatorDefinition } from './operator.js';
import { OperatorValueError } from './operator.js';
import { checkTextLength } from './text-input.js';

/**
 * `regex`: an RE2 search (unanchored unless the pattern anchors itself) over a
 * string field. The pattern is compiled once, when the policy is compiled; a
 * pattern RE2 cannot run (lookaround, backreferences) is a policy error then.
 */
export const regex: OperatorDefinition = {
  kind: 'pattern',
  expects: 'an RE2 pattern string',
  flags: REGEX_FLAGS,
  symbol: 'matches regex',
  requirement: 'must match regex',
  // Written as a regex literal, flags included: `/^[a-z]+$/i`.
  show: (value, flags) => (typeof value === 'string' ? `/${value}/${flags}` : renderValue(value)),
  literal(value, { flags, limits }) {
    if (typeof value !== 'string') throw new OperatorValueError('value', this.expects);
    if (value.length > limits.maxPatternLength) {
      throw new OperatorValueError('value', `a pattern of at most ${limits.maxPatternLength} characters`);
    }
    let pattern;
    try {
      pattern = compileRegex(value, flags, limits);
    } catch (error) {
      if (error instanceof RegexSyntaxError) throw new OperatorValueError('value', this.expects, error.message);
      throw error;
    }
    return (actual) => {
      if (typeof actual !== 'string') return false;
      checkTextLength(actual, limits, 'regex');
      return pattern.test(actual);
    };
  },
};
