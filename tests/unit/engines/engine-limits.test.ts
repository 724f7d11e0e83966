import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_LIMITS, resolveEngineLimits } from '../../../src/limits.js';
import { thrownBy } from '../../support/thrown-by.js';

describe('engine limits', () => {
  it('are frozen defaults, returned as they are without overrides', () => {
    expect(Object.isFrozen(DEFAULT_ENGINE_LIMITS)).toBe(true);
    expect(resolveEngineLimits(undefined)).toBe(DEFAULT_ENGINE_LIMITS);
  });

  it('take overrides, frozen, and keep the other defaults', () => {
    const limits = resolveEngineLimits({ timeoutMs: 5 });
    expect(limits).toEqual({ ...DEFAULT_ENGINE_LIMITS, timeoutMs: 5 });
    expect(Object.isFrozen(limits)).toBe(true);
  });

  it('reject unknown keys and values that are not positive integers', () => {
    expect(thrownBy(() => resolveEngineLimits({ timeout: 5 } as never))).toMatchObject({
      code: 'INVALID_OPTIONS',
      details: { option: 'limits.timeout' },
    });
    for (const value of [0, -1, 1.5, Number.NaN, '5']) {
      expect(thrownBy(() => resolveEngineLimits({ maxStdoutBytes: value as number }))).toMatchObject({ code: 'INVALID_OPTIONS' });
    }
  });
});
