import { describe, expect, it } from 'vitest';
import { parseDotPath, parseDotPathPattern, PathSyntaxError } from '../../../src/path/parse-path.js';

describe('parseDotPathPattern', () => {
  it.each([
    ['a.*.b', [{ kind: 'key', key: 'a' }, { kind: 'any' }, { kind: 'key', key: 'b' }]],
    ['a[*].b', [{ kind: 'key', key: 'a' }, { kind: 'any' }, { kind: 'key', key: 'b' }]],
    ['a[*][*]', [{ kind: 'key', key: 'a' }, { kind: 'any' }, { kind: 'any' }]],
    [
      'a["*"]',
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: '*' },
      ],
    ],
    [
      "a['*'].b",
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: '*' },
        { kind: 'key', key: 'b' },
      ],
    ],
    [
      'a[0].b',
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: '0' },
        { kind: 'key', key: 'b' },
      ],
    ],
    [
      'a["x*y"]',
      [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: 'x*y' },
      ],
    ],
  ])('parses %s', (path, segments) => {
    expect(parseDotPathPattern(path)).toEqual(segments);
  });

  it.each([
    ['a.x*y', /"\*" must be a whole segment/],
    ['a.**', /"\*" must be a whole segment/],
    ['a[**]', /array index/],
    ['a..b', /empty segment/],
  ])('rejects %j', (path, message) => {
    expect(() => parseDotPathPattern(path)).toThrow(PathSyntaxError);
    expect(() => parseDotPathPattern(path)).toThrow(message);
  });

  it('leaves parseDotPath as it was: `*` is an ordinary key and `[*]` is refused', () => {
    expect(parseDotPath('a.*.b')).toEqual(['a', '*', 'b']);
    expect(parseDotPath('a.x*y')).toEqual(['a', 'x*y']);
    expect(parseDotPath('a["*"]')).toEqual(['a', '*']);
    expect(() => parseDotPath('a[*]')).toThrow(/array index like \[0\] or a quoted key/);
  });
});
