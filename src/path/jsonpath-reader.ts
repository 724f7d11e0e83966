import { JSONPath } from 'jsonpath-plus';
import type { FoundValue } from './field-reader.js';
import { concretePath } from './field-reader.js';
import { PathSyntaxError } from './parse-path.js';
import { compileSimpleJsonPath } from './simple-jsonpath.js';

interface JsonPathResult {
  readonly value: unknown;
  readonly pointer: string;
  readonly parent: unknown;
  readonly parentProperty: unknown;
}

/**
 * Compiles a JSONPath into a reader. Script and filter expressions (`?(...)`,
 * `(...)`) are refused when the policy is compiled: jsonpath-plus evaluates them
 * with code, and its evaluators have had remote-code-execution CVEs. Evaluation
 * itself runs with `eval: false` as a second guard. Paths of names and `*`
 * only are walked without jsonpath-plus, to the same answers
 * (`simple-jsonpath.ts`).
 */
export function compileJsonPath(source: string): CompiledJsonPath {
  const steps = JSONPath.toPathArray(source);
  if (steps[0] !== '$') throw new PathSyntaxError(`JSONPath "${source}" must start with "$"`);
  for (const step of steps) {
    // Anywhere in a step, not only at its start: a union such as [0,?(@.b)] hides one.
    if (step.includes('(')) {
      throw new PathSyntaxError(
        `JSONPath "${source}" uses a script or filter expression "${step}"; they are disabled because they evaluate code`,
      );
    }
  }
  const simple = compileSimpleJsonPath(steps.slice(1));
  if (simple !== undefined) return { ...simple, fixedPrefix: fixedPrefix(steps.slice(1)) };
  const evaluate = (root: unknown): JsonPathResult[] => {
    const results: JsonPathResult[] | undefined = JSONPath({
      path: source,
      json: root as object,
      eval: false,
      resultType: 'all',
      wrap: true,
    });
    return results === undefined ? [] : results.filter(isOwnValue);
  };
  return {
    values: (root) => evaluate(root).map((result) => result.value),
    readAll: (root) => evaluate(root).map((result) => ({ value: result.value, path: concretePath(root, pointerSegments(result.pointer)) })),
    fixedPrefix: fixedPrefix(steps.slice(1)),
  };
}

/** A compiled JSONPath: its reader, and the fixed keys it starts with (to point at a field that yields nothing). */
export interface CompiledJsonPath {
  /** The values the path yields, without their paths: what a test needs. */
  readonly values: (root: unknown) => unknown[];
  /** The values with their concrete paths: what a violation reports. */
  readonly readAll: (root: unknown) => FoundValue[];
  readonly fixedPrefix: readonly string[];
}

// The leading steps that name one key each; stops at the first wildcard, slice,
// union, recursive descent or jsonpath-plus extension.
function fixedPrefix(steps: readonly string[]): string[] {
  const prefix: string[] = [];
  for (const step of steps) {
    if (step === '' || /[*,:@^~$]|^\.\.$/.test(step)) break;
    prefix.push(step);
  }
  return prefix;
}

// jsonpath-plus also reads an array's `length` and a string's `length` and
// characters; dot-paths never do, and one path language should not see what the
// other cannot. A value is kept only when it is the root or an own member of an
// object or array.
function isOwnValue(result: JsonPathResult): boolean {
  if (result.pointer === '') return true;
  const { parent } = result;
  if (typeof parent !== 'object' || parent === null) return false;
  return !(Array.isArray(parent) && result.parentProperty === 'length');
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}
