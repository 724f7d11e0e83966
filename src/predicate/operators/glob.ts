import { compileGlob } from '../../glob/compile-glob.js';
import { GlobSyntaxError } from '../../glob/glob-to-regex.js';
import type { OperatorDefinition } from './operator.js';
import { OperatorValueError } from './operator.js';
import { checkTextLength } from './text-input.js';

/**
 * `glob`: the whole string matches a glob (`*` stops at `/`, `**` crosses it,
 * dots are ordinary characters). Globs compile to RE2, so matching is linear in
 * the input whatever the pattern; flag `i` ignores case.
 */
export const glob: OperatorDefinition = {
  kind: 'pattern',
  expects: 'a glob pattern string',
  flags: 'i',
  symbol: 'matches glob',
  requirement: 'must match glob',
  literal(value, { flags, limits }) {
    if (typeof value !== 'string') throw new OperatorValueError('value', this.expects);
    if (value.length > limits.maxPatternLength) {
      throw new OperatorValueError('value', `a pattern of at most ${limits.maxPatternLength} characters`);
    }
    let matcher;
    try {
      matcher = compileGlob(value, limits, { caseInsensitive: flags.includes('i') });
    } catch (error) {
      if (error instanceof GlobSyntaxError) throw new OperatorValueError('value', this.expects, error.message);
      throw error;
    }
    return (actual) => {
      if (typeof actual !== 'string') return false;
      checkTextLength(actual, limits, 'glob');
      return matcher.test(actual);
    };
  },
};
