import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { compileGlob } from '../../../src/glob/compile-glob.js';
import { globToRegexSource } from '../../../src/glob/glob-to-regex.js';
import { starGlobMatcher } from '../../../src/glob/star-glob-matcher.js';

describe('starGlobMatcher', () => {
  it.each(['payments.*', '*.delete', 'svc-*-read', '*', 'a\\*b*', 'crm.**', 'déjà.*'])('answers %s exactly as RE2 does', (glob) => {
    const fast = starGlobMatcher(globToRegexSource(glob, DEFAULT_LIMITS.maxGlobWildcards));
    expect(fast).toBeDefined();
    const native = compileGlob(glob, DEFAULT_LIMITS);
    const inputs = [
      '',
      'payments.',
      'payments.transfer',
      'payments.a/b',
      'payments',
      'x.delete',
      '.delete',
      'x/y.delete',
      'svc--read',
      'svc-x-read',
      'svc-x/y-read',
      'a*b',
      'a*bc',
      'ab',
      'crm.',
      'crm.a',
      'crm.a/b',
      'déjà.vu',
      'deja.vu',
      'payments.\n',
      'payments.\uD800',
      '\uD83D\uDE00.delete',
    ];
    for (const input of inputs) expect(fast?.test(input), `${glob} on ${JSON.stringify(input)}`).toBe(native.test(input));
  });

  it.each(['a?c', '{x,y}.z', '[ab]c.*', 'ns/**', '+(ab).c', 'a*b*c', 'svc-{read,write}*'])('leaves %s to RE2', (glob) => {
    expect(starGlobMatcher(globToRegexSource(glob, DEFAULT_LIMITS.maxGlobWildcards))).toBeUndefined();
  });
});
