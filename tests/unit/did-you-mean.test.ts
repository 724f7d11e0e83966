import { describe, expect, it } from 'vitest';
import { closestNames, didYouMean } from '../../src/did-you-mean.js';

/**
 * The "did you mean" helper shared by the gateway's schema checks and the
 * constraint tools' scope errors: which names it offers, and how it words them.
 */

describe('closestNames', () => {
  it('offers names within a third of the length, nearest first, then in the order given', () => {
    expect(closestNames('providrs', ['resourceTypes', 'providers', 'repos'])).toEqual(['providers']);
    expect(closestNames('repo', ['repos', 'reps', 'languages'])).toEqual(['repos', 'reps']);
    expect(closestNames('enviroments', ['environments', 'environment'])).toEqual(['environments', 'environment']);
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(closestNames('naem', ['name', 'none'])).toEqual(['name']);
  });

  it('offers a difference of case even for short names, and nothing else for them', () => {
    expect(closestNames('Id', ['id', 'ix'])).toEqual(['id']);
    expect(closestNames('ab', ['ac', 'abc'])).toEqual([]);
  });

  it('never offers the name itself, and at most count names', () => {
    expect(closestNames('path', ['path', 'pat', 'pith', 'bath', 'math'], 2)).toEqual(['pat', 'pith']);
  });

  it('compares nothing for a name or candidate over 128 characters', () => {
    const long = 'a'.repeat(129);
    expect(closestNames(long, [`${long}b`])).toEqual([]);
    expect(closestNames('aaaa', [long])).toEqual([]);
  });
});

describe('didYouMean', () => {
  it('quotes one, two or more names, and says nothing for none', () => {
    expect(didYouMean([])).toBe('');
    expect(didYouMean(['providers'])).toBe(' (did you mean "providers"?)');
    expect(didYouMean(['a', 'b'])).toBe(' (did you mean "a" or "b"?)');
    expect(didYouMean(['a', 'b', 'c'])).toBe(' (did you mean "a", "b" or "c"?)');
  });
});
