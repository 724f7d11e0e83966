import { describe, expect, it } from 'vitest';
import { compileFieldReader } from '../../../src/path/field-reader.js';
import { PathSyntaxError, parseDotPath } from '../../../src/path/parse-path.js';

describe('parseDotPath', () => {
  it.each([
    ['arguments.amount', ['arguments', 'amount']],
    ['arguments.items.0.sku', ['arguments', 'items', '0', 'sku']],
    ['arguments.items[0].sku', ['arguments', 'items', '0', 'sku']],
    ['arguments.items[12][3]', ['arguments', 'items', '12', '3']],
    ['context.headers["x-api.key"]', ['context', 'headers', 'x-api.key']],
    ['context.headers[\'a "b" c\']', ['context', 'headers', 'a "b" c']],
    ['a["quote \\" inside"]', ['a', 'quote " inside']],
    ['["$weird"].x', ['$weird', 'x']],
    ['__proto__.polluted', ['__proto__', 'polluted']],
  ])('parses %s', (path, segments) => {
    expect(parseDotPath(path)).toEqual(segments);
  });

  it.each([
    ['', /empty/],
    ['a..b', /empty segment at offset 2/],
    ['.a', /empty segment at offset 0/],
    ['a.', /ends with "."/],
    ['a[x]', /array index like \[0\] or a quoted key/],
    ['a[01]', /array index/],
    ['a[-1]', /array index/],
    ['a["open', /unterminated quoted key/],
    ['a["k"x', /expected "\]"/],
    ['a b', /unexpected " "|expected "." or "\["/],
  ])('rejects %j', (path, message) => {
    expect(() => parseDotPath(path)).toThrow(PathSyntaxError);
    expect(() => parseDotPath(path)).toThrow(message);
  });
});

describe('compileFieldReader', () => {
  const action = JSON.parse(
    '{"tool":"t","arguments":{"items":[{"sku":"A","qty":1},{"sku":"B","qty":2}],"k.dot":{"v":3}},"__proto__":{"polluted":true}}',
  ) as object;

  it('reads dot-paths of every length, with indices on arrays', () => {
    expect(compileFieldReader('tool').read(action)).toBe('t');
    expect(compileFieldReader('arguments.items').read(action)).toHaveLength(2);
    expect(compileFieldReader('arguments.items.1.sku').read(action)).toBe('B');
    expect(compileFieldReader('arguments.items[0].qty').read(action)).toBe(1);
    expect(compileFieldReader('arguments["k.dot"].v').read(action)).toBe(3);
  });

  it('reads an own __proto__ key, and never an inherited member', () => {
    expect(compileFieldReader('__proto__.polluted').read(action)).toBe(true);
    expect(compileFieldReader('arguments.constructor').read(action)).toBeUndefined();
    expect(compileFieldReader('arguments.items.length').read(action)).toBeUndefined();
    expect(compileFieldReader('arguments.items.map').read(action)).toBeUndefined();
    expect(compileFieldReader('tool.length').read(action)).toBeUndefined();
    expect(compileFieldReader('arguments.hasOwnProperty').read({ arguments: {} })).toBeUndefined();
  });

  it('reports the concrete path with numeric indices', () => {
    expect(compileFieldReader('arguments.items.1.sku').readAll(action)).toEqual([{ value: 'B', path: ['arguments', 'items', 1, 'sku'] }]);
    expect(compileFieldReader('$.arguments.items[*].sku').readAll(action)).toEqual([
      { value: 'A', path: ['arguments', 'items', 0, 'sku'] },
      { value: 'B', path: ['arguments', 'items', 1, 'sku'] },
    ]);
  });

  it('gives a JSONPath the fixed keys it starts with, to point at a missing field', () => {
    expect(compileFieldReader('$.arguments.lines[*].sku').segments).toEqual(['arguments', 'lines']);
    expect(compileFieldReader('$..sku').segments).toEqual([]);
  });

  it('refuses JSONPath script and filter expressions', () => {
    expect(() => compileFieldReader('$.items[?(@.qty > 1)]')).toThrow(/script or filter expression/);
    expect(() => compileFieldReader('$.items[(@.length-1)]')).toThrow(/script or filter expression/);
  });

  it('does not read an array length through JSONPath either', () => {
    expect(compileFieldReader('$.arguments.items.length').readAll(action)).toEqual([]);
  });
});
