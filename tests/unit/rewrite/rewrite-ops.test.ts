import { describe, expect, it } from 'vitest';
import type { Action, RewriteDefinition } from '../../../src/types.js';
import { act, rewriteWith, withoutMutation } from './support.js';

/**
 * The five rewrite ops on present, missing and null fields, through arrays
 * (index segments and `*`) and on values of the wrong type. Every action is
 * deep-frozen and compared with its snapshot afterwards: the caller's object is
 * never mutated.
 */

const run = (rewrite: RewriteDefinition | readonly RewriteDefinition[], action: Action) =>
  withoutMutation(action, (frozen) => rewriteWith(Array.isArray(rewrite) ? rewrite : [rewrite as RewriteDefinition], frozen));

describe('cap_value', () => {
  const cap: RewriteDefinition = { op: 'cap_value', field: 'arguments.limit', value: 100 };

  it('clamps a number above the cap down to the cap and records the cap', () => {
    const result = run(cap, act({ limit: 5000, query: 'q' }));
    expect(result.action).toEqual({ tool: 't', arguments: { limit: 100, query: 'q' } });
    expect(result.rewrites).toEqual([{ policyId: 'p', op: 'cap_value', path: ['arguments', 'limit'], value: 100, applied: true }]);
    expect(result.violations).toEqual([]);
  });

  it.each([
    ['at the cap', 100],
    ['below the cap', 7],
    ['-Infinity', -Infinity],
  ])('leaves a number %s alone, records nothing and returns the same action', (_name, limit) => {
    const action = act({ limit });
    const result = run(cap, action);
    expect(result.action).toBe(action);
    expect(result.rewrites).toEqual([]);
    expect(result.violations).toEqual([]);
  });

  it('clamps Infinity', () => {
    expect(run(cap, act({ limit: Infinity })).action.arguments).toEqual({ limit: 100 });
  });

  it.each([
    ['missing', act({})],
    ['null', act({ limit: null })],
    ['under a missing parent', { tool: 't' }],
    ['under a scalar parent', { tool: 't', arguments: 'text' } as unknown as Action],
  ])('does nothing when the field is %s', (_name, action) => {
    const result = run(cap, action);
    expect(result.action).toBe(action);
    expect(result.rewrites).toEqual([]);
    expect(result.violations).toEqual([]);
  });

  it.each([
    ['a string', '5000'],
    ['a boolean', true],
    ['an object', { n: 5000 }],
    ['an array', [5000]],
    ['NaN', NaN],
  ])('is a violation of the policy on %s, with no actual, and leaves the field', (found, limit) => {
    const action = act({ limit });
    const result = run(cap, action);
    expect(result.action).toBe(action);
    expect(result.rewrites).toEqual([]);
    expect(result.violations).toEqual([
      {
        policyId: 'p',
        tier: 'auto',
        constraint: 'cap_value',
        path: ['arguments', 'limit'],
        message: `p: cap_value at arguments.limit needs a number, found ${found}`,
        expected: 'a number',
        effect: 'deny',
        severity: 'violation',
      },
    ]);
    expect('actual' in (result.violations[0] ?? {})).toBe(false);
  });

  it("carries the policy's effect and severity, and uses the default message, not the policy's template", () => {
    const result = withoutMutation(act({ limit: 'x' }), (frozen) =>
      rewriteWith([cap], frozen, { effect: 'warn', message: 'custom {actual}' }),
    );
    expect(result.violations).toEqual([
      expect.objectContaining({
        effect: 'warn',
        severity: 'warning',
        message: 'p: cap_value at arguments.limit needs a number, found a string',
      }),
    ]);
  });

  it('caps every element through `*` and an index segment, recording each concrete path with numeric indices', () => {
    const action = act({ items: [{ qty: 5 }, { qty: 500 }, { other: 1 }, { qty: 'x' }, { qty: 1000 }] });
    const result = run({ op: 'cap_value', field: 'arguments.items.*.qty', value: 10 }, action);
    expect(result.action.arguments).toEqual({ items: [{ qty: 5 }, { qty: 10 }, { other: 1 }, { qty: 'x' }, { qty: 10 }] });
    expect(result.rewrites.map((rewrite) => rewrite.path)).toEqual([
      ['arguments', 'items', 1, 'qty'],
      ['arguments', 'items', 4, 'qty'],
    ]);
    expect(result.violations.map((violation) => violation.path)).toEqual([['arguments', 'items', 3, 'qty']]);
    const indexed = run({ op: 'cap_value', field: 'arguments.items[1].qty', value: 10 }, action);
    expect(indexed.rewrites.map((rewrite) => rewrite.path)).toEqual([['arguments', 'items', 1, 'qty']]);
  });

  it('`*` over an object visits every own value', () => {
    const result = run({ op: 'cap_value', field: 'arguments.budgets.*', value: 10 }, act({ budgets: { a: 5, b: 50, c: 500 } }));
    expect(result.action.arguments).toEqual({ budgets: { a: 5, b: 10, c: 10 } });
    expect(result.rewrites.map((rewrite) => rewrite.path)).toEqual([
      ['arguments', 'budgets', 'b'],
      ['arguments', 'budgets', 'c'],
    ]);
  });

  it('an index segment on an object is a key, and on an array any other key is missing', () => {
    expect(run({ op: 'cap_value', field: 'arguments.m.0', value: 1 }, act({ m: { 0: 5 } })).action.arguments).toEqual({ m: { 0: 1 } });
    const action = act({ list: [5] });
    expect(run({ op: 'cap_value', field: 'arguments.list.length', value: 0 }, action).action).toBe(action);
    expect(run({ op: 'cap_value', field: 'arguments.list.7', value: 0 }, action).action).toBe(action);
  });
});

