import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compileGlob, isGlobPattern } from '../../../src/glob/compile-glob.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { GlobSyntaxError, globToRegexSource } from '../../../src/glob/glob-to-regex.js';

type Row = readonly [pattern: string, input: string, expected: boolean];

const RULES: Readonly<Record<string, readonly Row[]>> = {
  'tool names and anchoring': [
    ['payments.*', 'payments.transfer', true],
    ['payments.*', 'paymentsXtransfer', false],
    ['payments.*', 'payments.', true],
    ['payments.*', 'payments.transfer.batch', true],
    ['payments.*', 'xpayments.transfer', false],
    ['payments.transfer', 'payments.transfer', true],
    ['payments.transfer', 'payments.transfers', false],
    ['*.read', 'files.read', true],
    ['*.read', 'files.read.all', false],
  ],
  'case-sensitive by default': [
    ['Payments.*', 'payments.transfer', false],
    ['payments.*', 'PAYMENTS.transfer', false],
    ['[a-c]', 'B', false],
  ],
  '* stays inside a segment, matches empty runs, dots and newlines': [
    ['*', '', true],
    ['*', 'abc', true],
    ['*', '.env', true],
    ['*', '.', true],
    ['*', '..', true],
    ['*', 'a/b', false],
    ['*', 'a/', false],
    ['*', 'a\nb', true],
    ['a/*/b', 'a/../b', true],
    ['a*b', 'ab', true],
    ['a*b', 'axyzb', true],
    ['a*b', 'ax/b', false],
    ['*.txt', '.txt', true],
  ],
  '? is one character except /': [
    ['?', 'a', true],
    ['?', '', false],
    ['?', 'ab', false],
    ['?', '/', false],
    ['?', '.', true],
    ['?', '\n', true],
    ['?', '😀', true],
    ['a?c', 'a/c', false],
  ],
  '** as a whole segment crosses /': [
    ['**', '', true],
    ['**', 'a/b/c', true],
    ['**', '.git/config', true],
    ['x/**', 'x', true],
    ['x/**', 'x/', true],
    ['x/**', 'x/y/z', true],
    ['x/**', 'xy', false],
    ['secrets/**', 'secrets/.key', true],
    ['secrets/**', 'secrets/../etc/passwd', true],
    ['**/x', 'x', true],
    ['**/x', 'a/b/x', true],
    ['**/x', 'ax', false],
    ['**/x', 'a/bx', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'ab', false],
    ['a/**/b', 'a/xb', false],
    ['/**', '', false],
    ['/**', '/', true],
    ['/**', '/etc/passwd', true],
    ['**/', '', false],
    ['**/', 'a/b/', true],
    ['{a/**,b}', 'a', true],
    ['{a/**,b}', 'a/x/y', true],
  ],
  '** that is not a whole segment is *': [
    ['a**', 'abc', true],
    ['a**', 'ab/c', false],
    ['**a', 'b/a', false],
    ['a/**b', 'a/x/b', false],
    ['a/**b', 'a/xb', true],
    ['***', 'a/b', false],
    ['*(a|**)', 'a/b', false],
  ],
  'bracket classes never match /': [
    ['[abc]', 'b', true],
    ['[abc]', 'd', false],
    ['[a-z]', 'm', true],
    ['[a-z]', 'M', false],
    ['[!a-z]', 'M', true],
    ['[!a-z]', 'm', false],
    ['[!a-z]', '/', false],
    ['[^a-z]', 'M', true],
    ['[^a-z]', 'm', false],
    ['[^a-z]', '/', false],
    ['[]a]', ']', true],
    ['[]a]', 'a', true],
    ['[!]a]', ']', false],
    ['[!]a]', 'b', true],
    ['[a-]', '-', true],
    ['[a\\-z]', '-', true],
    ['[a\\-z]', 'm', false],
    ['[\\]]', ']', true],
    ['[[]', '[', true],
    ['[$^]', '^', true],
    ['[+-0]', '.', true],
    ['[+-0]', '/', false],
    ['[!-~]', '-', false],
    ['[!-~]', 'a', true],
    ['x[0-9][0-9]', 'x42', true],
  ],
  'braces alternate, nest and hold globs': [
    ['{a,b,c}', 'b', true],
    ['{a,b,c}', 'd', false],
    ['{a,{b,c}}', 'c', true],
    ['*.{js,ts}', 'index.ts', true],
    ['*.{js,ts}', 'index.py', false],
    ['{a,b}{c,d}', 'bd', true],
    ['{a,}', '', true],
    ['{a,}', 'a', true],
    ['{a}', '{a}', true],
    ['{a}', 'a', false],
    ['{}', '{}', true],
    ['a{*}c', 'a{xy}c', true],
    ['tools.{read,list}_*', 'tools.list_files', true],
  ],
  extglobs: [
    ['@(a|b)', 'a', true],
    ['@(a|b)', 'ab', false],
    ['?(a|b)', '', true],
    ['?(a|b)', 'b', true],
    ['?(a|b)', 'ab', false],
    ['*(a|b)', '', true],
    ['*(a|b)', 'abba', true],
    ['*(a|b)', 'abc', false],
    ['+(a|b)', '', false],
    ['+(a|b)', 'abba', true],
    ['@(*.js|*.ts)', 'a.ts', true],
    ['@(a/b|c)', 'a/b', true],
    ['@(x/**)', 'x', true],
    ['x/@(**)', 'x/y/z', true],
    // The slash is outside the group, so the globstar cannot take it along.
    ['x/@(**)', 'x', false],
  ],
  'characters that are literal unless they open an extglob': [
    ['user@host', 'user@host', true],
    ['a+b', 'a+b', true],
    ['a+b', 'aab', false],
    ['!a', '!a', true],
    ['!a', 'b', false],
    ['(a|b)', '(a|b)', true],
    ['(a|b)', 'a', false],
    ['a]', 'a]', true],
    ['a}', 'a}', true],
    ['a,b', 'a,b', true],
  ],
  'RE2-special characters are literal': [
    ['a.b', 'axb', false],
    ['a.b', 'a.b', true],
    ['^a$', '^a$', true],
    ['a|b', 'a', false],
    ['a|b', 'a|b', true],
    ['x\ny', 'x\ny', true],
    ['\u0000', '\u0000', true],
    ['日本/*', '日本/語', true],
  ],
  'backslash escapes the next character': [
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['\\?', '?', true],
    ['\\?', 'a', false],
    ['\\[a]', '[a]', true],
    ['\\{a,b}', '{a,b}', true],
    ['\\{a,b}', 'a', false],
    ['a\\\\b', 'a\\b', true],
    ['\\a', 'a', true],
    ['\\@(a)', '@(a)', true],
    ['\\!(a)', '!(a)', true],
  ],
};

