import type { PathSegment } from '../types.js';
import type { FoundValue } from './field-reader.js';
import { isArrayIndex } from './own-property.js';

/**
 * A JSONPath of names and `*` only (`$.arguments.items[*].sku`), walked without
 * jsonpath-plus: such paths are most of what policies write, and jsonpath-plus
 * spends microseconds per call on a path string, a pointer and an options object
 * for each, where a predicate's `test` needs only the values. The walk answers
 * exactly as jsonpath-plus (`eval: false`) followed by `isOwnValue` in
 * `jsonpath-reader.ts` does, in the same order; anything else (recursive
 * descent, unions, slices, extensions) stays with jsonpath-plus.
 */
export interface SimpleJsonPath {
  /** The values the path yields, in jsonpath-plus's order. */
  readonly values: (root: unknown) => unknown[];
  /** The same values, each with its concrete path (array indices as numbers). */
  readonly readAll: (root: unknown) => FoundValue[];
}

const ANY = '*';

// A step jsonpath-plus reads as nothing but a property name; other text (`..`, `^`,
// `~`, `$`, `@type()`, backticks, unions, slices, scripts) has meanings of its own.
const PLAIN_NAME = /^[A-Za-z0-9_-]+$/u;

/**
 * The walker for `steps` (jsonpath-plus's path array without the leading `$`),
 * or `undefined` when a step is not a plain name or `*`.
 */
export function compileSimpleJsonPath(steps: readonly string[]): SimpleJsonPath | undefined {
  if (!steps.every((step) => step === ANY || PLAIN_NAME.test(step))) return undefined;
  const last = steps.length;

  // `visit` is called with each value found and the path stack as it stands then.
  const walk = (root: unknown, visit: (value: unknown) => void, path: PathSegment[] | undefined): void => {
    // jsonpath-plus answers nothing for a falsy document.
    if (!root) return;
    // `literal` mirrors jsonpath-plus's `literalPriority`: false at the root, flipped
    // by each name followed, true after a `*`. When true, a `*` step that finds a key
    // "*" follows that key instead of every member.
    const step = (value: unknown, depth: number, literal: boolean): void => {
      if (depth === last) {
        visit(value);
        return;
      }
      // Below a scalar jsonpath-plus finds only characters and lengths, whose parent
      // is not an object or array: `isOwnValue` drops every one of them.
      if (typeof value !== 'object' || value === null) return;
      const name = steps[depth] as string;
      const record = value as Record<string, unknown>;
      if (name === ANY && !(literal && Object.hasOwn(value, ANY))) {
        if (Array.isArray(value)) {
          // Every index below length, holes included (they yield undefined), as jsonpath-plus walks them.
          const { length } = value;
          for (let index = 0; index < length; index += 1) {
            path?.push(index);
            step(value[index], depth + 1, true);
            path?.pop();
          }
        } else {
          for (const key of Object.keys(value)) {
            path?.push(key);
            step(record[key], depth + 1, true);
            path?.pop();
          }
        }
        return;
      }
      if (!Object.hasOwn(value, name)) return;
      const isArray = Array.isArray(value);
      // An array's `length` is never a member, in JSONPath as in dot-paths.
      if (isArray && name === 'length') return;
      path?.push(isArray && isArrayIndex(name) ? Number(name) : name);
      step(record[name], depth + 1, !literal);
      path?.pop();
    };
    step(root, 0, false);
  };

  return {
    values(root) {
      const found: unknown[] = [];
      walk(root, (value) => found.push(value), undefined);
      return found;
    },
    readAll(root) {
      const found: FoundValue[] = [];
      const path: PathSegment[] = [];
      walk(root, (value) => found.push({ value, path: path.slice() }), path);
      return found;
    },
  };
}
