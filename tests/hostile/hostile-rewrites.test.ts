import { describe, expect, it } from 'vitest';
import type { Action, RewriteDefinition } from '../../src/types.js';
import { thrownBy } from '../support/thrown-by.js';
import { act, deepFreeze, rewriteWith, rewritingPolicy, TOOL } from '../unit/rewrite/support.js';

/**
 * Actions built to make a rewrite mutate the caller's object, pollute a
 * prototype, read what it should not, or fail silently. A getter that throws
 * propagates: the engine reports it as an evaluation error of the policy, and a
 * rewrite that silently skipped a field could leave a secret in place.
 */

const MASK: RewriteDefinition = { op: 'mask_field', field: 'arguments.token' };

function throwingGetter(): PropertyDescriptor {
  return {
    enumerable: true,
    get: () => {
      throw new Error('hostile getter');
    },
  };
}

describe('hostile actions under rewrites', () => {
  it('a getter that throws on the path propagates as a throw', () => {
    const action: Action = { tool: 't', arguments: Object.defineProperty({}, 'token', throwingGetter()) };
    expect(thrownBy(() => rewriteWith([MASK], action))).toEqual(new Error('hostile getter'));
  });

  it('a getter that throws above the path propagates too', () => {
    const action = Object.defineProperty({ tool: 't' }, 'arguments', throwingGetter()) as Action;
    expect(thrownBy(() => rewriteWith([MASK], action))).toEqual(new Error('hostile getter'));
  });

  it('a getter beside a field that changes is read when its container is copied, and its throw propagates', () => {
    const args = Object.defineProperty({ token: 'secret' }, 'other', throwingGetter());
    expect(thrownBy(() => rewriteWith([MASK], { tool: 't', arguments: args }))).toEqual(new Error('hostile getter'));
  });

  it('a getter in a subtree the rewrite does not touch is never read', () => {
    let reads = 0;
    const untouched = Object.defineProperty({}, 'x', { enumerable: true, get: () => ((reads += 1), 1) });
    const action: Action = { tool: 't', arguments: { token: 'secret' }, context: untouched };
    const result = rewriteWith([MASK], action);
    expect(result.action.context).toBe(untouched);
    expect(reads).toBe(0);
  });

  it('a revoked Proxy on the path throws', () => {
    const { proxy, revoke } = Proxy.revocable({ token: 'x' }, {});
    revoke();
    expect(thrownBy(() => rewriteWith([MASK], { tool: 't', arguments: proxy }))).toBeInstanceOf(TypeError);
  });

  it('a Proxy whose ownKeys trap throws, under `*`, throws', () => {
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    expect(thrownBy(() => rewriteWith([{ op: 'mask_field', field: 'arguments.*' }], { tool: 't', arguments: proxy }))).toEqual(
      new Error('trap'),
    );
  });

  it('pollutes no prototype, whatever the keys', () => {
    const fields = [
      'arguments.__proto__.polluted',
      'arguments.constructor.prototype.polluted',
      'arguments.prototype.polluted',
      '__proto__.polluted',
    ];
    for (const field of fields) {
      const result = rewriteWith([{ op: 'set_default', field, value: 'yes' }], deepFreeze(act({})));
      expect(result.rewrites).toHaveLength(1);
    }
    for (const field of fields) {
      rewriteWith(
        [{ op: 'mask_field', field }],
        deepFreeze(JSON.parse('{"tool":"t","__proto__":{"polluted":1},"arguments":{"__proto__":{"polluted":1}}}') as Action),
      );
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
  });

  it('`*` visits own keys only, never inherited enumerable ones', () => {
    const args = Object.assign(Object.create({ inherited: 'secret' }) as Record<string, unknown>, { own: 'x' });
    const result = rewriteWith([{ op: 'mask_field', field: 'arguments.*' }], { tool: 't', arguments: args });
    expect(result.rewrites.map((rewrite) => rewrite.path)).toEqual([['arguments', 'own']]);
    expect(Object.keys(result.action.arguments ?? {})).toEqual(['own']);
  });

  it('an inherited key addressed directly is missing: nothing is written over it', () => {
    const args = Object.create({ token: 'secret' }) as Record<string, unknown>;
    const action: Action = { tool: 't', arguments: args };
    expect(rewriteWith([MASK], action).action).toBe(action);
  });

  it('an array element answers only as an own element: a hole is missing', () => {
    // eslint-disable-next-line no-sparse-arrays
    const list = [1, , 3];
    const action = act({ list });
    const result = rewriteWith([{ op: 'cap_value', field: 'arguments.list.*', value: 0 }], action);
    expect(result.rewrites.map((rewrite) => rewrite.path)).toEqual([
      ['arguments', 'list', 0],
      ['arguments', 'list', 2],
    ]);
    const after = result.action.arguments?.list as unknown[];
    expect(after).toHaveLength(3);
    expect(Object.hasOwn(after, 1)).toBe(false);
  });

  it('a big array under `*` is rewritten in one linear pass, sharing the untouched elements', () => {
    const items = Array.from({ length: 50_000 }, (_, index) => ({ n: index % 2 === 0 ? 1 : 1000 }));
    const action = deepFreeze(act({ items }));
    const result = rewriteWith([{ op: 'cap_value', field: 'arguments.items.*.n', value: 10 }], action);
    expect(result.rewrites).toHaveLength(25_000);
    const after = result.action.arguments?.items as object[];
    expect(after[0]).toBe(items[0]);
    expect(after[1]).toEqual({ n: 10 });
  });

  it('replace over a long string with many matches finishes and keeps the limit', () => {
    const input = '\u001b[0mx'.repeat(100_000);
    const result = rewriteWith([{ op: 'replace', field: 'arguments.s', pattern: '\\u001b\\[[0-9;]*m', with: '' }], act({ s: input }));
    expect(result.action.arguments).toEqual({ s: 'x'.repeat(100_000) });
  });

  it('a mask constant handed out in one decision cannot change what the next one writes', () => {
    const run = rewritingPolicy([{ op: 'mask_field', field: 'arguments.token', value: { hidden: [] } }]).rewrite;
    const first = run?.(act({ token: 'a' }), TOOL);
    (first?.action.arguments?.token as { hidden: string[] }).hidden.push('leak');
    expect(() => (first?.rewrites[0]?.value as { hidden: string[] }).hidden.push('leak')).toThrow(TypeError);
    expect(run?.(act({ token: 'b' }), TOOL).action.arguments).toEqual({ token: { hidden: [] } });
  });
});