describe('compileGlob', () => {
  for (const [rule, rows] of Object.entries(RULES)) {
    describe(rule, () => {
      it.each(rows)('%j against %j is %s', (pattern, input, expected) => {
        expect(compileGlob(pattern, DEFAULT_LIMITS).test(input)).toBe(expected);
      });
    });
  }

  it('matches case-insensitively when asked', () => {
    expect(compileGlob('Payments.*', DEFAULT_LIMITS, { caseInsensitive: true }).test('PAYMENTS.transfer')).toBe(true);
    expect(compileGlob('[a-c]', DEFAULT_LIMITS, { caseInsensitive: true }).test('B')).toBe(true);
    expect(compileGlob('payments.*', DEFAULT_LIMITS, { caseInsensitive: false }).test('PAYMENTS.x')).toBe(false);
  });

  it('returns in linear time on inputs that make backtracking engines hang', () => {
    const hostile = 'a'.repeat(1_000_000);
    // RE2's linearity is under test here, not the work budget (tests/unit/regex covers that).
    const limits = { ...DEFAULT_LIMITS, maxRegexWork: Number.MAX_SAFE_INTEGER };
    expect(compileGlob('*a*a*a*a*a*b', limits).test(hostile)).toBe(false);
    expect(compileGlob('**/*a*/**/*a*b', limits).test(hostile)).toBe(false);
    expect(compileGlob('**/*a*/**/*a*b', limits).test('a/'.repeat(500_000))).toBe(false);
    expect(compileGlob('+(a|aa)b', limits).test(hostile)).toBe(false);
  });
});

describe('globToRegexSource', () => {
  it.each([
    ['payments.*', '^payments\\.[^/]*$'],
    ['a/**/b', '^a/(?:[^/]*/)*b$'],
    ['x/**', '^x(?:/[\\s\\S]*)?$'],
    ['**/x', '^(?:[^/]*/)*x$'],
    ['[!a-z]', '^[^a-z/]$'],
    ['*.{js,ts}', '^[^/]*\\.(?:js|ts)$'],
    ['+(a|b)', '^(?:a|b)+$'],
  ])('%j compiles to %j', (pattern, source) => {
    expect(globToRegexSource(pattern, DEFAULT_LIMITS.maxGlobWildcards)).toBe(source);
  });
});