describe('set_default', () => {
  it('fills a missing field and records the default', () => {
    const result = run({ op: 'set_default', field: 'arguments.limit', value: 20 }, act({ q: 'x' }));
    expect(result.action.arguments).toEqual({ q: 'x', limit: 20 });
    expect(result.rewrites).toEqual([{ policyId: 'p', op: 'set_default', path: ['arguments', 'limit'], value: 20, applied: true }]);
  });

  it('fills a null field', () => {
    expect(run({ op: 'set_default', field: 'arguments.limit', value: 20 }, act({ limit: null })).action.arguments).toEqual({ limit: 20 });
  });

  it.each([0, false, '', [], {}])('keeps a present value (%j), and returns the same action', (limit) => {
    const action = act({ limit });
    const result = run({ op: 'set_default', field: 'arguments.limit', value: 20 }, action);
    expect(result.action).toBe(action);
    expect(result.rewrites).toEqual([]);
  });

  it('creates missing intermediate objects, and a null one, never arrays', () => {
    const rewrite: RewriteDefinition = { op: 'set_default', field: 'arguments.options.paging.0', value: 'first' };
    expect(run(rewrite, { tool: 't' }).action).toEqual({ tool: 't', arguments: { options: { paging: { 0: 'first' } } } });
    expect(run(rewrite, act({ options: null })).action.arguments).toEqual({ options: { paging: { 0: 'first' } } });
  });

  it('writes a fresh copy of an object default each time, not the policy constant', () => {
    const result = run({ op: 'set_default', field: 'arguments.items.*.meta', value: { tags: [] } }, act({ items: [{}, {}] }));
    const items = result.action.arguments?.items as { meta: { tags: string[] } }[];
    expect(items).toEqual([{ meta: { tags: [] } }, { meta: { tags: [] } }]);
    expect(items[0]?.meta).not.toBe(items[1]?.meta);
    expect(Object.isFrozen(items[0]?.meta)).toBe(false);
    items[0]?.meta.tags.push('changed');
    expect(items[1]?.meta.tags).toEqual([]);
    expect(result.rewrites[0]?.value).toEqual({ tags: [] });
  });

  it('fails on an intermediate that holds a scalar, naming what it found there', () => {
    const action = act({ options: 'fast' });
    const result = run({ op: 'set_default', field: 'arguments.options.limit', value: 1 }, action);
    expect(result.action).toBe(action);
    expect(result.violations).toEqual([
      expect.objectContaining({
        constraint: 'set_default',
        path: ['arguments', 'options'],
        expected: 'an object',
        message: 'p: set_default at arguments.options needs an object, found a string',
      }),
    ]);
  });

  it('never adds an array element: a missing index or a key on an array is a failure', () => {
    const action = act({ list: [1, null] });
    const filled = run({ op: 'set_default', field: 'arguments.list.1', value: 0 }, action);
    expect(filled.action.arguments).toEqual({ list: [1, 0] });
    const beyond = run({ op: 'set_default', field: 'arguments.list.2', value: 0 }, action);
    expect(beyond.action).toBe(action);
    expect(beyond.violations).toEqual([expect.objectContaining({ path: ['arguments', 'list', 2], expected: 'an existing array element' })]);
    const key = run({ op: 'set_default', field: 'arguments.list.size', value: 0 }, action);
    expect(key.action).toBe(action);
    expect(key.violations).toEqual([expect.objectContaining({ path: ['arguments', 'list', 'size'], expected: 'an object' })]);
  });

  it('fills through `*`, and `*` over nothing creates nothing', () => {
    const rewrite: RewriteDefinition = { op: 'set_default', field: 'arguments.items.*.qty', value: 1 };
    expect(run(rewrite, act({ items: [{ qty: 3 }, {}, { qty: null }] })).action.arguments).toEqual({
      items: [{ qty: 3 }, { qty: 1 }, { qty: 1 }],
    });
    const empty = { tool: 't' };
    expect(run(rewrite, empty).action).toBe(empty);
  });
});

