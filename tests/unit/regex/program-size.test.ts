import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { estimateProgram, estimateProgramSize } from '../../../src/regex/program-size.js';
import { compileRegex } from '../../../src/regex/regex-engine.js';

const UNBOUNDED = { maxRegexProgramSize: Number.MAX_SAFE_INTEGER, maxRegexWork: Number.MAX_SAFE_INTEGER };
const size = (source: string, flags = ''): number => estimateProgramSize(source, flags);

describe('estimateProgramSize', () => {
  it('counts a literal as one instruction per UTF-8 byte', () => {
    expect(size('ab') - size('a')).toBe(1);
    expect(size('aé') - size('a')).toBe(2);
    expect(size('a\u{1F600}') - size('a')).toBe(4);
    expect(size('a\\x{1F600}') - size('a')).toBe(4);
  });

  it('multiplies counted repetition by its upper bound, and nested repetition by both', () => {
    const atom = size('(?:a|bc)') - size('');
    expect(size('(?:a|bc){100}')).toBeGreaterThanOrEqual(100 * atom);
    expect(size('(?:a|bc){2,100}')).toBeGreaterThanOrEqual(100 * atom);
    expect(size('(?:a|bc){100,}')).toBeGreaterThanOrEqual(100 * atom);
    expect(size('(?:(?:a|bc){10}){10}')).toBeGreaterThanOrEqual(100 * atom);
  });

  it('never counts a brace that is not a repetition as one', () => {
    expect(size('a{,3}')).toBe(size('a') + 4);
    expect(size('a{x}')).toBe(size('a') + 3);
  });

  it('counts capture groups, and alternations between branches', () => {
    expect(size('(a)')).toBeGreaterThan(size('(?:a)'));
    expect(size('(?P<n>a)')).toBe(size('(a)'));
    expect(size('a|b|c')).toBeGreaterThan(size('abc'));
  });

  it('case folding makes a class or a letter with non-ASCII partners larger, never smaller', () => {
    expect(size('k', 'i')).toBeGreaterThan(size('k'));
    expect(size('(?i)k')).toBe(size('k', 'i'));
    expect(size('(?i:k)a')).toBeGreaterThan(size('ka'));
    expect(size('[\\x{100}-\\x{17f}]', 'i')).toBeGreaterThanOrEqual(size('[\\x{100}-\\x{17f}]'));
    expect(size('x', 'i')).toBe(size('x'));
  });

  it('counts a single code point in a class as its bytes, so a long case-insensitive literal still fits', () => {
    // `k` folds to K and KELVIN SIGN (three UTF-8 bytes): three short chains, not three ranges.
    expect(size('k'.repeat(1_000), 'i')).toBeLessThan(DEFAULT_LIMITS.maxRegexProgramSize);
    expect(() => compileRegex(`(?i)${'keys'.repeat(250)}`, '', DEFAULT_LIMITS)).not.toThrow();
  });

  it('counts a Unicode property class as the largest one, inside brackets or not', () => {
    expect(size('\\pL')).toBeGreaterThan(1_000);
    expect(size('\\p{Greek}')).toBe(size('\\pL'));
    expect(size('[a\\P{Lu}]')).toBeGreaterThan(size('\\pL'));
  });

  it('counts multi-byte classes by their UTF-8 pieces and the whole non-ASCII range compactly', () => {
    expect(size('[\\x{800}-\\x{ffff}]')).toBeGreaterThan(size('[a-z]'));
    expect(size('[\\s\\S]')).toBeLessThan(size('[\\x{80}-\\x{10fff}]'));
  });

  it('reads escapes, quotes and classes without losing its place', () => {
    expect(size('\\Qa|b\\E')).toBe(size('a\\|b'));
    expect(size('[]a]')).toBe(size('[a\\]]'));
    expect(size('[^]a]')).toBe(size('[^a\\]]'));
    expect(size('[[:alpha:]]')).toBe(size('[A-Za-z]'));
  });

  it('never throws and never answers less than the fixed overhead, for any pattern RE2 accepts', () => {
    const pieces = fc.constantFrom(
      'a',
      'é',
      '.',
      '\\d',
      '\\W',
      '[a-z]',
      '[^/]',
      '\\pL',
      '(',
      ')',
      '(?:',
      '(?i)',
      '|',
      '*',
      '+?',
      '{2,5}',
      '{3}',
      '\\Q',
      '\\E',
      '^',
      '$',
      '\\b',
      '[[:^space:]]',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const source = parts.join('');
        try {
          compileRegex(source, '', UNBOUNDED);
        } catch {
          return;
        }
        expect(size(source)).toBeGreaterThanOrEqual(size(''));
      }),
    );
  });
});

describe('estimateProgram: how far a match can reach', () => {
  it.each([
    ['AKIA[0-9A-Z]{16}', '', 20, []],
    ['a{2,5}b?', '', 6, []],
    [
      '\\s+',
      '',
      0,
      [
        [0x09, 0x0a],
        [0x0c, 0x0d],
        [0x20, 0x20],
      ],
    ],
    ['sk-[a-z]{2,}', '', 3, [[0x61, 0x7a]]],
    ['x(?:ab*?c)?', '', 3, [[0x62, 0x62]]],
    [
      '(?i)k+',
      '',
      0,
      [
        [0x4b, 0x4b],
        [0x6b, 0x6b],
        [0x212a, 0x212a],
      ],
    ],
    ['a(?:[\\s\\S]*z)?', '', 2, [[0, 0x10ffff]]],
    ['\\pL*', '', 0, [[0, 0x10ffff]]],
  ] as const)('/%s/%s: at most %i code points outside unbounded loops, whose bodies consume %j', (source, flags, length, ranges) => {
    const estimate = estimateProgram(source, flags);
    expect(estimate.size).toBe(estimateProgramSize(source, flags));
    expect(estimate.boundedLength).toBe(length);
    expect(estimate.loopRanges).toEqual(ranges);
  });
});