describe('GlobSyntaxError', () => {
  it.each([
    ['[a', 0, 'unterminated bracket class'],
    ['tools/[a-z', 6, 'unterminated bracket class'],
    ['[]', 0, 'unterminated bracket class'],
    ['{a,b', 0, 'unterminated brace group'],
    ['x{a', 1, 'unterminated brace group'],
    ['@(a|b', 0, 'unterminated extglob'],
    ['a/+(b', 2, 'unterminated extglob'],
    ['a\\', 1, 'trailing backslash'],
    ['[a\\', 2, 'trailing backslash'],
    ['[[:alpha:]]', 1, 'POSIX character classes like [:alpha:] are not supported'],
    ['[a[:digit:]]', 2, 'POSIX character classes like [:alpha:] are not supported'],
    ['{1..3}', 0, 'ranges like {1..3} are not supported'],
    ['x{a..e}', 1, 'ranges like {1..3} are not supported'],
    ['!(a)', 0, 'negated extglobs !(...) need lookahead, which RE2 does not run in linear time; use a `not` predicate'],
    ['a/!(b|c)', 2, 'negated extglobs'],
    ['[z-a]', 1, 'bracket class range z-a is out of order'],
    ['[/]', 1, 'a bracket class never matches "/"'],
    ['[a/b]', 2, 'a bracket class never matches "/"'],
    ['a\ud800', 1, 'lone UTF-16 surrogate'],
  ] as const)('%j fails at offset %i: %s', (pattern, offset, reason) => {
    let caught: unknown;
    try {
      compileGlob(pattern, DEFAULT_LIMITS);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GlobSyntaxError);
    const error = caught as GlobSyntaxError;
    expect(error.name).toBe('GlobSyntaxError');
    expect(error.pattern).toBe(pattern);
    expect(error.offset).toBe(offset);
    expect(error.message).toContain(reason);
    expect(error.message).toContain(`at character offset ${offset}`);
    expect(error.message).toContain(JSON.stringify(pattern));
  });
});

describe('isGlobPattern', () => {
  it.each([
    ['payments.transfer', false],
    ['files/read_all-v2', false],
    ['', false],
    ['user@host', false],
    ['a+b', false],
    ['!a', false],
    ['(a|b)', false],
    ['a]', false],
    ['a}', false],
    ['*', true],
    ['a?', true],
    ['[ab]', true],
    ['{a,b}', true],
    ['{a}', true],
    ['\\a', true],
    ['@(a)', true],
    ['+(a)', true],
    ['!(a)', true],
  ] as const)('%j is %s', (pattern, expected) => {
    expect(isGlobPattern(pattern)).toBe(expected);
  });

  it('is false only for patterns that match exactly themselves, so a Map lookup is equivalent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme', maxLength: 3 }), (pattern, extra) => {
        fc.pre(!isGlobPattern(pattern));
        const glob = compileGlob(pattern, DEFAULT_LIMITS);
        expect(glob.test(pattern)).toBe(true);
        expect(glob.test(pattern + extra)).toBe(extra === '');
        expect(glob.test(extra + pattern)).toBe(extra === '');
      }),
      { numRuns: 500 },
    );
  });
});

describe('hostile patterns', () => {
  it('rejects braces and extglobs nested past 32 levels instead of overflowing the stack', () => {
    expect(() => compileGlob(`${'{a,'.repeat(32)}b${'}'.repeat(32)}`, DEFAULT_LIMITS)).not.toThrow();
    for (const pattern of [`${'{'.repeat(5000)}a,b${'}'.repeat(5000)}`, `${'@('.repeat(5000)}a${')'.repeat(5000)}`]) {
      expect(() => compileGlob(pattern, DEFAULT_LIMITS)).toThrow(GlobSyntaxError);
      expect(() => compileGlob(pattern, DEFAULT_LIMITS)).toThrow(/nest deeper than 32 levels/);
    }
  });

  it('keeps the message short for a long pattern', () => {
    const pattern = `${'a'.repeat(10_000)}[`;
    expect(() => compileGlob(pattern, DEFAULT_LIMITS)).toThrow(GlobSyntaxError);
    try {
      compileGlob(pattern, DEFAULT_LIMITS);
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(300);
    }
  });
});