describe('mask_field', () => {
  it('replaces the value with "***" by default, and records the mask, never the value', () => {
    const result = run({ op: 'mask_field', field: 'arguments.token' }, act({ token: 'sk-live-123' }));
    expect(result.action.arguments).toEqual({ token: '***' });
    expect(result.rewrites).toEqual([{ policyId: 'p', op: 'mask_field', path: ['arguments', 'token'], value: '***', applied: true }]);
    expect(JSON.stringify(result.rewrites)).not.toContain('sk-live');
  });

  it('writes the given mask over any kind of value', () => {
    const mask: RewriteDefinition = { op: 'mask_field', field: 'arguments.secret', value: { redacted: true } };
    for (const secret of ['s', 12, true, [1, 2], { nested: 'x' }]) {
      expect(run(mask, act({ secret })).action.arguments).toEqual({ secret: { redacted: true } });
    }
  });

  it.each([
    ['missing', act({})],
    ['null', act({ token: null })],
    ['already the mask', act({ token: '***' })],
  ])('does nothing when the field is %s', (_name, action) => {
    const result = run({ op: 'mask_field', field: 'arguments.token' }, action);
    expect(result.action).toBe(action);
    expect(result.rewrites).toEqual([]);
  });

  it('masks every element through `*`', () => {
    const result = run(
      { op: 'mask_field', field: 'arguments.headers.*.value', value: 'X' },
      act({ headers: [{ value: 'a' }, { value: 'b' }] }),
    );
    expect(result.action.arguments).toEqual({ headers: [{ value: 'X' }, { value: 'X' }] });
    expect(result.rewrites).toHaveLength(2);
  });
});

describe('remove_field', () => {
  it('deletes the key and records no value', () => {
    const result = run({ op: 'remove_field', field: 'arguments.debug' }, act({ debug: true, q: 1 }));
    expect(result.action.arguments).toEqual({ q: 1 });
    expect(Object.hasOwn(result.action.arguments ?? {}, 'debug')).toBe(false);
    expect(result.rewrites).toEqual([{ policyId: 'p', op: 'remove_field', path: ['arguments', 'debug'], applied: true }]);
  });

  it('deletes a present null', () => {
    const result = run({ op: 'remove_field', field: 'arguments.debug' }, act({ debug: null }));
    expect(result.action.arguments).toEqual({});
    expect(result.rewrites).toHaveLength(1);
  });

  it('does nothing for a missing field', () => {
    const action = act({ q: 1 });
    const result = run({ op: 'remove_field', field: 'arguments.debug' }, action);
    expect(result.action).toBe(action);
    expect(result.rewrites).toEqual([]);
  });

  it('splices out an array element addressed by index', () => {
    const result = run({ op: 'remove_field', field: 'arguments.list[1]' }, act({ list: ['a', 'b', 'c'] }));
    expect(result.action.arguments).toEqual({ list: ['a', 'c'] });
    expect(result.rewrites.map((rewrite) => rewrite.path)).toEqual([['arguments', 'list', 1]]);
  });

  it('splices out every element through `*`, recording the indices as found', () => {
    const result = run({ op: 'remove_field', field: 'arguments.list.*' }, act({ list: ['a', 'b', 'c'] }));
    expect(result.action.arguments).toEqual({ list: [] });
    expect(result.rewrites.map((rewrite) => rewrite.path)).toEqual([
      ['arguments', 'list', 0],
      ['arguments', 'list', 1],
      ['arguments', 'list', 2],
    ]);
  });

  it('removes a key from every element through `*`', () => {
    const result = run({ op: 'remove_field', field: 'arguments.rows.*.ssn' }, act({ rows: [{ id: 1, ssn: 'x' }, { id: 2 }] }));
    expect(result.action.arguments).toEqual({ rows: [{ id: 1 }, { id: 2 }] });
    expect(result.rewrites).toHaveLength(1);
  });
});

