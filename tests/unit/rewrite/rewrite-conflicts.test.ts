import { describe, expect, it } from 'vitest';
import { fieldsOverlap } from '../../../src/rewrite/rewrite-conflicts.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { parseDotPathPattern } from '../../../src/path/parse-path.js';
import { compilePolicies } from '../../../src/policy/compile-policies.js';
import type { PolicyDefinition } from '../../../src/types.js';
import { compileError, issuesOf } from './support.js';

/** Two policies rewriting overlapping fields in one phase need different priorities. */

const masking = (id: string, field: string, extra: Partial<PolicyDefinition> = {}): PolicyDefinition => ({
  id,
  rewrite: [{ op: 'mask_field', field }],
  ...extra,
});

const accepts = (policies: readonly PolicyDefinition[]): void => {
  expect(() => compilePolicies(policies, DEFAULT_LIMITS)).not.toThrow();
};

describe('rewrite conflicts', () => {
  it('equal priority on the same field is an error on the later policy, naming both and the field', () => {
    const error = compileError([masking('first', 'arguments.token'), masking('second', 'arguments.token')]);
    expect(error.details.policyIndex).toBe(1);
    expect(error.message).toContain('policy "second"');
    expect(error.message).toContain('policy "first"');
    expect(error.message).toContain('arguments.token');
    expect(error.message).toMatch(/different "priority"/);
    expect(issuesOf(error)).toEqual([expect.objectContaining({ pointer: '/rewrite/0/field' })]);
  });

  it('explicit equal priorities conflict as the default ones do', () => {
    compileError([masking('a', 'arguments.x', { priority: 3 }), masking('b', 'arguments.x', { priority: 3 })]);
  });

  it('different priorities order them: no error', () => {
    accepts([masking('a', 'arguments.token', { priority: 1 }), masking('b', 'arguments.token')]);
  });

  it.each([
    ['a prefix', 'arguments.headers', 'arguments.headers.authorization'],
    ['the other way round', 'arguments.headers.authorization', 'arguments'],
    ['a * against a key', 'arguments.items.*.sku', 'arguments.items.3.sku'],
    ['a * against a *', 'result.content.*.text', 'result.*'],
    ['an index and a quoted index', 'arguments.items.0', 'arguments.items["0"]'],
  ])('overlap by %s conflicts', (_name, left, right) => {
    const error = compileError([masking('a', left), masking('b', right)]);
    expect(error.message).toContain('policy "a"');
  });

  it.each([
    ['different keys', 'arguments.a', 'arguments.b'],
    ['different keys under a *', 'arguments.*.a', 'arguments.*.b'],
    ['a literal ["*"] and another key', 'arguments["*"]', 'arguments.x'],
  ])('fields that cannot meet do not conflict (%s)', (_name, left, right) => {
    accepts([masking('a', left), masking('b', right)]);
  });

  it('disjoint lists of exact tool names do not conflict; a shared name does', () => {
    accepts([masking('a', 'arguments.x', { tools: ['mail.send', 'mail.draft'] }), masking('b', 'arguments.x', { tools: ['chat.post'] })]);
    compileError([
      masking('a', 'arguments.x', { tools: ['mail.send'] }),
      masking('b', 'arguments.x', { tools: ['chat.post', 'mail.send'] }),
    ]);
  });

  it('a glob in either list, or no list at all, conflicts', () => {
    compileError([masking('a', 'arguments.x', { tools: ['mail.*'] }), masking('b', 'arguments.x', { tools: ['chat.post'] })]);
    compileError([masking('a', 'arguments.x', { tools: ['mail.send'] }), masking('b', 'arguments.x', { tools: ['chat.{post,send}'] })]);
    compileError([masking('a', 'arguments.x'), masking('b', 'arguments.x', { tools: ['chat.post'] })]);
  });

  it('response and request policies do not conflict', () => {
    accepts([masking('a', 'result.text', { on: 'response' }), masking('b', 'result.text')]);
    compileError([masking('a', 'result.text', { on: 'response' }), masking('b', 'result.text', { on: 'response' })]);
  });

  it('several ops of one policy on one field are no conflict', () => {
    accepts([
      {
        id: 'a',
        rewrite: [
          { op: 'set_default', field: 'arguments.n', value: 1 },
          { op: 'cap_value', field: 'arguments.n', value: 10 },
        ],
      },
    ]);
  });

  it('a policy without rewrite never conflicts', () => {
    accepts([masking('a', 'arguments.x'), { id: 'b', assert: { field: 'arguments.x', op: 'exists' } }]);
  });

  it('reports every conflicting pair, and the conflicts with the other invalid policies in policy order', () => {
    let error;
    try {
      compilePolicies(
        [masking('a', 'arguments.x'), masking('b', 'arguments.x'), { id: 'broken', effect: 'explode' }, masking('c', 'arguments.*')],
        DEFAULT_LIMITS,
      );
    } catch (thrown) {
      error = thrown as { message: string; details: { errors: { policy: string; issues: { message: string }[] }[] } };
    }
    expect(error?.details.errors.map((failure) => failure.policy)).toEqual(['policy "b"', 'policy "broken"', 'policy "c"']);
    const ofC = error?.details.errors[2]?.issues.map((issue) => issue.message) ?? [];
    expect(ofC).toHaveLength(2);
    expect(ofC[0]).toContain('policy "a"');
    expect(ofC[1]).toContain('policy "b"');
  });
});

describe('fieldsOverlap', () => {
  const overlap = (left: string, right: string): boolean => fieldsOverlap(parseDotPathPattern(left), parseDotPathPattern(right));

  it('is symmetric and treats * as any one segment', () => {
    for (const [left, right, expected] of [
      ['a.b', 'a.b', true],
      ['a', 'a.b.c', true],
      ['a.*.c', 'a.b.c', true],
      ['a.*.c', 'a.b.d', false],
      ['a[*]', 'a.x', true],
      ['a["*"]', 'a.x', false],
      ['x', 'y', false],
    ] as const) {
      expect(overlap(left, right)).toBe(expected);
      expect(overlap(right, left)).toBe(expected);
    }
  });
});
