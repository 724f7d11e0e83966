import { UsageError } from './usage-error.js';

/** The longest interval Node's timers hold (about 24.8 days); watchPolicies with polling off is given it, as it never comes round. */
export const MAX_INTERVAL_MS = 2 ** 31 - 1;

const DEFAULT_RELOAD_SECONDS = 2;
// watchPolicies polls at least every 10 ms.
const MIN_RELOAD_SECONDS = 0.01;

/**
 * Reads `--reload-interval <seconds>` of `tierguard mcp` and `tierguard
 * gateway`: the polling interval in milliseconds (default 2 s), or `undefined`
 * for `0`, polling off. Anything else is a UsageError naming the range.
 */
export function parseReloadInterval(text: string | undefined): number | undefined {
  if (text === undefined) return DEFAULT_RELOAD_SECONDS * 1000;
  const seconds = Number(text);
  const valid =
    text.trim() !== '' &&
    Number.isFinite(seconds) &&
    (seconds === 0 || (seconds >= MIN_RELOAD_SECONDS && seconds * 1000 <= MAX_INTERVAL_MS));
  if (!valid) {
    throw new UsageError(
      `--reload-interval must be 0 (no polling) or a number of seconds from ${MIN_RELOAD_SECONDS} to ${Math.floor(MAX_INTERVAL_MS / 1000)}, not "${text}"`,
    );
  }
  return seconds === 0 ? undefined : Math.round(seconds * 1000);
}
