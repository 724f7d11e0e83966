import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobSource } from '../../../src/glob/compile-glob.js';
import { GlobSyntaxError } from '../../../src/glob/glob-to-regex.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';

/** Each glob is compiled once per pattern, limits and options, and shared by every caller. */
describe('compileGlob cache', () => {
  it('gives every caller the same matcher for the same pattern and limits', () => {
    const first = compileGlob('cache.one.*', DEFAULT_LIMITS);
    expect(compileGlob('cache.one.*', { ...DEFAULT_LIMITS })).toBe(first);
    expect(compileGlobSource('cache.one.*', DEFAULT_LIMITS).matcher).toBe(first);
    expect(compileGlobSource('cache.one.*', DEFAULT_LIMITS).source).toBe('^cache\\.one\\.[^/]*$');
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('compiles anew under other limits or options, which may answer differently', () => {
    const plain = compileGlob('Cache.two.*', DEFAULT_LIMITS);
    const folded = compileGlob('Cache.two.*', DEFAULT_LIMITS, { caseInsensitive: true });
    expect(folded).not.toBe(plain);
    expect(plain.test('cache.two.x')).toBe(false);
    expect(folded.test('cache.two.x')).toBe(true);
    const tight = { ...DEFAULT_LIMITS, maxRegexWork: 100 };
    expect(compileGlob('Cache.two.*', tight)).not.toBe(plain);
    expect(() => compileGlob('Cache.two.*', tight).test(`Cache.two.${'x'.repeat(1_000)}`)).toThrow(/maxRegexWork/);
    expect(plain.test(`Cache.two.${'x'.repeat(1_000)}`)).toBe(true);
  });

  it('keeps no failure: a bad pattern throws every time', () => {
    const limits = { ...DEFAULT_LIMITS, maxGlobWildcards: 1 };
    expect(() => compileGlob('a*b*', limits)).toThrow(GlobSyntaxError);
    expect(() => compileGlob('a*b*', limits)).toThrow(GlobSyntaxError);
    expect(compileGlob('a*b*', DEFAULT_LIMITS).test('axby')).toBe(true);
  });
});
