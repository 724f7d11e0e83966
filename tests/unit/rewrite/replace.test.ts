import { describe, expect, it } from 'vitest';
import { compileReplacement, replaceAll } from '../../../src/rewrite/replacement-template.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { compileScanner } from '../../../src/regex/regex-engine.js';
import type { Action, RewriteDefinition } from '../../../src/types.js';
import { act, compileError, issuesOf, rewriteWith, withoutMutation } from './support.js';

const ANSI: RewriteDefinition = { op: 'replace', field: 'result.text', pattern: '\\u001b\\[[0-9;]*m', with: '' };

const run = (rewrite: RewriteDefinition, action: Action, limits = DEFAULT_LIMITS) =>
  withoutMutation(action, (frozen) => rewriteWith([rewrite], frozen, {}, limits));

const text = (action: Action): unknown => (action.result as { text?: unknown } | undefined)?.text;

describe('replace', () => {
  it('strips ANSI escapes: "\\u001b[31mALERT\\u001b[0m" becomes "ALERT"', () => {
    const result = run(ANSI, { tool: 't', result: { text: '\u001b[31mALERT\u001b[0m' } });
    expect(text(result.action)).toBe('ALERT');
    expect(result.rewrites).toEqual([{ policyId: 'p', op: 'replace', path: ['result', 'text'], applied: true }]);
    expect(result.violations).toEqual([]);
  });

  it('records nothing and returns the same action when nothing matches', () => {
    const action: Action = { tool: 't', result: { text: 'plain' } };
    const result = run(ANSI, action);
    expect(result.action).toBe(action);
    expect(result.rewrites).toEqual([]);
  });

  it('records nothing when every match is replaced by itself', () => {
    const action = act({ s: 'abc' });
    expect(run({ op: 'replace', field: 'arguments.s', pattern: 'b', with: '$&' }, action).action).toBe(action);
  });

  it.each([
    ['numbered groups', '(\\w+)@(\\w+)', '$2 at $1', 'mail bob@example now', 'mail example at bob now'],
    ['named groups', '(?P<user>\\w+)@(?P<host>\\w+)', '$<host>/$<user>', 'bob@example', 'example/bob'],
    ['$$ for a literal $', '\\d+', '$$$&', 'cost 5 and 12', 'cost $5 and $12'],
    ['$12 as group 1 then "2" when there is no group 12', '(a)', '$12', 'xa', 'xa2'],
    ['a group that took no part inserts nothing', '(a)|(b)', '[$1$2]', 'ab', '[a][b]'],
    ['other $ text is itself', 'x', '$y $', 'x', '$y $'],
    ['every match, not only the first', 'o', '0', 'foo boo', 'f00 b00'],
    ['an empty pattern matches between code points', '', '-', 'a😀', '-a-😀-'],
  ])('supports %s', (_name, pattern, replacement, input, expected) => {
    const rewrite: RewriteDefinition = { op: 'replace', field: 'arguments.s', pattern, with: replacement };
    expect(run(rewrite, act({ s: input })).action.arguments).toEqual({ s: expected });
  });

  it('applies its RE2 flags', () => {
    const rewrite: RewriteDefinition = { op: 'replace', field: 'arguments.s', pattern: '^alert.', with: 'ok', flags: 'ims' };
    expect(run(rewrite, act({ s: 'x\nALERT\nAlert!' })).action.arguments).toEqual({ s: 'x\nokok' });
    expect(run({ ...rewrite, flags: '' }, act({ s: 'x\nALERT\n' })).rewrites).toEqual([]);
  });

  it('does nothing to a missing or null field', () => {
    for (const action of [act({}), act({ s: null }), { tool: 't' }]) {
      const result = run({ op: 'replace', field: 'arguments.s', pattern: 'a', with: 'b' }, action);
      expect(result.action).toBe(action);
      expect(result.rewrites).toEqual([]);
      expect(result.violations).toEqual([]);
    }
  });

  it.each([
    ['a number', 5],
    ['an array', ['a']],
    ['an object', { a: 'a' }],
    ['a boolean', false],
  ])('is a violation on %s, with no actual', (found, value) => {
    const action = act({ s: value });
    const result = run({ op: 'replace', field: 'arguments.s', pattern: 'a', with: 'b' }, action);
    expect(result.action).toBe(action);
    expect(result.violations).toEqual([
      {
        policyId: 'p',
        tier: 'auto',
        constraint: 'replace',
        path: ['arguments', 's'],
        message: `p: replace at arguments.s needs a string, found ${found}`,
        expected: 'a string',
        effect: 'deny',
        severity: 'violation',
      },
    ]);
  });

  it('replaces in every element through `*`', () => {
    const action: Action = { tool: 't', result: { content: [{ text: '\u001b[1mA' }, { text: 'B' }, { type: 'image' }] } };
    const result = run({ ...ANSI, field: 'result.content.*.text' }, action);
    expect(result.action.result).toEqual({ content: [{ text: 'A' }, { text: 'B' }, { type: 'image' }] });
    expect(result.rewrites.map((rewrite) => rewrite.path)).toEqual([['result', 'content', 0, 'text']]);
    const before = (action.result as { content: object[] }).content;
    const after = (result.action.result as { content: object[] }).content;
    expect(after[1]).toBe(before[1]);
    expect(after[2]).toBe(before[2]);
  });

  it('keeps lone surrogates outside the matches exactly as they were', () => {
    const input = 'a\uD800b\u001b[0mc\uDC00';
    const result = run({ ...ANSI, field: 'arguments.s' }, act({ s: input }));
    expect(result.action.arguments).toEqual({ s: 'a\uD800bc\uDC00' });
  });

  it('copies a group holding a lone surrogate exactly', () => {
    const result = run({ op: 'replace', field: 'arguments.s', pattern: '<(.)>', with: '[$1]' }, act({ s: '<\uD800>' }));
    expect(result.action.arguments).toEqual({ s: '[\uD800]' });
  });
});

