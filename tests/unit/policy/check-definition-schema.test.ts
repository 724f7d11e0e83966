import { describe, expect, it } from 'vitest';
import { createEngine, isTierguardError, TierguardError } from '../../../src/index.js';
import type { EngineOptions, PolicyDefinition } from '../../../src/index.js';

/**
 * Errors in definitions (README "When evaluation cannot happen", "Paths",
 * "Globs", "Limits"): every problem is a TierguardError naming the policy, the
 * JSON pointer and what was expected there.
 */

interface Issue {
  readonly pointer: string;
  readonly expected: string;
  readonly message: string;
  readonly actual: unknown;
}

/** The error `createEngine(options)` rejects with; fails the test if it resolves or rejects with something else. */
async function rejection(options: unknown): Promise<TierguardError> {
  let settled: Promise<unknown>;
  try {
    settled = createEngine(options as EngineOptions);
  } catch (error) {
    throw new Error(`createEngine threw synchronously instead of rejecting: ${String(error)}`);
  }
  const outcome = await settled.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error('createEngine accepted an invalid definition');
  expect(outcome.error).toBeInstanceOf(TierguardError);
  return outcome.error as TierguardError;
}

/** The INVALID_POLICY error for a policy set. */
async function invalid(policies: readonly unknown[], limits?: Record<string, number>): Promise<TierguardError> {
  const error = await rejection(limits === undefined ? { policies } : { policies, limits });
  expect(error.code).toBe('INVALID_POLICY');
  expect(isTierguardError(error, 'INVALID_POLICY')).toBe(true);
  return error;
}

const issuesOf = (error: TierguardError): Issue[] => error.details.issues as Issue[];
const pointersOf = (error: TierguardError): string[] => issuesOf(error).map((issue) => issue.pointer);

const comparison = { field: 'arguments.x', op: 'eq', value: 1 };

interface Case {
  readonly name: string;
  readonly policy: Record<string, unknown>;
  readonly pointer: string;
  /** What the message must say was expected (or what is wrong) after the pointer. */
  readonly says: RegExp;
}

