import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JSONPath } from 'jsonpath-plus';
import { compileFieldReader } from '../../../src/path/field-reader.js';
import { compileSimpleJsonPath } from '../../../src/path/simple-jsonpath.js';
import type { PathSegment } from '../../../src/types.js';

/**
 * JSONPaths of names and `*` are walked without jsonpath-plus. These tests hold
 * that walk to jsonpath-plus itself (with the own-member filter the reader
 * applies), on the values, their order and their paths.
 */

interface Found {
  readonly value: unknown;
  readonly path: readonly PathSegment[];
}

// What the reader answered before the walk existed: jsonpath-plus, then only the
// root or own members of objects and arrays (never an array's length), each path
// read back from its pointer with indices as numbers where they meet an array.
function viaJsonPathPlus(path: string, root: unknown): Found[] {
  const results: { value: unknown; pointer: string; parent: unknown; parentProperty: unknown }[] | undefined = JSONPath({
    path,
    json: root as object,
    eval: false,
    resultType: 'all',
    wrap: true,
  });
  return (results ?? [])
    .filter(({ pointer, parent, parentProperty }) => {
      if (pointer === '') return true;
      if (typeof parent !== 'object' || parent === null) return false;
      return !(Array.isArray(parent) && parentProperty === 'length');
    })
    .map(({ value, pointer }) => {
      const keys =
        pointer === ''
          ? []
          : pointer
              .slice(1)
              .split('/')
              .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
      const segments: PathSegment[] = [];
      let current: unknown = root;
      for (const key of keys) {
        segments.push(Array.isArray(current) && /^(0|[1-9]\d*)$/.test(key) ? Number(key) : key);
        current = (current as Record<string, unknown>)[key];
      }
      return { value, path: segments };
    });
}

const STEPS = ['*', 'a', 'b', 'length', '0', '1', '-1', 'x_y'] as const;

function pathOf(steps: readonly string[]): string {
  return `$${steps.map((step) => (step === '*' ? '[*]' : /^\d+$/.test(step) ? `[${step}]` : `['${step}']`)).join('')}`;
}

// JSON-like data whose keys collide with the steps, strings that have characters
// and lengths, and arrays with holes.
const key = fc.constantFrom('a', 'b', 'length', '0', '1', '*', 'x_y', 'other');
const data = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, 0, 1, '', 'ab', true, false),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.sparseArray(tie('value'), { maxLength: 3 }),
  ),
})).value;

describe('simple JSONPath walk', () => {
  it('takes names and * only', () => {
    expect(compileSimpleJsonPath(['a', '*', '0'])).toBeDefined();
    for (const steps of [['..', 'a'], ['a', '0:2'], ['a', 'b,c'], ['a', '^'], ['a', '~'], ['@string()'], ['`a'], ['a b'], ['']]) {
      expect(compileSimpleJsonPath(steps)).toBeUndefined();
    }
  });

  it('yields what jsonpath-plus yields, in its order, with the same paths', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...STEPS), { maxLength: 4 }), data, (steps, root) => {
        const path = pathOf(steps);
        const expected = viaJsonPathPlus(path, root);
        const reader = compileFieldReader(path);
        expect(reader.readAll(root)).toEqual(expected);
        expect(reader.readValues(root)).toEqual(expected.map(({ value }) => value));
        expect(reader.read(root)).toEqual(expected[0]?.value);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    // eslint-disable-next-line no-sparse-arrays -- a hole, which jsonpath-plus yields as undefined
    ['$.a[*]', { a: [1, , 3] }],
    ['$[*][*]', { a: { '*': 1, b: 2 } }],
    ['$[*][*]', { a: { c: 1, b: 2 } }],
    ['$.a.length', { a: [1, 2] }],
    ['$.a.length', { a: { length: 2 } }],
    ['$.a[0]', { a: 'text' }],
    ['$', { a: 1 }],
  ])('%s on %j as jsonpath-plus', (path, root) => {
    expect(compileFieldReader(path).readAll(root)).toEqual(viaJsonPathPlus(path, root));
  });
});
