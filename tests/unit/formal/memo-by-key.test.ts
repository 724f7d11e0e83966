import { describe, expect, it } from 'vitest';
import { memoByKey } from '../../../src/formal/memo-by-key.js';

describe('memoByKey', () => {
  it('makes the value of a key once and hands out the same one after', () => {
    let made = 0;
    const memo = memoByKey((key) => ({ key, made: (made += 1) }), 10);
    const first = memo('a');
    expect(memo('a')).toBe(first);
    expect(memo('b')).not.toBe(first);
    expect(made).toBe(2);
  });

  it('keeps at most `limit` keys: past it, a new key is made afresh on every call', () => {
    let made = 0;
    const memo = memoByKey((key) => ({ key, made: (made += 1) }), 2);
    const [a, b] = [memo('a'), memo('b')];
    expect(memo('c')).not.toBe(memo('c'));
    expect(memo('a')).toBe(a);
    expect(memo('b')).toBe(b);
    expect(made).toBe(4);
  });
});