const CASES: readonly Case[] = [
  {
    name: 'unknown top-level key',
    policy: { id: 'p', asert: comparison },
    pointer: '/asert',
    says: /unknown key "asert" \(allowed: .*\bassert\b.*\)/,
  },
  {
    name: 'unknown key inside a nested predicate',
    policy: { id: 'p', assert: { all: [comparison, { ...comparison, foo: 1 }] } },
    pointer: '/assert/all/1/foo',
    says: /unknown key "foo" \(allowed: field, op, value, valueRef, flags, quantifier\)/,
  },
  {
    name: 'unknown key inside `when`',
    policy: { id: 'p', when: { not: { ...comparison, vlaue: 1 } } },
    pointer: '/when/not/vlaue',
    says: /unknown key "vlaue"/,
  },
  {
    name: 'unknown key next to `all`',
    policy: { id: 'p', assert: { all: [comparison], any: [comparison] } },
    pointer: '/assert/any',
    says: /unknown key "any" \(allowed: all\)/,
  },
  {
    name: 'unknown operator',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'equals', value: 1 } },
    pointer: '/assert/op',
    says: /must be one of eq, neq, gt, gte, lt, lte, in, not_in, regex, glob, exists \(got "equals"\)/,
  },
  {
    name: 'missing field',
    policy: { id: 'p', assert: { op: 'eq', value: 1 } },
    pointer: '/assert/field',
    says: /"field" is required/,
  },
  {
    name: 'missing op',
    policy: { id: 'p', assert: { field: 'arguments.x', value: 1 } },
    pointer: '/assert/op',
    says: /"op" is required/,
  },
  {
    name: 'a value missing for an operator that needs one',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'gt' } },
    pointer: '/assert',
    says: /gt needs value or valueRef/,
  },
  {
    name: 'both value and valueRef',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'eq', value: 1, valueRef: 'context.x' } },
    pointer: '/assert',
    says: /both value and valueRef/,
  },
  {
    name: 'valueRef on regex',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'regex', valueRef: 'context.pattern' } },
    pointer: '/assert/valueRef',
    says: /regex needs a literal value, not valueRef/,
  },
  {
    name: 'valueRef on glob',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'glob', valueRef: 'context.pattern' } },
    pointer: '/assert/valueRef',
    says: /glob needs a literal value, not valueRef/,
  },
  {
    name: 'valueRef as JSONPath',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'eq', valueRef: '$.context.x' } },
    pointer: '/assert/valueRef',
    says: /dot-path/,
  },
  {
    name: 'exists with a value',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'exists', value: true } },
    pointer: '/assert/value',
    says: /exists takes no value \(got true\)/,
  },
  {
    name: 'exists with a valueRef',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'exists', valueRef: 'context.x' } },
    pointer: '/assert/valueRef',
    says: /exists takes no value/,
  },
  {
    name: '`in` with a non-array',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'in', value: 'admin' } },
    pointer: '/assert/value',
    says: /must be an array of JSON values \(got "admin"\)/,
  },
  {
    name: '`not_in` with an object',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'not_in', value: { a: 1 } } },
    pointer: '/assert/value',
    says: /must be an array of JSON values/,
  },
  {
    name: '`gt` with a boolean',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'gt', value: true } },
    pointer: '/assert/value',
    says: /must be a number, or a string .*\(got true\)/,
  },
  {
    name: '`lte` with null',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'lte', value: null } },
    pointer: '/assert/value',
    says: /must be a number, or a string/,
  },
  {
    name: '`regex` with a number',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'regex', value: 5 } },
    pointer: '/assert/value',
    says: /must be an RE2 pattern string/,
  },
  {
    name: 'flags on eq',
    policy: { id: 'p', assert: { ...comparison, flags: 'i' } },
    pointer: '/assert/flags',
    says: /eq takes no flags \(got "i"\)/,
  },
  {
    name: 'flag m on glob',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'glob', value: '*', flags: 'm' } },
    pointer: '/assert/flags',
    says: /glob takes flags from "i" \(got "m"\)/,
  },
  {
    name: 'a flag no operator knows',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'regex', value: 'a', flags: 'g' } },
    pointer: '/assert/flags',
    says: /\^\[ims\]\*\$/,
  },
  {
    name: 'quantifier on a dot-path',
    policy: { id: 'p', assert: { ...comparison, quantifier: 'any' } },
    pointer: '/assert/quantifier',
    says: /JSONPath/,
  },
  {
    name: 'an unknown quantifier',
    policy: { id: 'p', assert: { ...comparison, field: '$.arguments.x', quantifier: 'some' } },
    pointer: '/assert/quantifier',
    says: /must be one of all, any \(got "some"\)/,
  },
  {
    name: 'regex with lookbehind',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'regex', value: '(?<=a)b' } },
    pointer: '/assert/value',
    says: /RE2 cannot compile \/\(\?<=a\)b\//,
  },
  {
    name: 'regex with lookahead',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'regex', value: 'a(?=b)' } },
    pointer: '/assert/value',
    says: /RE2 cannot compile/,
  },
  {
    name: 'regex with a backreference',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'regex', value: '(a)\\1' } },
    pointer: '/assert/value',
    says: /RE2 cannot compile \/\(a\)\\1\//,
  },
  {
    name: 'a malformed regex deep in the assertion',
    policy: {
      id: 'p',
      assert: { any: [comparison, { not: { field: 'arguments.x', op: 'regex', value: '(' } }] },
    },
    pointer: '/assert/any/1/not/value',
    says: /RE2 cannot compile/,
  },
  {
    name: 'glob !(x)',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'glob', value: '!(x)' } },
    pointer: '/assert/value',
    says: /negated extglobs/,
  },
  {
    name: 'glob {1..3}',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'glob', value: 'file{1..3}.txt' } },
    pointer: '/assert/value',
    says: /brace ranges/,
  },
  {
    name: 'glob [[:alpha:]]',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'glob', value: '[[:alpha:]]*' } },
    pointer: '/assert/value',
    says: /POSIX character classes/,
  },
  {
    name: 'tools glob !(x)',
    policy: { id: 'p', tools: ['payments.*', 'db.!(read)'] },
    pointer: '/tools/1',
    says: /negated extglobs/,
  },
  {
    name: 'tools glob {1..3}',
    policy: { id: 'p', tools: ['v{1..3}.*'] },
    pointer: '/tools/0',
    says: /brace ranges/,
  },
  {
    name: 'dot-path a..b',
    policy: { id: 'p', assert: { ...comparison, field: 'a..b' } },
    pointer: '/assert/field',
    says: /empty segment .*"a\.\.b"/,
  },
  {
    name: 'dot-path a.',
    policy: { id: 'p', assert: { ...comparison, field: 'a.' } },
    pointer: '/assert/field',
    says: /ends with "\."/,
  },
  {
    name: 'dot-path a[x]',
    policy: { id: 'p', assert: { ...comparison, field: 'a[x]' } },
    pointer: '/assert/field',
    says: /array index like \[0\] or a quoted key/,
  },
  {
    name: 'dot-path .a',
    policy: { id: 'p', assert: { ...comparison, field: '.a' } },
    pointer: '/assert/field',
    says: /empty segment/,
  },
  {
    name: 'dot-path with an unterminated quoted key',
    policy: { id: 'p', assert: { ...comparison, field: 'a["b' } },
    pointer: '/assert/field',
    says: /unterminated quoted key/,
  },
  {
    name: 'malformed path in require',
    policy: { id: 'p', require: ['arguments.ok', 'a..b'] },
    pointer: '/require/1',
    says: /empty segment/,
  },
  {
    name: 'malformed path in valueRef',
    policy: { id: 'p', assert: { field: 'arguments.x', op: 'eq', valueRef: 'a.' } },
    pointer: '/assert/valueRef',
    says: /ends with "\."/,
  },
  {
    name: 'malformed path in when',
    policy: { id: 'p', when: { field: 'a[x]', op: 'exists' } },
    pointer: '/when/field',
    says: /array index/,
  },
  {
    name: 'JSONPath filter ?(@.x)',
    policy: { id: 'p', assert: { ...comparison, field: '$.arguments.items[?(@.x)]' } },
    pointer: '/assert/field',
    says: /script or filter expression/,
  },
  {
    name: 'JSONPath script (@.length-1)',
    policy: { id: 'p', assert: { ...comparison, field: '$.arguments.items[(@.length-1)]' } },
    pointer: '/assert/field',
    says: /script or filter expression/,
  },
  {
    name: 'JSONPath filter in require',
    policy: { id: 'p', require: ['$..items[?(@.price > 0)]'] },
    pointer: '/require/0',
    says: /script or filter expression/,
  },
  {
    name: 'unknown template placeholder',
    policy: { id: 'p', assert: comparison, message: '{policy}: {nope}' },
    pointer: '/message',
    says: /unknown placeholder \{nope\}/,
  },
  {
    name: 'unknown effect',
    policy: { id: 'p', effect: 'block' },
    pointer: '/effect',
    says: /must be one of deny, escalate, warn \(got "block"\)/,
  },
  {
    name: 'empty tools',
    policy: { id: 'p', tools: [] },
    pointer: '/tools',
    says: /fewer than 1 items/,
  },
  {
    name: 'require that is not an array',
    policy: { id: 'p', require: 'arguments.x' },
    pointer: '/require',
    says: /must be a array/,
  },
  {
    name: 'an empty all',
    policy: { id: 'p', assert: { all: [] } },
    pointer: '/assert/all',
    says: /fewer than 1 items/,
  },
];

