import type { PathSegment } from '../types.js';
import { compileJsonPath } from './jsonpath-reader.js';
import type { Step } from './own-property.js';
import { compileStep, isArrayIndex, readOwn } from './own-property.js';
import { isJsonPath, parseDotPath } from './parse-path.js';

/** One value found at a path, with the segments that lead to it. */
export interface FoundValue {
  readonly value: unknown;
  readonly path: readonly PathSegment[];
}

/**
 * A path compiled once into a getter. A dot-path yields at most one value; a
 * JSONPath yields any number (`multi`).
 */
export interface FieldReader {
  /** The path as written in the policy. */
  readonly source: string;
  /** True for JSONPath, which can yield several values. */
  readonly multi: boolean;
  /** Segments of a dot-path, or the fixed leading keys of a JSONPath. */
  readonly segments: readonly string[];
  /** Where to point when the field is missing: `segments`, with indices as numbers where they meet an array. */
  readonly missingPath: (root: unknown) => PathSegment[];
  /** The value of a dot-path, or `undefined` when missing (JSONPath: the first value). */
  readonly read: (root: unknown) => unknown;
  /** Every value the path yields, without paths: for tests, which report nothing. */
  readonly readValues: (root: unknown) => unknown[];
  /** Every value the path yields, with its concrete path: for violations, which point at it. */
  readonly readAll: (root: unknown) => FoundValue[];
}

/** Compiles a dot-path or JSONPath; throws `PathSyntaxError` for a malformed one. */
export function compileFieldReader(source: string): FieldReader {
  return isJsonPath(source) ? compileJsonPathReader(source) : compileDotPathReader(source);
}

function compileDotPathReader(source: string): FieldReader {
  const segments = parseDotPath(source);
  const read = compileGetter(segments);
  return {
    source,
    multi: false,
    segments,
    missingPath: (root) => concretePath(root, segments),
    read,
    readValues(root) {
      const value = read(root);
      return value === undefined ? [] : [value];
    },
    readAll(root) {
      const value = read(root);
      return value === undefined ? [] : [{ value, path: concretePath(root, segments) }];
    },
  };
}

/** True when reading the segment cannot touch an array specially (not an index, not `length`). */
function isPlainKey(segment: string): boolean {
  return segment !== 'length' && !isArrayIndex(segment);
}

// Paths of one to three plain keys dominate real policies. Their getters are
// written out with the own-property check inline: one closure call per read and
// no shared inner call site, which V8 would see as megamorphic and not inline.
function compileGetter(segments: readonly string[]): (root: unknown) => unknown {
  const [a, b, c] = segments;
  if (segments.every(isPlainKey)) {
    if (segments.length === 1 && a !== undefined) {
      return (root) =>
        typeof root === 'object' && root !== null && Object.hasOwn(root, a) ? (root as Record<string, unknown>)[a] : undefined;
    }
    if (segments.length === 2 && a !== undefined && b !== undefined) {
      return (root) => {
        if (typeof root !== 'object' || root === null || !Object.hasOwn(root, a)) return undefined;
        const first = (root as Record<string, unknown>)[a];
        return typeof first === 'object' && first !== null && Object.hasOwn(first, b) ? (first as Record<string, unknown>)[b] : undefined;
      };
    }
    if (segments.length === 3 && a !== undefined && b !== undefined && c !== undefined) {
      return (root) => {
        if (typeof root !== 'object' || root === null || !Object.hasOwn(root, a)) return undefined;
        const first = (root as Record<string, unknown>)[a];
        if (typeof first !== 'object' || first === null || !Object.hasOwn(first, b)) return undefined;
        const second = (first as Record<string, unknown>)[b];
        return typeof second === 'object' && second !== null && Object.hasOwn(second, c)
          ? (second as Record<string, unknown>)[c]
          : undefined;
      };
    }
  }
  const steps: Step[] = segments.map(compileStep);
  return (root) => {
    let current = root;
    for (const step of steps) {
      current = step(current);
      if (current === undefined) return undefined;
    }
    return current;
  };
}

/** The path as segments, with array indices as numbers, for pointing at a value in a violation. */
export function concretePath(root: unknown, segments: readonly string[]): PathSegment[] {
  const path: PathSegment[] = [];
  let current = root;
  for (const segment of segments) {
    path.push(Array.isArray(current) && isArrayIndex(segment) ? Number(segment) : segment);
    current = readOwn(current, segment);
  }
  return path;
}

function compileJsonPathReader(source: string): FieldReader {
  const { values, readAll, fixedPrefix } = compileJsonPath(source);
  return {
    source,
    multi: true,
    segments: fixedPrefix,
    missingPath: (root) => concretePath(root, fixedPrefix),
    read: (root) => values(root)[0],
    readValues: values,
    readAll,
  };
}