describe('replace output limits', () => {
  const limits = { ...DEFAULT_LIMITS, maxStringLength: 20 };

  it('a result longer than limits.maxStringLength is a violation and the field is left unchanged', () => {
    const action = act({ s: 'aaaaaaaaaa' });
    const result = run({ op: 'replace', field: 'arguments.s', pattern: 'a', with: 'aaa' }, action, limits);
    expect(result.action).toBe(action);
    expect(result.rewrites).toEqual([]);
    expect(result.violations).toEqual([
      expect.objectContaining({
        constraint: 'replace',
        path: ['arguments', 's'],
        expected: 'a result of at most 20 characters (limits.maxStringLength)',
        message: 'p: replace at arguments.s would make the string longer than limits.maxStringLength (20), so it is left unchanged',
      }),
    ]);
  });

  it('a result of exactly limits.maxStringLength is fine', () => {
    const result = run({ op: 'replace', field: 'arguments.s', pattern: 'a', with: 'aa' }, act({ s: 'aaaaaaaaaa' }), limits);
    expect(result.action.arguments).toEqual({ s: 'a'.repeat(20) });
  });

  it('an input longer than limits.maxStringLength is a violation, not read', () => {
    const result = run({ op: 'replace', field: 'arguments.s', pattern: 'b', with: '' }, act({ s: 'b'.repeat(21) }), limits);
    expect(result.violations).toEqual([
      expect.objectContaining({ expected: 'a string of at most 20 characters (limits.maxStringLength)' }),
    ]);
  });

  it('stops building as soon as the result is too long', () => {
    const scanner = compileScanner('', '', DEFAULT_LIMITS);
    let visited = 0;
    const counting = {
      ...scanner,
      scan: (input: string, visit: Parameters<typeof scanner.scan>[1]) => scanner.scan(input, (match) => ((visited += 1), visit(match))),
    };
    expect(replaceAll('x'.repeat(10_000), counting, ['long'], 100)).toBeUndefined();
    expect(visited).toBeLessThan(50);
  });
});