describe('invalid definitions', () => {
  it.each(CASES.map((item) => [item.name, item] as const))('%s', async (_name, { policy, pointer, says }) => {
    const error = await invalid([policy]);
    expect(error.message.startsWith(`policy "p" ${pointer}: `)).toBe(true);
    expect(error.message).toMatch(says);
    expect(pointersOf(error)).toEqual([pointer]);
    expect(error.details.policy).toBe('policy "p"');
    expect(error.details.policyIndex).toBe(0);
    const [issue] = issuesOf(error);
    expect(typeof issue?.expected).toBe('string');
    expect(issue?.expected.length).toBeGreaterThan(0);
  });

  it('the README example message is produced word for word', async () => {
    const error = await invalid([{ id: 'payments.currency', assert: { field: 'arguments.currency', op: 'equals', value: 'EUR' } }]);
    expect(error.message).toBe(
      'policy "payments.currency" /assert/op: must be one of eq, neq, gt, gte, lt, lte, in, not_in, regex, glob, exists (got "equals")',
    );
  });

  it('names the policy by #index when its id is missing or invalid', async () => {
    const missing = await invalid([{ assert: comparison }]);
    expect(missing.message).toMatch(/^policy #0\b/);
    expect(missing.message).toContain('/id');
    expect(missing.message).toContain('"id" is required');

    const notString = await invalid([
      { id: 'ok', assert: comparison },
      { id: 42, assert: comparison },
    ]);
    expect(notString.message).toMatch(/^policy #1\b/);
    expect(notString.message).toContain('/id: must be a string (got 42)');

    const empty = await invalid([{ id: '', assert: comparison }]);
    expect(empty.message).toMatch(/^policy #0\b/);
    expect(new Set(pointersOf(empty))).toEqual(new Set(['/id']));

    const badCharacters = await invalid([{ id: 'bad id!', assert: comparison }]);
    expect(pointersOf(badCharacters)).toEqual(['/id']);
    expect(badCharacters.message).toContain('/id: must match pattern');
  });

  it('a policy that is not an object is named by #index', async () => {
    const error = await invalid([42]);
    expect(error.message).toMatch(/^policy #0\b/);
    expect(error.message).toContain('must be a object');
  });

  it('several issues in one policy are all listed', async () => {
    const error = await invalid([
      { id: 'p', effect: 'block', asert: comparison, assert: { field: 'arguments.x', op: 'equals' }, tools: 'x' },
    ]);
    expect(error.message.startsWith('policy "p" is invalid:\n')).toBe(true);
    expect(pointersOf(error).sort()).toEqual(['/assert/op', '/asert', '/effect', '/tools'].sort());
    for (const pointer of ['/asert', '/effect', '/tools', '/assert/op']) expect(error.message).toContain(`  ${pointer}: `);
  });

  it('duplicate ids are rejected, naming both policies', async () => {
    const error = await invalid([
      { id: 'dup', assert: comparison },
      { id: 'other', assert: comparison },
      { id: 'dup', assert: comparison },
    ]);
    expect(error.message).toContain('policy "dup"');
    expect(error.message).toContain('/id');
    expect(error.message).toContain('#0');
    expect(error.details.policyIndex).toBe(2);
  });

  it('several invalid policies are reported in one error', async () => {
    const error = await invalid([
      { id: 'good', assert: comparison },
      { id: 'first-bad', assert: { field: 'a..b', op: 'exists' } },
      { id: 'second-bad', assert: { ...comparison, op: 'equals' } },
      { id: 'also-good', require: ['arguments.x'] },
      { assert: comparison },
    ]);
    expect(error.message.startsWith('3 policies are invalid:\n')).toBe(true);
    expect(error.message).toContain('policy "first-bad" /assert/field: ');
    expect(error.message).toContain('policy "second-bad" /assert/op: ');
    expect(error.message).toContain('policy #4');
    const errors = error.details.errors as { policy: string; policyIndex: number; issues: Issue[] }[];
    expect(errors.map(({ policy, policyIndex }) => [policy, policyIndex])).toEqual([
      ['policy "first-bad"', 1],
      ['policy "second-bad"', 2],
      ['policy #4 (no valid id)', 4],
    ]);
    expect(errors.map(({ issues }) => issues.map((issue) => issue.pointer))).toEqual([['/assert/field'], ['/assert/op'], ['/id']]);
  });

  it('a definition nested deeper than limits.maxDepth is rejected without a stack overflow', async () => {
    let predicate: unknown = { field: 'arguments.x', op: 'exists' };
    for (let level = 0; level < 10_000; level += 1) predicate = { not: predicate };
    const error = await invalid([{ id: 'deep', assert: predicate }]);
    expect(error.message).toMatch(/^policy "deep" \/assert(\/not)+: /);
    expect(error.message).toContain('limits.maxDepth (64)');

    let wide: unknown = { field: 'arguments.x', op: 'exists' };
    for (let level = 0; level < 10_000; level += 1) wide = { all: [wide] };
    const alsoDeep = await invalid([{ id: 'deep-all', when: wide }]);
    expect(alsoDeep.message).toContain('maxDepth');
  });

  it('nesting within limits.maxDepth is accepted, and one level more is not', async () => {
    const nested = (depth: number): unknown => {
      let predicate: unknown = { field: 'arguments.x', op: 'exists' };
      for (let level = 0; level < depth; level += 1) predicate = { not: predicate };
      return predicate;
    };
    // The policy object, `assert`, and each `not` are one level each.
    await expect(
      createEngine({ policies: [{ id: 'p', assert: nested(20) as PolicyDefinition['assert'] & object }] }),
    ).resolves.toBeDefined();
    await expect(
      createEngine({ policies: [{ id: 'p', assert: nested(1) as PolicyDefinition['assert'] & object }], limits: { maxDepth: 3 } }),
    ).resolves.toBeDefined();
    const error = await invalid([{ id: 'p', assert: nested(2) }], { maxDepth: 3 });
    expect(error.message).toContain('limits.maxDepth (3)');
  });

  it('an own __proto__ key (from JSON.parse) is an unknown key', async () => {
    const topLevel = JSON.parse('{"id":"p","__proto__":{"effect":"warn"},"assert":{"field":"arguments.x","op":"exists"}}') as unknown;
    const error = await invalid([topLevel]);
    expect(pointersOf(error)).toEqual(['/__proto__']);
    expect(error.message).toContain('policy "p" /__proto__: unknown key "__proto__"');

    const nested = JSON.parse('{"id":"q","assert":{"field":"arguments.x","op":"exists","__proto__":{"op":"eq"}}}') as unknown;
    const nestedError = await invalid([nested]);
    expect(pointersOf(nestedError)).toEqual(['/assert/__proto__']);
    expect(nestedError.message).toContain('unknown key "__proto__"');
  });

  it('a valid set compiles after all', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'a', tools: ['x.*'], assert: { field: '$.arguments.items[*].sku', op: 'regex', value: '^[A-Z]+$', quantifier: 'any' } },
        {
          id: 'b',
          require: ['context.headers["x-api.key"]', 'arguments.items[0].sku'],
          message: '{policy} {tool} {field} {op} {expected} {actual}',
        },
      ],
    });
    expect(engine.policyIds).toEqual(['a', 'b']);
  });
});

