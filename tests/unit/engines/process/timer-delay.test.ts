import { describe, expect, it } from 'vitest';
import { MAX_TIMER_DELAY_MS, timerDelay } from '../../../../src/engines/process/timer-delay.js';

describe('timerDelay', () => {
  it('keeps a limit Node timers hold, and caps a longer one at their maximum', () => {
    expect(timerDelay(1)).toBe(1);
    expect(timerDelay(MAX_TIMER_DELAY_MS)).toBe(MAX_TIMER_DELAY_MS);
    expect(timerDelay(MAX_TIMER_DELAY_MS + 1)).toBe(MAX_TIMER_DELAY_MS);
    expect(timerDelay(Number.MAX_SAFE_INTEGER)).toBe(MAX_TIMER_DELAY_MS);
  });
});
