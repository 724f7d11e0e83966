import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/policy/compile-policy.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { DefinitionIssue } from '../../../src/definition-issue.js';
import { compilePolicies } from '../../../src/policy/compile-policies.js';
import type { Action, PolicyDefinition } from '../../../src/types.js';
import { act, compileError, issuesOf, rewritingPolicy } from './support.js';

/** Definitions with a `rewrite`: what the schema and the compiler refuse, and how a rewriting policy passes. */

const policyWith = (rewrite: unknown, extra: Record<string, unknown> = {}) => [{ id: 'p', rewrite: [rewrite], ...extra }];

describe('schema errors', () => {
  it.each([
    ['cap_value without value', { op: 'cap_value', field: 'arguments.x' }, '/rewrite/0/value', '"value" is required'],
    ['cap_value with a string value', { op: 'cap_value', field: 'arguments.x', value: '10' }, '/rewrite/0/value', 'must be a number'],
    ['set_default without value', { op: 'set_default', field: 'arguments.x' }, '/rewrite/0/value', '"value" is required'],
    ['replace without pattern', { op: 'replace', field: 'arguments.x', with: '' }, '/rewrite/0/pattern', '"pattern" is required'],
    ['replace without with', { op: 'replace', field: 'arguments.x', pattern: 'a' }, '/rewrite/0/with', '"with" is required'],
    ['an unknown key', { op: 'mask_field', field: 'arguments.x', mask: '*' }, '/rewrite/0/mask', 'unknown key "mask"'],
    [
      'pattern on cap_value',
      { op: 'cap_value', field: 'arguments.x', value: 1, pattern: 'a' },
      '/rewrite/0/pattern',
      '"pattern" is not allowed with op cap_value',
    ],
    [
      'value on remove_field',
      { op: 'remove_field', field: 'arguments.x', value: 1 },
      '/rewrite/0/value',
      '"value" is not allowed with op remove_field',
    ],
    [
      'value on replace',
      { op: 'replace', field: 'arguments.x', pattern: 'a', with: '', value: 1 },
      '/rewrite/0/value',
      '"value" is not allowed with op replace',
    ],
    ['an unknown op', { op: 'truncate', field: 'arguments.x' }, '/rewrite/0/op', 'must be one of cap_value'],
    ['no field', { op: 'remove_field' }, '/rewrite/0/field', '"field" is required'],
    ['an empty field', { op: 'remove_field', field: '' }, '/rewrite/0/field', 'fewer than 1 characters'],
  ])('%s', (_name, rewrite, pointer, says) => {
    const error = compileError(policyWith(rewrite));
    expect(error.message).toContain('policy "p"');
    const issue = issuesOf(error).find((candidate) => candidate.pointer === pointer);
    expect(issue, JSON.stringify(issuesOf(error))).toBeDefined();
    expect(issue?.message).toContain(says);
    expect(issue?.message).not.toContain('boolean schema');
  });

  it('refuses an empty rewrite list and a non-integer priority', () => {
    expect(issuesOf(compileError([{ id: 'p', rewrite: [] }])).map((issue) => issue.pointer)).toEqual(['/rewrite']);
    expect(
      issuesOf(compileError([{ id: 'p', priority: 1.5, rewrite: [{ op: 'remove_field', field: 'a' }] }])).map((issue) => issue.pointer),
    ).toEqual(['/priority']);
  });
});

describe('rewrite fields', () => {
  it.each([
    ['JSONPath', '$.arguments.token', /JSONPath is not accepted/],
    ['the tool', 'tool', /may not rewrite tool/],
    ['a key under the tool', 'tool.name', /may not rewrite tool/],
    ['a leading *', '*.token', /must start with a key/],
    ['a malformed path', 'arguments..x', /empty segment/],
    ['a * inside a segment', 'arguments.to*en', /"\*" must be a whole segment/],
  ])('refuses %s at /rewrite/0/field', (_name, field, message) => {
    const error = compileError(policyWith({ op: 'remove_field', field }));
    const [issue] = issuesOf(error);
    expect(issue?.pointer).toBe('/rewrite/0/field');
    expect(issue?.message).toMatch(message);
    expect(error.message).toContain('policy "p"');
  });

  it('accepts a quoted "tool" key below the top level and a quoted ["tool"] is still the tool', () => {
    expect(() => rewritingPolicy([{ op: 'remove_field', field: 'arguments.tool' }])).not.toThrow();
    expect(issuesOf(compileError(policyWith({ op: 'remove_field', field: '["tool"]' })))[0]?.pointer).toBe('/rewrite/0/field');
  });

  it('refuses a path longer than limits.maxDepth', () => {
    const field = Array.from({ length: 5 }, (_, index) => `k${index}`).join('.');
    const error = compileError(policyWith({ op: 'set_default', field, value: 1 }), { ...DEFAULT_LIMITS, maxDepth: 4 });
    expect(issuesOf(error)[0]).toMatchObject({ pointer: '/rewrite/0/field', expected: 'a path of at most 4 segments (limits.maxDepth)' });
  });

  it('points at the op that is wrong, in a list of several', () => {
    const error = compileError([
      {
        id: 'p',
        rewrite: [
          { op: 'remove_field', field: 'arguments.a' },
          { op: 'replace', field: 'arguments.b', pattern: '(?<=x)', with: '' },
        ],
      },
    ]);
    expect(issuesOf(error).map((issue) => issue.pointer)).toEqual(['/rewrite/1/pattern']);
  });
});

