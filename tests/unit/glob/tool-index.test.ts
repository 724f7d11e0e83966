import { describe, expect, it } from 'vitest';
import { compileGlob, isGlobPattern } from '../../../src/glob/compile-glob.js';
import { ToolIndex } from '../../../src/glob/tool-index.js';
import { globToRegexSource } from '../../../src/glob/glob-to-regex.js';
import { estimateProgramSize } from '../../../src/regex/program-size.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';

const entry = (index: number, tools?: string[]) => ({ index, tools, name: `p${index}` });

describe('ToolIndex', () => {
  const entries = [
    entry(0, ['payments.transfer']),
    entry(1, ['payments.*']),
    entry(2),
    entry(3, ['crm.**', 'payments.transfer']),
    entry(4, ['payments.refund']),
  ];
  const index = new ToolIndex(entries, DEFAULT_LIMITS);
  const names = (tool: string) => index.lookup(tool).map((found) => found.name);

  it('finds exact names, globs and catch-alls in set order, each once', () => {
    expect(names('payments.transfer')).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(names('payments.refund')).toEqual(['p1', 'p2', 'p4']);
    expect(names('crm.contact.update')).toEqual(['p2', 'p3']);
    expect(names('other')).toEqual(['p2']);
  });

  it('treats glob syntax in a tool name as plain text', () => {
    expect(names('payments.*')).toEqual(['p1', 'p2']);
  });

  it('answers the same from its cache, for long names that are not cached too', () => {
    expect(index.lookup('payments.transfer')).toBe(index.lookup('payments.transfer'));
    const long = `payments.${'x'.repeat(10_000)}`;
    expect(names(long)).toEqual(['p1', 'p2']);
    expect(names(long)).toEqual(['p1', 'p2']);
  });

  it('stays correct after its cache fills', () => {
    for (let n = 0; n < 5_000; n += 1) index.lookup(`tool.${n}`);
    expect(names('payments.transfer')).toEqual(['p0', 'p1', 'p2', 'p3']);
  });
});

describe('ToolIndex: answers pinned against a plain reference', () => {
  // Globs of every kind the prefix grouping must get right: shared, empty and
  // escaped prefixes, classes, braces, extglobs, slashes, non-ASCII and astral text.
  const PATTERNS = [
    'payments.*',
    'payments.transfer',
    'pay*',
    'payments.re*',
    '*.delete',
    'crm.**',
    'a?c',
    '{x,y}.z',
    '[ab]c.*',
    'svc\\*.x',
    'svc\\*.*',
    'déjà.*',
    '😀*',
    'a/b*',
    '@(foo|bar).x',
    '?(x).y',
    '+(ab).c',
    'exact.only',
  ];
  const NAMES = [
    'payments.transfer',
    'payments.refund',
    'payments.',
    'payments',
    'pay',
    'paym',
    'x.delete',
    '.delete',
    'crm.a',
    'crm.a/b',
    'abc',
    'ac',
    'x.z',
    'y.z',
    'xy.z',
    'ac.1',
    'bc.2',
    'cc.3',
    'svc*.x',
    'svcX.x',
    'svc*.y',
    'déjà.vu',
    'deja.vu',
    '😀',
    '😀x',
    '\uD83D',
    'a/b',
    'a/bc',
    'a//b',
    'foo.x',
    'bar.x',
    'baz.x',
    'q.y',
    'x.y',
    'ab.c',
    'abab.c',
    'exact.only',
    'other',
    '',
  ];

  /** Entry n uses two patterns, one every eighth uses none (every tool), and one repeats a pattern. */
  const entries = Array.from({ length: 40 }, (_, index) => ({
    index,
    tools:
      index % 8 === 7
        ? undefined
        : [
            PATTERNS[index % PATTERNS.length] ?? '',
            PATTERNS[(index * 7 + 3) % PATTERNS.length] ?? '',
            PATTERNS[index % PATTERNS.length] ?? '',
          ],
  }));
  const matchers = new Map(PATTERNS.filter(isGlobPattern).map((pattern) => [pattern, compileGlob(pattern, DEFAULT_LIMITS)]));
  const reference = (tool: string): number[] =>
    entries
      .filter(
        ({ tools }) => tools === undefined || tools.some((pattern) => (matchers.get(pattern)?.test(tool) ?? false) || pattern === tool),
      )
      .map(({ index }) => index);

  it('equals testing every pattern of every entry, for names that match none, one or many', () => {
    const index = new ToolIndex(entries, DEFAULT_LIMITS);
    for (const name of NAMES)
      expect(
        index.lookup(name).map((found) => found.index),
        name,
      ).toEqual(reference(name));
  });

  it('stays equal, and keeps hot names cached, while 10,000 distinct names pass through its bounded cache', () => {
    const index = new ToolIndex(entries, DEFAULT_LIMITS);
    const hot = index.lookup('payments.refund');
    const exact = index.lookup('payments.transfer');
    for (let n = 0; n < 10_000; n += 1) {
      const name = NAMES[n % NAMES.length] + String(n);
      expect(index.lookup(name).map((found) => found.index)).toEqual(reference(name));
      // Used every hundred names: never the least recently used, so never evicted.
      if (n % 100 === 0) expect(index.lookup('payments.refund')).toBe(hot);
    }
    expect(index.lookup('payments.refund')).toBe(hot);
    // Exact names are answered from what was computed at construction, never from the cache.
    expect(index.lookup('payments.transfer')).toBe(exact);
    for (const name of NAMES)
      expect(
        index.lookup(name).map((found) => found.index),
        name,
      ).toEqual(reference(name));
  });
});

describe('ToolIndex under a work budget', () => {
  // Two RE2 globs sharing the prefix "ns.", so the bucket gets one combined matcher, larger than either glob.
  const globs = ['ns.{read,write}?x*', 'ns.[ab]?y*'];
  const sizes = globs.map((glob) => estimateProgramSize(globToRegexSource(glob, DEFAULT_LIMITS.maxGlobWildcards), ''));
  const combined = estimateProgramSize(
    globs.map((glob) => `(?:${globToRegexSource(glob, DEFAULT_LIMITS.maxGlobWildcards)})`).join('|'),
    '',
  );
  const entries = globs.map((glob, index) => ({ index, tools: [glob] }));

  it('tests glob by glob when a name is too long for the combined matcher but not for the globs', () => {
    const longest = Math.max(...sizes);
    expect(combined).toBeGreaterThan(longest);
    // A budget each glob can spend on the name, and the combined matcher cannot.
    const name = `ns.readqx${'z'.repeat(200)}`;
    const limits = { ...DEFAULT_LIMITS, maxRegexWork: longest * name.length };
    expect(combined * name.length).toBeGreaterThan(limits.maxRegexWork);
    const index = new ToolIndex(entries, limits);
    expect(index.lookup(name).map((found) => found.index)).toEqual([0]);
    expect(index.lookup(`ns.aqy${'z'.repeat(200)}`).map((found) => found.index)).toEqual([1]);
  });

  it('still refuses a name too long for a glob itself', () => {
    const name = `ns.readqx${'z'.repeat(200)}`;
    const index = new ToolIndex(entries, { ...DEFAULT_LIMITS, maxRegexWork: 10 });
    expect(() => index.lookup(name)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
  });
});