describe('several ops of one policy', () => {
  it('run in list order, each seeing what the previous left', () => {
    const result = run(
      [
        { op: 'set_default', field: 'arguments.limit', value: 500 },
        { op: 'cap_value', field: 'arguments.limit', value: 100 },
      ],
      act({}),
    );
    expect(result.action.arguments).toEqual({ limit: 100 });
    expect(result.rewrites.map((rewrite) => rewrite.op)).toEqual(['set_default', 'cap_value']);
  });

  it('keep going after a failure, and report both', () => {
    const result = run(
      [
        { op: 'cap_value', field: 'arguments.a', value: 1 },
        { op: 'mask_field', field: 'arguments.b' },
      ],
      act({ a: 'not a number', b: 'secret' }),
    );
    expect(result.action.arguments).toEqual({ a: 'not a number', b: '***' });
    expect(result.violations.map((violation) => violation.constraint)).toEqual(['cap_value']);
    expect(result.rewrites.map((rewrite) => rewrite.op)).toEqual(['mask_field']);
  });
});

describe('copy-on-write', () => {
  it('copies only the containers on the way to a change and shares every other subtree', () => {
    const action: Action = {
      tool: 't',
      arguments: { payment: { amount: 900, currency: 'EUR' }, items: [{ sku: 'a' }, { sku: 'b' }] },
      context: { user: { id: 'u' } },
    };
    const result = run({ op: 'cap_value', field: 'arguments.payment.amount', value: 100 }, action);
    const args = action.arguments as Record<string, unknown>;
    const out = result.action.arguments as Record<string, unknown>;
    expect(result.action).not.toBe(action);
    expect(out).not.toBe(args);
    expect(out.payment).not.toBe(args.payment);
    expect(out.items).toBe(args.items);
    expect(result.action.context).toBe(action.context);
  });

  it('copies an array by slice when one element changes, sharing the other elements', () => {
    const action = act({ items: [{ n: 1 }, { n: 50 }, { n: 2 }] });
    const result = run({ op: 'cap_value', field: 'arguments.items.*.n', value: 10 }, action);
    const before = action.arguments?.items as object[];
    const after = result.action.arguments?.items as object[];
    expect(after).not.toBe(before);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[2]).toBe(before[2]);
  });

  it('returns the same action object when no op changes anything', () => {
    const action = act({ limit: 1, token: '***', text: 'plain' });
    const result = run(
      [
        { op: 'cap_value', field: 'arguments.limit', value: 10 },
        { op: 'mask_field', field: 'arguments.token' },
        { op: 'replace', field: 'arguments.text', pattern: '\\d', with: '#' },
        { op: 'remove_field', field: 'arguments.missing' },
        { op: 'set_default', field: 'arguments.limit', value: 5 },
      ],
      action,
    );
    expect(result.action).toBe(action);
    expect(result.rewrites).toEqual([]);
    expect(result.violations).toEqual([]);
  });
});

describe('own properties only', () => {
  it('writes an own `__proto__` key as data, never a prototype', () => {
    const action = JSON.parse('{"tool":"t","arguments":{"__proto__":{"admin":true}}}') as Action;
    const result = run({ op: 'mask_field', field: 'arguments.__proto__' }, action);
    const args = result.action.arguments as object;
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(args, '__proto__')?.value).toBe('***');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('set_default creates an own `__proto__` key where there is none, leaving prototypes alone', () => {
    const result = run({ op: 'set_default', field: 'arguments.__proto__.polluted', value: true }, act({}));
    const args = result.action.arguments as object;
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(args, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('does not read inherited members: `constructor` is missing unless it is an own key', () => {
    const action = act({});
    expect(run({ op: 'mask_field', field: 'arguments.constructor' }, action).action).toBe(action);
    expect(run({ op: 'remove_field', field: 'arguments.toString' }, action).action).toBe(action);
    const own = run({ op: 'mask_field', field: 'arguments.constructor' }, act({ constructor: 'x' }));
    expect(own.action.arguments).toEqual({ constructor: '***' });
  });

  it('a quoted ["*"] is the literal key, not a wildcard', () => {
    const result = run({ op: 'mask_field', field: 'arguments["*"]' }, act({ '*': 'star', other: 'kept' }));
    expect(result.action.arguments).toEqual({ '*': '***', other: 'kept' });
  });
});