describe('invalid engine options', () => {
  it.each([
    ['an object', {}],
    ['a string', 'policies.json'],
    ['null', null],
    ['missing', undefined],
  ])('policies given as %s are INVALID_OPTIONS', async (_name, policies) => {
    const error = await rejection(policies === undefined ? {} : { policies });
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain('policies');
  });

  it('an unknown option is rejected by name', async () => {
    const error = await rejection({ policies: [], onErorr: 'allow' });
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain('"onErorr"');
  });

  it('an unknown limit name is rejected by name', async () => {
    const error = await rejection({ policies: [], limits: { maxDeph: 3 } });
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain('"maxDeph"');
    expect(error.message).toContain('maxDepth');
  });

  it.each([
    ['zero', { maxDepth: 0 }],
    ['negative', { maxNodes: -1 }],
    ['fractional', { maxStringLength: 1.5 }],
    ['a string', { maxPatternLength: '10' }],
    ['NaN', { maxFileBytes: Number.NaN }],
  ])('a limit value that is %s is rejected', async (_name, limits) => {
    const error = await rejection({ policies: [], limits });
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain(`limits.${Object.keys(limits)[0] ?? ''}`);
  });

  it('limits that are not an object, an unknown onError and a non-object options are rejected', async () => {
    expect((await rejection({ policies: [], limits: 5 })).code).toBe('INVALID_OPTIONS');
    expect((await rejection({ policies: [], limits: [] })).code).toBe('INVALID_OPTIONS');
    const onError = await rejection({ policies: [], onError: 'ignore' });
    expect(onError.code).toBe('INVALID_OPTIONS');
    expect(onError.message).toContain('onError');
    expect((await rejection(null)).code).toBe('INVALID_OPTIONS');
  });

  it('known options and limits are accepted', async () => {
    const engine = await createEngine({ policies: [], onError: 'allow', limits: { maxDepth: 8, maxStringLength: 10 } });
    expect(engine.limits.maxDepth).toBe(8);
    expect(engine.limits.maxStringLength).toBe(10);
    expect(engine.limits.maxNodes).toBe(100_000);
  });
});

