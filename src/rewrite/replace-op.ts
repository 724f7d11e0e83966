import type { Limits } from '../limits.js';
import { DefinitionIssue } from '../definition-issue.js';
import type { RegexScanner } from '../regex/regex-engine.js';
import { compileScanner, REGEX_FLAGS, RegexSyntaxError } from '../regex/regex-engine.js';
import type { RewriteDefinition } from '../types.js';
import type { FieldEdit, FieldOp } from './apply-rewrite.js';
import type { ReplacementPart } from './replacement-template.js';
import { compileReplacement, replaceAll, ReplacementSyntaxError } from './replacement-template.js';
import { describeValueType } from './value-type.js';

const KEEP: FieldEdit = Object.freeze({ kind: 'keep' });

/**
 * `replace`: every RE2 match of `pattern` in a string field is replaced by
 * `with`. The pattern and the template are compiled here, once; a pattern
 * longer than `limits.maxPatternLength`, one RE2 cannot compile, unknown flags
 * and a template that refers to groups the pattern lacks are definition issues.
 * A string longer than `limits.maxStringLength`, or a result that would be, is a
 * failure: the field is left as it was and the policy is violated.
 */
export function compileReplace(definition: Extract<RewriteDefinition, { op: 'replace' }>, pointer: string, limits: Limits): FieldOp {
  const scanner = compilePattern(definition, pointer, limits);
  let parts: ReplacementPart[];
  try {
    parts = compileReplacement(definition.with, scanner);
  } catch (error) {
    if (error instanceof ReplacementSyntaxError) {
      throw new DefinitionIssue(`${pointer}/with`, 'a replacement using only the groups of the pattern', error.message, definition.with);
    }
    throw error;
  }
  const maxLength = limits.maxStringLength;
  return {
    op: 'replace',
    creates: false,
    recorded: undefined,
    edit(value, present) {
      if (!present || value === null) return KEEP;
      if (typeof value !== 'string') return { kind: 'fail', expected: 'a string', found: describeValueType(value) };
      if (value.length > maxLength) {
        return {
          kind: 'fail',
          expected: `a string of at most ${maxLength} characters (limits.maxStringLength)`,
          found: `a string of ${value.length} characters`,
        };
      }
      const replaced = replaceAll(value, scanner, parts, maxLength);
      if (replaced === undefined) {
        return {
          kind: 'fail',
          expected: `a result of at most ${maxLength} characters (limits.maxStringLength)`,
          found: 'a longer result',
          reason: `would make the string longer than limits.maxStringLength (${maxLength}), so it is left unchanged`,
        };
      }
      return replaced === value ? KEEP : { kind: 'write', value: replaced };
    },
  };
}

function compilePattern(definition: Extract<RewriteDefinition, { op: 'replace' }>, pointer: string, limits: Limits): RegexScanner {
  const { pattern } = definition;
  const flags = definition.flags ?? '';
  if (pattern.length > limits.maxPatternLength) {
    throw new DefinitionIssue(`${pointer}/pattern`, `a pattern of at most ${limits.maxPatternLength} characters (limits.maxPatternLength)`);
  }
  for (const flag of flags) {
    if (!REGEX_FLAGS.includes(flag)) throw new DefinitionIssue(`${pointer}/flags`, `RE2 flags from ${REGEX_FLAGS}`, undefined, flags);
  }
  try {
    return compileScanner(pattern, flags, limits);
  } catch (error) {
    if (error instanceof RegexSyntaxError) throw new DefinitionIssue(`${pointer}/pattern`, 'an RE2 pattern', error.message, pattern);
    throw error;
  }
}
