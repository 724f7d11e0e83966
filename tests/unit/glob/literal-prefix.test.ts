import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { globToRegexSource } from '../../../src/glob/glob-to-regex.js';
import { literalPrefixOf } from '../../../src/glob/literal-prefix.js';
import { compileRegex } from '../../../src/regex/regex-engine.js';

describe('literalPrefixOf', () => {
  it.each([
    ['payments.*', 'payments.'],
    ['payments.transfer.*', 'payments.transfer.'],
    ['*.delete', ''],
    ['svc\\*.x*', 'svc*.x'],
    ['a?c', 'a'],
    ['{x,y}.z', ''],
    ['[ab]c', ''],
    ['déjà.*', 'déjà.'],
    ['😀*', ''],
    ['+(ab).c', ''],
  ])('of the glob %s is %j', (glob, prefix) => {
    expect(literalPrefixOf(globToRegexSource(glob, DEFAULT_LIMITS.maxGlobWildcards))).toBe(prefix);
  });

  it.each([
    ['^ab*c', 'a'],
    ['^ab?c', 'a'],
    ['^ab{2}', 'a'],
    ['^a\\dc', 'a'],
    ['^a\\.b', 'a.b'],
    ['^a|b', ''],
    ['^(?:a|b)c', ''],
    ['^[|]a', ''],
    ['^a[|]b', 'a'],
    ['abc', ''],
    ['^\uFFFDx', ''],
  ])('of the regex %s is %j', (source, prefix) => {
    expect(literalPrefixOf(source)).toBe(prefix);
  });

  it('is a prefix of every string the pattern matches, among strings that differ from it in one place', () => {
    for (const source of ['^ab*c$', '^ab?c$', '^a\\.b[^/]*$', '^x(?:y|z)$', '^(?:a|b)c$']) {
      const prefix = literalPrefixOf(source);
      const regex = compileRegex(source, '', DEFAULT_LIMITS);
      for (const text of ['ac', 'abc', 'abbc', 'a.b', 'a.bq', 'xy', 'xz', 'ac', 'bc']) {
        if (regex.test(text)) expect(text.startsWith(prefix), `${source} ${text}`).toBe(true);
      }
    }
  });
});
