/**
 * Latency of contenders timed in interleaved rounds (A B C, A B C, ...), so a
 * drift in the machine's speed falls on every contender alike: what the
 * formal-tier case and the MCP guard benchmark share.
 */
import { performance } from 'node:perf_hooks';
import { fail, median } from './shared.js';

/** @typedef {{ name: string, run: () => unknown, agrees: (result: any) => boolean }} Contender */
/** @typedef {{ contenders: Contender[] }} Timing */
/** @typedef {{ rounds: number, roundMs: number, warmupMs: number }} RoundSettings */

/** A bound on one round, so a very fast contender cannot fill memory. */
const MAX_SAMPLES_PER_ROUND = 200_000;

/** @typedef {{ samples: number[], starts: number[], start: number, end: number }} Round */

/**
 * Calls `run` one at a time for `budgetMs` (or until the sample cap) and
 * returns each call's latency in microseconds and its start (performance.now()
 * ms, to line calls up with GC entries), and when the round began and ended; a
 * contender that changes its answer while timed ends the run.
 * @param {Contender} contender @param {number} budgetMs @param {string} label
 * @returns {Promise<Round>}
 */
async function sampleRound(contender, budgetMs, label) {
  const { run, agrees } = contender;
  /** @type {number[]} */
  const samples = [];
  /** @type {number[]} */
  const starts = [];
  let disagreeing = 0;
  const begin = performance.now();
  const deadline = begin + budgetMs;
  let end = begin;
  for (;;) {
    const start = performance.now();
    const result = await run();
    end = performance.now();
    samples.push((end - start) * 1000);
    starts.push(start);
    if (!agrees(result)) disagreeing += 1;
    if (end >= deadline || samples.length >= MAX_SAMPLES_PER_ROUND) break;
  }
  if (disagreeing > 0) fail(`${label}: ${contender.name.trim()} changed its answer ${disagreeing} times while being timed`);
  return { samples, starts, start: begin, end };
}

/** Nearest-rank percentile of sorted values. @param {Float64Array} sorted @param {number} p */
function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

/**
 * Warms every contender up, then samples them in interleaved rounds. Returns,
 * per contender, percentiles in µs pooled over all rounds, each round's p50,
 * the spread of those p50s as a fraction of the pooled p50, the windows its
 * rounds ran in and its calls at or above p99 (start in ms, latency in ms).
 * @template {Contender} C
 * @param {{ contenders: C[] }} timing @param {RoundSettings} settings @param {string} label
 */
export async function timeContenders(timing, settings, label) {
  for (const contender of timing.contenders) await sampleRound(contender, settings.warmupMs, label);
  const rounds = timing.contenders.map(() => /** @type {Round[]} */ ([]));
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const [index, contender] of timing.contenders.entries())
      rounds[index]?.push(await sampleRound(contender, settings.roundMs, label));
  }
  return timing.contenders.map((contender, index) => {
    const perRound = rounds[index] ?? [];
    const all = Float64Array.from(perRound.flatMap((round) => round.samples)).sort();
    const roundP50 = perRound.map((round) => median(round.samples));
    const p50 = percentile(all, 0.5);
    const p99 = percentile(all, 0.99);
    return {
      contender,
      p50,
      p90: percentile(all, 0.9),
      p99,
      mean: all.reduce((sum, value) => sum + value, 0) / all.length,
      samples: all.length,
      roundP50,
      spread: (Math.max(...roundP50) - Math.min(...roundP50)) / 2 / p50,
      windows: perRound.map(({ start, end }) => ({ start, end })),
      tail: perRound.flatMap(({ samples, starts }) =>
        samples.flatMap((us, call) => (us >= p99 ? [{ start: starts[call] ?? 0, ms: us / 1000 }] : [])),
      ),
    };
  });
}

/** Microseconds with as many decimals as they deserve. @param {number} value */
export const micro = (value) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));

/** Two decimals, for the results files. @param {number} value */
export const round2 = (value) => Math.round(value * 100) / 100;
