import { describe, expect, it } from 'vitest';
import { VersionHistory } from '../../../src/bundle/version-history.js';
import type { Engine } from '../../../src/index.js';

const engine = (version: string) => ({ version }) as Engine;

describe('VersionHistory', () => {
  it('releases what an evicted or replaced engine was built on, and nothing still held', () => {
    const released: string[] = [];
    const release = (name: string) => () => {
      released.push(name);
      return Promise.resolve();
    };
    const history = new VersionHistory(2);
    history.hold(engine('a'), release('a'));
    history.hold(engine('b'), release('b'));
    expect(released).toEqual([]);
    history.hold(engine('c'), release('c'));
    expect(released).toEqual(['a']);
    expect(history.versions).toEqual(['c', 'b']);
    // The same version again (content reverted): the new engine replaces the old, whose files go.
    const again = engine('b');
    history.hold(again, release('b2'));
    expect(released).toEqual(['a', 'b']);
    expect(history.versions).toEqual(['b', 'c']);
    expect(history.engineAt('b')).toBe(again);
  });
});