describe('replace definitions', () => {
  const policy = (rewrite: Record<string, unknown>) => [
    { id: 'p', rewrite: [{ op: 'replace', field: 'arguments.s', with: '', ...rewrite }] },
  ];

  it.each([
    ['lookahead', 'a(?=b)'],
    ['a backreference', '(a)\\1'],
    ['unbalanced', '(a'],
  ])('refuses a pattern RE2 cannot compile (%s), at /rewrite/0/pattern', (_name, pattern) => {
    const error = compileError(policy({ pattern }));
    expect(error.message).toContain('policy "p"');
    expect(issuesOf(error)).toEqual([expect.objectContaining({ pointer: '/rewrite/0/pattern', expected: 'an RE2 pattern' })]);
  });

  it('refuses a pattern longer than limits.maxPatternLength', () => {
    const error = compileError(policy({ pattern: 'a'.repeat(11) }), { ...DEFAULT_LIMITS, maxPatternLength: 10 });
    expect(issuesOf(error)).toEqual([
      expect.objectContaining({ pointer: '/rewrite/0/pattern', expected: 'a pattern of at most 10 characters (limits.maxPatternLength)' }),
    ]);
  });

  it('refuses unknown flags', () => {
    expect(issuesOf(compileError(policy({ pattern: 'a', flags: 'g' })))).toEqual([
      expect.objectContaining({ pointer: '/rewrite/0/flags' }),
    ]);
  });

  it('refuses a pattern with a lone surrogate', () => {
    expect(issuesOf(compileError(policy({ pattern: '\uD800' })))).toEqual([expect.objectContaining({ pointer: '/rewrite/0/pattern' })]);
  });

  it.each([
    ['a group the pattern lacks', '(a)', '$2', /refers to group 2, but the pattern has 1/],
    ['$0', '(a)', '$0', /numbered from 1/],
    ['a name the pattern lacks', '(?P<a>x)', '$<b>', /"\$<b>" names no group of the pattern \(it names a\)/],
    ['an unterminated name', '(?P<a>x)', '$<a', /no closing ">"/],
    ['${...}', '(a)', '${1}', /not supported/],
    ['$`', 'a', '$`', /not supported/],
    ["$'", 'a', "$'", /not supported/],
  ])('refuses a replacement with %s, at /rewrite/0/with', (_name, pattern, replacement, message) => {
    const [issue] = issuesOf(compileError(policy({ pattern, with: replacement })));
    expect(issue?.pointer).toBe('/rewrite/0/with');
    expect(issue?.message).toMatch(message);
  });
});

describe('compileScanner', () => {
  it('counts groups and names, including behind an open \\Q quote', () => {
    expect(compileScanner('(a)(?:b)(?P<c>c)', '', DEFAULT_LIMITS)).toMatchObject({ groupCount: 2, groupNames: ['c'] });
    expect(compileScanner('x\\Q(a)|(', '', DEFAULT_LIMITS)).toMatchObject({ groupCount: 0, groupNames: [] });
    expect(compileScanner('(a)|(b)', '', DEFAULT_LIMITS)).toMatchObject({ groupCount: 2 });
  });

  it('reports UTF-16 spans and advances past empty matches by code point, as String.prototype.replace does', () => {
    const spans: (readonly [number, number])[] = [];
    compileScanner('a*', '', DEFAULT_LIMITS).scan('baa😀', (match) => {
      if (match.spans[0] !== undefined) spans.push(match.spans[0]);
      return true;
    });
    expect(spans).toEqual([
      [0, 0],
      [1, 3],
      [3, 3],
      [5, 5],
    ]);
    expect(replaceAll('baa😀', compileScanner('a*', '', DEFAULT_LIMITS), ['-'], 100)).toBe('baa😀'.replace(/a*/gu, '-'));
  });

  it('gives the same result as JavaScript for the template syntax both share', () => {
    const input = 'k1=v1; k2=v2; bare';
    const scanner = compileScanner('(?P<key>\\w+)=(\\w+)', '', DEFAULT_LIMITS);
    const parts = compileReplacement('$2<-$<key> ($&) $$', scanner);
    expect(replaceAll(input, scanner, parts, 1000)).toBe(input.replace(/(?<key>\w+)=(\w+)/g, '$2<-$<key> ($&) $$'));
  });
});