describe('phases', () => {
  it('refuses a response policy with a shape or a shapesFile, at /on', () => {
    for (const formal of [{ shape: { properties: [{ path: 'result.x', minCount: 1 }] } }, { shapesFile: 'x.ttl' }]) {
      const error = compileError([{ id: 'p', on: 'response', ...formal }]);
      expect(issuesOf(error)[0]?.pointer).toBe('/on');
      expect(error.message).toMatch(/policy "p" .*formal tier judges requests only/);
    }
  });

  it('accepts a request policy with a shape, and a response policy without one', () => {
    expect(() =>
      compilePolicies(
        [
          { id: 'a', on: 'request', shape: { closed: false } },
          { id: 'b', on: 'response', rewrite: [{ op: 'remove_field', field: 'result.x' }] },
        ],
        DEFAULT_LIMITS,
      ),
    ).not.toThrow();
  });

  it('exposes phase and priority with their defaults', () => {
    const [plain, tuned] = compilePolicies(
      [
        { id: 'a', rewrite: [{ op: 'remove_field', field: 'arguments.x' }] },
        { id: 'b', on: 'response', priority: 5, rewrite: [{ op: 'remove_field', field: 'result.x' }] },
      ],
      DEFAULT_LIMITS,
    );
    expect(plain).toMatchObject({ phase: 'request', priority: 0 });
    expect(tuned).toMatchObject({ phase: 'response', priority: 5 });
  });

  it('a policy without rewrite has no rewrite function', () => {
    const [policy] = compilePolicies([{ id: 'a', assert: { field: 'arguments.x', op: 'exists' } }], DEFAULT_LIMITS);
    expect(policy?.rewrite).toBeUndefined();
  });
});

describe('a policy that only rewrites', () => {
  const action: Action = act({ token: 'secret' });

  it('is satisfied whenever it applies', () => {
    const policy = rewritingPolicy([{ op: 'mask_field', field: 'arguments.token' }]);
    expect(policy.applies(action)).toBe(true);
    expect(policy.satisfied(action)).toBe(true);
    expect(policy.explain(action, 't')).toEqual([]);
  });

  it('still checks its assertions, which the engine runs on the rewritten action', () => {
    const policy = rewritingPolicy([{ op: 'cap_value', field: 'arguments.n', value: 10 }], {
      assert: { field: 'arguments.n', op: 'lte', value: 10 },
    });
    const before = act({ n: 50 });
    expect(policy.satisfied(before)).toBe(false);
    const after = policy.rewrite?.(before, 't').action;
    expect(after && policy.satisfied(after)).toBe(true);
  });

  it('while a policy that asserts nothing and rewrites nothing is still violated whenever it applies', () => {
    const [policy] = compilePolicies([{ id: 'deny-all', tools: ['t'] }], DEFAULT_LIMITS);
    expect(policy?.satisfied(action)).toBe(false);
    expect(policy?.explain(action, 't')).toEqual([expect.objectContaining({ constraint: 'applies' })]);
  });
});

describe('compilePolicy directly', () => {
  it('throws a DefinitionIssue for a bad rewrite', () => {
    const definition: PolicyDefinition = { id: 'p', rewrite: [{ op: 'mask_field', field: '$.arguments.x' }] };
    expect(() => compilePolicy(definition, 0, DEFAULT_LIMITS)).toThrow(DefinitionIssue);
  });

  it('copies constants, so changing the definition afterwards changes nothing', () => {
    const mask = { hidden: true };
    const definition = { id: 'p', rewrite: [{ op: 'mask_field' as const, field: 'arguments.x', value: mask }] };
    const policy = compilePolicy(definition, 0, DEFAULT_LIMITS);
    mask.hidden = false;
    const result = policy.rewrite?.(act({ x: 1 }), 't');
    expect(result?.action.arguments).toEqual({ x: { hidden: true } });
    expect(result?.rewrites[0]?.value).toEqual({ hidden: true });
  });
});
