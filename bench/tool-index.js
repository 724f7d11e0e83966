/**
 * How the tool index's lookup cost depends on how many distinct tool names it
 * is asked about (agents choose tool names): 1,000 exact-name policies and 50
 * glob policies, looked up over a rotation of 100 distinct names and of 10,000.
 * The names match no exact policy; half match a glob (every shape in turn), half
 * match nothing. The
 * ratio (10,000 / 100) is the figure to watch: near 1 means the cost does not
 * grow with the names seen. Writes results/tool-index.json.
 *
 * Usage: npm run build && node bench/tool-index.js [--rounds 5 --round-ms 1000 --warmup-ms 500 --index dist/glob/tool-index.js]
 * (`--index` times another build of the module, to compare before and after a change.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { micro, round2, timeContenders } from './interleaved-rounds.js';
import { fail, machine, printTable } from './shared.js';

const HERE = dirname(fileURLToPath(import.meta.url));
// Lookups per timed call: one lookup is well under a microsecond, far below what one clock read resolves.
const BATCH = 1_000;

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'round-ms': { type: 'string', default: '1000' },
    'warmup-ms': { type: 'string', default: '500' },
    index: { type: 'string', default: join(HERE, '..', 'dist', 'glob', 'tool-index.js') },
    out: { type: 'string', default: join(HERE, 'results', 'tool-index.json') },
  },
});
const settings = { rounds: Number(options.rounds), roundMs: Number(options['round-ms']), warmupMs: Number(options['warmup-ms']) };
const { ToolIndex } = await import(pathToFileURL(resolve(options.index)).href);
const { DEFAULT_LIMITS } = await import(pathToFileURL(join(HERE, '..', 'dist', 'limits.js')).href);

const pad = (/** @type {number} */ n, /** @type {number} */ width) => String(n).padStart(width, '0');
// The same namespaces as the thousand-policies suite: 1,000 exact tools and 50 globs over other namespaces.
const entries = [
  ...Array.from({ length: 1_000 }, (_, index) => ({ index, tools: [`tool.${pad(index, 4)}`] })),
  ...Array.from({ length: 50 }, (_, n) => {
    const ns = pad(n, 2);
    const tools = [[`ns${ns}.*`], [`ns${ns}/**`], [`svc-${ns}.{read,write}*`]][n % 3] ?? [];
    return { index: 1_000 + n, tools };
  }),
];
// An older build of the index takes no limits and ignores them.
const index = new ToolIndex(entries, DEFAULT_LIMITS);

/**
 * `count` distinct names, none exact: even ones match one glob (each of the 50 in
 * turn, so every shape: `ns00.*`, `ns01/**`, `svc-02.{read,write}*`), odd ones none.
 * @param {number} count
 */
function names(count) {
  return Array.from({ length: count }, (_, n) => {
    if (n % 2 === 1) return `free.call${n}`;
    const glob = (n / 2) % 50;
    const ns = pad(glob, 2);
    return [`ns${ns}.call${n}`, `ns${ns}/call/${n}`, `svc-${ns}.read${n}`][glob % 3] ?? '';
  });
}

/** A contender looking up the next BATCH names of a rotation; its answer is the number of entries found. @param {string[]} rotation */
function rotating(label, rotation) {
  let next = 0;
  const expected = rotation.reduce((sum, name) => sum + index.lookup(name).length, 0) * (BATCH / rotation.length);
  return {
    name: label,
    run: () => {
      let found = 0;
      for (let call = 0; call < BATCH; call += 1) {
        found += index.lookup(/** @type {string} */ (rotation[next]))?.length ?? 0;
        next = next + 1 === rotation.length ? 0 : next + 1;
      }
      return found;
    },
    // A batch starts where the last one ended, so only whole rotations sum exactly; the 100-name one always does.
    agrees: (/** @type {number} */ found) => rotation.length > BATCH || found === expected,
  };
}

const few = names(100);
const many = names(10_000);
if (!few.some((name) => index.lookup(name).length === 1) || few.some((name) => index.lookup(name).length > 1)) {
  fail('the names are meant to match one glob or nothing');
}
const [fewResult, manyResult] = await timeContenders(
  { contenders: [rotating('100 distinct names', few), rotating('10,000 distinct names', many)] },
  settings,
  'tool-index',
);
if (fewResult === undefined || manyResult === undefined) fail('a contender was not timed');
const perLookup = (/** @type {number} */ batchMicros) => batchMicros / BATCH;
// A lookup takes a fraction of a microsecond: two decimals would round it away.
const thousandths = (/** @type {number} */ value) => Math.round(value * 1_000) / 1_000;
const ratio = manyResult.p50 / fewResult.p50;
printTable(
  ['names', 'µs per lookup (p50)', 'p90', 'spread'],
  [fewResult, manyResult].map((result) => [
    result.contender.name,
    micro(perLookup(result.p50)),
    micro(perLookup(result.p90)),
    `${(result.spread * 100).toFixed(0)}%`,
  ]),
  1,
);
console.log(`\n10,000 / 100 distinct names: ${ratio.toFixed(2)}x`);

mkdirSync(dirname(options.out), { recursive: true });
writeFileSync(
  options.out,
  `${JSON.stringify(
    {
      ...machine(),
      settings,
      policies: { exact: 1_000, globs: 50 },
      results: Object.fromEntries(
        [fewResult, manyResult].map((result) => [
          result.contender.name,
          { usPerLookupP50: thousandths(perLookup(result.p50)), usPerLookupP90: thousandths(perLookup(result.p90)) },
        ]),
      ),
      ratio: round2(ratio),
    },
    null,
    2,
  )}\n`,
);
