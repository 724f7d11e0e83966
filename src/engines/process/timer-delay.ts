/** The longest delay `setTimeout` keeps (about 24.8 days); Node turns a longer one into 1 ms. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * A time limit as a `setTimeout` delay: capped at {@link MAX_TIMER_DELAY_MS},
 * so a limit longer than Node's timers hold stays a long limit instead of firing
 * at once (which would turn every engine run into a timeout).
 */
export function timerDelay(limitMs: number): number {
  return Math.min(limitMs, MAX_TIMER_DELAY_MS);
}