describe('misspelt operators and keys', () => {
  it('gives the README examples word for word', async () => {
    const operator = await invalid([{ id: 'payments.cap', assert: { field: 'arguments.amount', op: 'lte2', value: 5000 } }]);
    expect(operator.message).toBe(
      'policy "payments.cap" /assert/op: must be one of eq, neq, gt, gte, lt, lte, in, not_in, regex, glob, exists (got "lte2") (did you mean "lte"?)',
    );
    const combinator = await invalid([{ id: 'payments.cap', assert: { alll: [{ field: 'arguments.amount', op: 'lte', value: 5000 }] } }]);
    expect(combinator.message).toBe(
      [
        'policy "payments.cap" is invalid:',
        '  /assert/field: "field" is required',
        '  /assert/op: "op" is required',
        '  /assert/alll: unknown key "alll" (allowed: field, op, value, valueRef, flags, quantifier) (did you mean "all"?)',
      ].join('\n'),
    );
  });

  it.each([
    [
      'an operator one letter off',
      { id: 'p', assert: { field: 'arguments.x', op: 'gte2', value: 1 } },
      '/assert/op',
      '(got "gte2")',
      ['gte'],
    ],
    [
      'an operator missing its underscore, inside all',
      { id: 'p', when: { all: [{ field: 'a', op: 'notin', value: [1] }] } },
      '/when/all/0/op',
      '(got "notin")',
      ['not_in'],
    ],
    ['an operator in upper case', { id: 'p', assert: { field: 'a', op: 'REGEX', value: 'x' } }, '/assert/op', '(got "REGEX")', ['regex']],
    ['a policy key', { id: 'p', asert: { field: 'a', op: 'exists' } }, '/asert', 'unknown key "asert"', ['assert']],
    ['a comparison key', { id: 'p', assert: { feild: 'a', op: 'exists' } }, '/assert/feild', 'unknown key "feild"', ['field']],
    [
      'a combinator read as a comparison key',
      { id: 'p', assert: { alll: [{ field: 'a', op: 'exists' }] } },
      '/assert/alll',
      'unknown key "alll"',
      ['all'],
    ],
    [
      'a shape key',
      { id: 'p', shape: { properties: [{ path: 'a', minCnt: 1 }] } },
      '/shape/properties/0/minCnt',
      'unknown key "minCnt"',
      ['minCount'],
    ],
    ['an effect', { id: 'p', effect: 'deny2' }, '/effect', '(got "deny2")', ['deny']],
  ])('%s names the policy, the pointer and the nearest allowed name', async (_name, policy, pointer, says, suggestions) => {
    const error = await invalid([policy]);
    const line = error.message.split('\n').find((text) => text.includes(`${pointer}: `)) ?? '';
    expect(error.message).toContain('policy "p"');
    expect(line).toContain(says);
    expect(line.endsWith(`(did you mean ${suggestions.map((name) => JSON.stringify(name)).join(' or ')}?)`)).toBe(true);
    const issue = issuesOf(error).find((entry) => entry.pointer === pointer) as Issue & { suggestions?: string[] };
    expect(issue.suggestions).toEqual(suggestions);
  });

  it('suggests nothing for a name near no allowed one, and keeps the issue as it was', async () => {
    const error = await invalid([{ id: 'p', assert: { field: 'a', op: 'approximately', value: 1 }, zzzzzz: true }]);
    expect(error.message).not.toContain('did you mean');
    for (const issue of issuesOf(error)) expect(Object.hasOwn(issue, 'suggestions')).toBe(false);
  });

  it('compares no more than a bounded prefix of a hostile name', async () => {
    const error = await invalid([{ id: 'p', assert: { field: 'a', op: `gte${'x'.repeat(1_000_000)}`, value: 1 } }]);
    expect(error.message).not.toContain('did you mean');
    expect(pointersOf(error)).toEqual(['/assert/op']);
  });
});
