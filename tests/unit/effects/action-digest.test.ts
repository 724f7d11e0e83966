import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAction } from '../../../src/check-action.js';
import { DIGEST_BOUNDS, actionDigest } from '../../../src/effects/action-digest.js';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { canonicalJson } from '../../../src/policy/policy-version.js';
import { thrownBy } from '../../support/thrown-by.js';

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** `levels` objects nested in one another, the outermost included. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { tool: 'deep' };
  for (let level = 1; level < levels; level += 1) value = { tool: 'deep', inner: value };
  return value;
}

describe('actionDigest', () => {
  it('is sha256 of the canonical JSON, as canonicalJson writes it', () => {
    const action = { tool: 'pay', arguments: { b: [1, 'two', null, true, { z: 1, a: -0 }], a: 2.5 }, context: { user: 'é\u2028"' } };
    expect(actionDigest(action)).toBe(sha256(canonicalJson(action)));
    expect(actionDigest(action)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('matches canonicalJson across the chunks it hashes in', () => {
    const action = {
      tool: 'bulk',
      arguments: { text: 'x'.repeat(200_000), items: Array.from({ length: 5_000 }, (_, index) => ({ index })) },
    };
    expect(actionDigest(action)).toBe(sha256(canonicalJson(action)));
  });

  it('is the same whatever the key order, at every level', () => {
    const one = { tool: 'pay', arguments: { amount: 5, currency: 'EUR', meta: { a: 1, b: [{ x: 1, y: 2 }] } } };
    const other = { arguments: { meta: { b: [{ y: 2, x: 1 }], a: 1 }, currency: 'EUR', amount: 5 }, tool: 'pay' };
    expect(actionDigest(other)).toBe(actionDigest(one));
  });

  it('changes with a one-character change, in a value or in a key', () => {
    const base = actionDigest({ tool: 'pay', arguments: { currency: 'EUR' } });
    expect(actionDigest({ tool: 'pay', arguments: { currency: 'EUS' } })).not.toBe(base);
    expect(actionDigest({ tool: 'pay', arguments: { currencY: 'EUR' } })).not.toBe(base);
    expect(actionDigest({ tool: 'pay', arguments: { currency: ['EUR'] } })).not.toBe(base);
  });

  it('drops undefined object values and writes undefined array elements and holes as null, as JSON does', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    expect(actionDigest({ tool: 't', a: undefined, list: [1, undefined, 3] })).toBe(sha256('{"list":[1,null,3],"tool":"t"}'));
    expect(actionDigest({ tool: 't', list: sparse })).toBe(sha256('{"list":[1,null,3],"tool":"t"}'));
  });

  it('reads own keys only, and an own "__proto__" key like any other', () => {
    const withProto = JSON.parse('{"tool":"t","__proto__":{"polluted":true}}') as object;
    expect(actionDigest(withProto)).toBe(sha256('{"__proto__":{"polluted":true},"tool":"t"}'));
    const inherits = Object.create({ inherited: 1 }) as Record<string, unknown>;
    inherits.tool = 't';
    // A prototype other than Object.prototype makes it no plain object.
    expect(actionDigest(inherits)).toBeNull();
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { tool: 't' });
    expect(actionDigest(bare)).toBe(sha256('{"tool":"t"}'));
  });

  const notJson: [string, () => unknown][] = [
    [
      'a cycle',
      () => {
        const action: Record<string, unknown> = { tool: 'loop' };
        action.self = action;
        return action;
      },
    ],
    [
      'a cycle through an array',
      () => {
        const list: unknown[] = [];
        list.push({ list });
        return { tool: 'loop', list };
      },
    ],
    ['a BigInt', () => ({ tool: 'pay', arguments: { amount: 10n } })],
    ['a function', () => ({ tool: 'pay', arguments: { amount: () => 1 } })],
    ['a symbol', () => ({ tool: 'pay', arguments: { amount: Symbol('x') } })],
    ['NaN', () => ({ tool: 'pay', arguments: { amount: Number.NaN } })],
    ['Infinity', () => ({ tool: 'pay', arguments: { amount: Number.POSITIVE_INFINITY } })],
    ['a Date', () => ({ tool: 'pay', arguments: { at: new Date(0) } })],
    ['a Map', () => ({ tool: 'pay', arguments: new Map([['a', 1]]) })],
    [
      'a throwing getter',
      () => ({
        tool: 'pay',
        get arguments(): unknown {
          throw new Error('hostile');
        },
      }),
    ],
    [
      'a getter that throws a non-Error',
      () => ({
        tool: 'pay',
        get arguments(): unknown {
          throw Object.create(null);
        },
      }),
    ],
    ['a Proxy, even a harmless one', () => ({ tool: 'pay', arguments: new Proxy({ amount: 1 }, {}) })],
    [
      'a Proxy whose traps throw',
      () =>
        new Proxy(
          { tool: 'pay' },
          {
            ownKeys: () => {
              throw new Error('trap');
            },
            get: () => {
              throw new Error('trap');
            },
          },
        ),
    ],
    [
      'a revoked Proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({ tool: 'pay' }, {});
        revoke();
        return proxy;
      },
    ],
    ['nesting past the depth limit', () => nested(DEFAULT_LIMITS.maxDepth + 1)],
    ['undefined', () => undefined],
  ];
  it.each(notJson)('is null, without throwing, for %s', (_name, make) => {
    const action = make();
    expect(thrownBy(() => actionDigest(action))).toBeUndefined();
    expect(actionDigest(action)).toBeNull();
  });

  it('digests exactly the nesting the engine accepts with default limits', () => {
    const deepest = nested(DEFAULT_LIMITS.maxDepth);
    const tooDeep = nested(DEFAULT_LIMITS.maxDepth + 1);
    expect(thrownBy(() => checkAction(deepest, DEFAULT_LIMITS))).toBeUndefined();
    expect(thrownBy(() => checkAction(tooDeep, DEFAULT_LIMITS))).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(actionDigest(deepest)).toBe(sha256(canonicalJson(deepest)));
    expect(actionDigest(tooDeep)).toBeNull();
  });

  it('counts every value against the node budget, the action itself included', () => {
    const bounds = { ...DIGEST_BOUNDS, maxNodes: 10 };
    // The object, "tool" and a list of n elements: n + 3 values.
    const withList = (length: number): object => ({ tool: 't', list: Array.from({ length }, () => 0) });
    expect(actionDigest(withList(7), bounds)).toBe(sha256(canonicalJson(withList(7))));
    expect(actionDigest(withList(8), bounds)).toBeNull();
  });

  it('refuses a huge sparse array or a wide object once past the budget, quickly', () => {
    const started = performance.now();
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    expect(actionDigest({ tool: 't', sparse })).toBeNull();
    const wide = Object.fromEntries(Array.from({ length: DEFAULT_LIMITS.maxNodes + 1 }, (_, index) => [`k${index}`, index]));
    expect(actionDigest({ tool: 't', wide })).toBeNull();
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('reads each getter once', () => {
    let reads = 0;
    const action = {
      tool: 't',
      get amount(): number {
        reads += 1;
        return reads;
      },
    };
    expect(actionDigest(action)).toBe(sha256('{"amount":1,"tool":"t"}'));
    expect(reads).toBe(1);
  });

  it('keeps its default bounds frozen', () => {
    expect(Object.isFrozen(DIGEST_BOUNDS)).toBe(true);
    expect(DIGEST_BOUNDS).toEqual({ maxDepth: DEFAULT_LIMITS.maxDepth, maxNodes: DEFAULT_LIMITS.maxNodes });
  });
});

describe('actionDigest: its shortcuts write what canonicalJson writes', () => {
  it('strings that need escapes, as values and as keys: quotes, backslashes, control characters, surrogates', () => {
    const tricky = ['plain', '', 'a"b', 'back\\slash', 'line\nbreak', '\u0000\u001f', '\u007f', '\u2028\u2029', '😀', '\ud800', 'x\udc00y'];
    for (const text of tricky) {
      const action = { tool: text, arguments: { [text]: text, list: [text] } };
      expect(actionDigest(action)).toBe(sha256(canonicalJson(action)));
    }
  });

  it('numbers and booleans, many keys (past the small-object sort), long keys, and keys seen again', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`k${(index * 7919) % 40}`, index]));
    const action = {
      tool: 't',
      arguments: { many, zero: -0, big: 1e21, small: 5e-7, fraction: 0.1, yes: true, no: false, [`long-${'x'.repeat(100)}`]: 1 },
      Z: 1,
      a: 2,
      B: 3,
      é: 4,
    };
    expect(actionDigest(action)).toBe(sha256(canonicalJson(action)));
    expect(actionDigest(action)).toBe(sha256(canonicalJson(action)));
  });

  it('any JSON value under an action', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), (value, more) => {
        const action = { ...more, tool: 'svc.op', arguments: { value } };
        expect(actionDigest(action)).toBe(sha256(canonicalJson(action)));
      }),
      { numRuns: 300 },
    );
  });
});
