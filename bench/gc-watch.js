/**
 * Garbage collections beside a latency measurement, so that a tail made by GC
 * pauses can be told from one made by code: a PerformanceObserver on 'gc'
 * entries, and what the collections did to a set of timed calls. Shared by
 * engines-opa.js and formal-tier.js.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Starts recording GC entries. `entries()` waits a tick (they arrive
 * asynchronously) and returns every one recorded so far; `clear()` forgets
 * them; `stop()` ends the recording.
 */
export function watchGc() {
  /** @type {PerformanceEntry[]} */
  let recorded = [];
  const observer = new PerformanceObserver((list) => recorded.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    async entries() {
      await delay(20);
      recorded.push(...observer.takeRecords());
      return recorded;
    },
    clear() {
      recorded.push(...observer.takeRecords());
      recorded = [];
    },
    stop() {
      observer.disconnect();
    },
  };
}

/**
 * The garbage collections that overlapped the windows in which calls were timed
 * (count, longest and total pause in ms), and how many of the `tail` calls (those
 * at or above p99) overlapped one. Times are performance.now() milliseconds.
 * @param {PerformanceEntry[]} gcs every GC entry recorded
 * @param {{ start: number, end: number }[]} windows when the calls ran
 * @param {{ start: number, ms: number }[]} tail the calls at or above p99
 */
export function gcFigures(gcs, windows, tail) {
  const overlaps = (/** @type {number} */ start, /** @type {number} */ end) => (/** @type {PerformanceEntry} */ gc) =>
    gc.startTime < end && gc.startTime + gc.duration > start;
  const during = gcs.filter((gc) => windows.some((window) => overlaps(window.start, window.end)(gc)));
  return {
    count: during.length,
    maxMs: during.reduce((max, gc) => Math.max(max, gc.duration), 0),
    totalMs: during.reduce((sum, gc) => sum + gc.duration, 0),
    tailCalls: tail.length,
    tailCallsDuringGc: tail.filter((call) => during.some(overlaps(call.start, call.start + call.ms))).length,
  };
}
