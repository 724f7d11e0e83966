/**
 * What `tierguard gateway` adds to an MCP round trip. A real Client calls
 * `payments.transfer` on a real downstream server process
 * (bench/gateway/bench-server.mjs), directly over stdio and through the built
 * gateway CLI, in the same run and in interleaved rounds:
 *
 * - `direct stdio`: the client spawns the server itself, the baseline;
 * - `gateway stdio, no policies`: the hop alone (an empty bundle, `--allow-empty`);
 * - `gateway stdio, auto tier`: five conditions (bench/gateway/auto.json);
 * - `gateway stdio, auto + formal`: the same plus a 4-property shape (formal.json);
 * - `gateway HTTP, auto tier`: Streamable HTTP on loopback to the gateway, stdio behind it;
 * - the decision alone: `engine.evaluate` on the action the gateway builds, auto and auto + formal.
 *
 * Targets (issue 13), printed PASS or FAIL: the decision's p99 with a formal
 * policy in play under 2 ms; the latency the policies add at p50 (auto-tier
 * gateway minus the gateway with no policies) at most 10% of a direct stdio
 * round trip. The whole gateway (a second process and a second hop) is
 * reported beside it, as measured. Every timed answer is checked ("ok").
 *
 * Usage: npm run build && node bench/gateway.js [--rounds 20 --round-ms 300 --warmup-ms 500 --out bench/results/gateway.json]
 *        [--baseline <dist folder of another build>]
 *
 * The machine's load moves a round trip's latency by more than the policies
 * cost, so the rounds are interleaved, and many and short (20 of 300 ms by
 * default), so that a load that comes and goes falls on every contender alike.
 * The targets on added latency are then computed from the stdio round trips
 * timed once more, one call of each in turn (direct, no policies, auto tier,
 * ...) for as long as the rounds took: a difference of a few µs between two
 * contenders survives there, where a change of load between two rounds of
 * 300 ms would swamp it.
 * `--baseline` adds the stdio gateway with no policies and with the auto tier
 * run from another build's `dist/cli/bin.js`, interleaved with this build's:
 * a before and after in one run.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { createEngine } from '../dist/index.js';
import { micro, round2, timeContenders } from './interleaved-rounds.js';
import { fail, machine, printTable } from './shared.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', 'dist', 'cli', 'bin.js');
const SERVER = join(HERE, 'gateway', 'bench-server.mjs');
const DECISION_P99_TARGET_US = 2000;
const ADDED_P50_TARGET = 0.1;

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    'round-ms': { type: 'string', default: '300' },
    'warmup-ms': { type: 'string', default: '500' },
    out: { type: 'string', default: join(HERE, 'results', 'gateway.json') },
    baseline: { type: 'string' },
  },
});
const settings = { rounds: Number(options.rounds), roundMs: Number(options['round-ms']), warmupMs: Number(options['warmup-ms']) };

const ARGUMENTS = {
  amount: 2500,
  currency: 'EUR',
  reference: 'INV-2024-0042',
  recipient: { iban: 'DE89370400440532013000', name: 'Ada Lovelace', country: 'DE' },
  tags: ['invoice', 'q3'],
};
const TOOL = 'payments.transfer';

/** @param {any} result */
const ran = (result) => result?.isError !== true && result?.content?.[0]?.text === 'ok';

/** A policy folder holding the given files of bench/gateway. @param {string} root @param {string} name @param {string[]} files */
function policyFolder(root, name, files) {
  const folder = join(root, name);
  mkdirSync(folder);
  for (const file of files) copyFileSync(join(HERE, 'gateway', file), join(folder, file));
  return folder;
}

/** A client over stdio to `args` run by node. @param {string[]} args */
async function stdioClient(args) {
  const client = new Client({ name: 'bench-gateway', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args, stderr: 'ignore' }));
  return client;
}

/** The gateway over HTTP on a free loopback port, and a client to it. @param {string} policies */
async function httpClient(policies) {
  const child = spawn(process.execPath, [BIN, 'gateway', '--policies', policies, '--http', '--port', '0', '--', process.execPath, SERVER], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the HTTP gateway did not start: ${stderr}`)), 30_000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const found = /listening on (http:\/\/\S+)\n/.exec(stderr);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
  });
  const client = new Client({ name: 'bench-gateway-http', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(String(url))));
  return { client, stop: () => child.kill('SIGTERM') };
}

/** The stdio round trips whose differences the targets are about, timed again by {@link alternate}. */
const ALTERNATED = new Set(['direct', 'hop', 'auto', 'hop-baseline', 'auto-baseline']);

/**
 * Calls each contender once in turn, over and over, for `budgetMs`, each call
 * between two clock reads, and returns each one's percentiles in µs by role.
 * Every answer is checked.
 * @param {{ name: string, role: string, run: () => Promise<unknown>, agrees: (result: any) => boolean }[]} contenders
 * @param {number} budgetMs
 */
async function alternate(contenders, budgetMs) {
  const samples = contenders.map(() => /** @type {number[]} */ ([]));
  const deadline = performance.now() + budgetMs;
  while (performance.now() < deadline) {
    for (const [index, contender] of contenders.entries()) {
      const start = performance.now();
      const result = await contender.run();
      samples[index]?.push((performance.now() - start) * 1000);
      if (!contender.agrees(result)) fail(`${contender.name} changed its answer while alternating`);
    }
  }
  const at = (/** @type {Float64Array} */ sorted, /** @type {number} */ p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  return new Map(
    contenders.map((contender, index) => {
      const sorted = Float64Array.from(samples[index] ?? []).sort();
      return [contender.role, { p50: at(sorted, 0.5), p90: at(sorted, 0.9), p99: at(sorted, 0.99), samples: sorted.length }];
    }),
  );
}

/** @param {Client} client */
const callOn = (client) => () => client.callTool({ name: TOOL, arguments: ARGUMENTS });

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'tierguard-bench-gateway-'));
  const empty = policyFolder(root, 'empty', []);
  const auto = policyFolder(root, 'auto', ['auto.json']);
  const formal = policyFolder(root, 'formal', ['auto.json', 'formal.json']);
  const BASELINE_BIN = options.baseline === undefined ? undefined : join(resolve(options.baseline), 'cli', 'bin.js');
  const gatewayOf = (/** @type {string} */ bin, /** @type {string} */ policies, /** @type {string[]} */ ...extra) => [
    bin,
    'gateway',
    '--policies',
    policies,
    ...extra,
    '--',
    process.execPath,
    SERVER,
  ];
  const gateway = (/** @type {string} */ policies, /** @type {string[]} */ ...extra) => gatewayOf(BIN, policies, ...extra);

  const direct = await stdioClient([SERVER]);
  const hop = await stdioClient(gateway(empty, '--allow-empty'));
  const guarded = await stdioClient(gateway(auto));
  const guardedFormal = await stdioClient(gateway(formal));
  const overHttp = await httpClient(auto);
  const baseline =
    BASELINE_BIN === undefined
      ? undefined
      : {
          hop: await stdioClient(gatewayOf(BASELINE_BIN, empty, '--allow-empty')),
          guarded: await stdioClient(gatewayOf(BASELINE_BIN, auto)),
        };

  const read = (/** @type {string} */ file) => JSON.parse(readFileSync(join(HERE, 'gateway', file), 'utf8'));
  const autoEngine = await createEngine({ policies: read('auto.json') });
  const formalEngine = await createEngine({ policies: [...read('auto.json'), ...read('formal.json')] });
  // The action as the gateway builds it for a tools/call over stdio.
  const action = { tool: TOOL, kind: 'tools/call', arguments: ARGUMENTS, context: { auth: {} } };
  const decided = (/** @type {any} */ decision) => decision.verdict === 'allow' && decision.errors.length === 0;

  const contenders = [
    { name: 'direct stdio', role: 'direct', run: callOn(direct), agrees: ran },
    { name: 'gateway stdio, no policies', role: 'hop', run: callOn(hop), agrees: ran },
    { name: 'gateway stdio, auto tier', role: 'auto', run: callOn(guarded), agrees: ran },
    { name: 'gateway stdio, auto + formal', role: 'formal', run: callOn(guardedFormal), agrees: ran },
    { name: 'gateway HTTP, auto tier', role: 'http', run: callOn(overHttp.client), agrees: ran },
    ...(baseline === undefined
      ? []
      : [
          { name: 'gateway stdio, no policies (baseline)', role: 'hop-baseline', run: callOn(baseline.hop), agrees: ran },
          { name: 'gateway stdio, auto tier (baseline)', role: 'auto-baseline', run: callOn(baseline.guarded), agrees: ran },
        ]),
    { name: '  decision alone, auto tier', role: 'decision-auto', run: () => autoEngine.evaluate(action), agrees: decided },
    { name: '  decision alone, auto + formal', role: 'decision-formal', run: () => formalEngine.evaluate(action), agrees: decided },
  ];
  for (const contender of contenders) {
    const result = await contender.run();
    if (!contender.agrees(result)) fail(`${contender.name.trim()} answered ${JSON.stringify(result).slice(0, 300)}`);
  }
  const load = loadavg();
  const figures = await timeContenders({ contenders }, settings, 'gateway');
  const by = (/** @type {string} */ role) => figures.find((figure) => figure.contender.role === role) ?? fail(`no ${role} figure`);
  const directFigure = by('direct');
  const rows = figures.map((figure) => [
    figure.contender.name,
    micro(figure.p50),
    micro(figure.p90),
    micro(figure.p99),
    `±${(figure.spread * 100).toFixed(0)}%`,
    figure.samples.toLocaleString('en-US'),
    figure.contender.role.startsWith('decision') ? '' : `${(figure.p50 / directFigure.p50).toFixed(2)}x`,
  ]);

  // The differences the targets are about, from calls made in turn (direct, hop, auto, ...), so that
  // a change of load between rounds cannot fall on one contender and not the next.
  const paired = contenders.filter((contender) => ALTERNATED.has(contender.role));
  process.stderr.write(`alternating calls: ${paired.map((contender) => contender.name).join(', ')}\n`);
  const alternated = await alternate(paired, settings.rounds * settings.roundMs);
  const p50Of = (/** @type {string} */ role) => alternated.get(role)?.p50 ?? fail(`no alternated ${role} figure`);
  const directP50 = p50Of('direct');

  const decisionP99 = by('decision-formal').p99;
  const policiesAdd = p50Of('auto') - p50Of('hop');
  const gatewayAdds = p50Of('auto') - directP50;
  const targets = [
    {
      target: 'decision p99 with a formal policy < 2 ms',
      measured: `${micro(decisionP99)} µs`,
      pass: decisionP99 < DECISION_P99_TARGET_US,
    },
    {
      target: 'policies add ≤ 10% of a direct stdio round trip (p50)',
      measured: `${micro(policiesAdd)} µs = ${((policiesAdd / directP50) * 100).toFixed(1)}% of ${micro(directP50)} µs`,
      pass: policiesAdd <= ADDED_P50_TARGET * directP50,
    },
    {
      target: 'whole gateway (second process and hop) adds ≤ 10% (p50)',
      measured: `${micro(gatewayAdds)} µs = ${((gatewayAdds / directP50) * 100).toFixed(1)}%`,
      pass: gatewayAdds <= ADDED_P50_TARGET * directP50,
    },
  ];

  if (baseline !== undefined) {
    const before = p50Of('auto-baseline') - p50Of('hop-baseline');
    targets.push({
      target: 'baseline build: policies add ≤ 10% (p50)',
      measured: `${micro(before)} µs = ${((before / directP50) * 100).toFixed(1)}% of ${micro(directP50)} µs`,
      pass: before <= ADDED_P50_TARGET * directP50,
    });
  }

  const about = machine();
  console.log(
    `\ntierguard gateway: node ${about.node}, ${about.cpu}, ${about.cores} cores, load average ${load.map((value) => value.toFixed(2)).join(' ')}`,
  );
  console.log(
    `${settings.rounds} rounds of ${settings.roundMs} ms after ${settings.warmupMs} ms warm-up per contender; tools/call round trips, sequential await, µs\n`,
  );
  printTable(['contender', 'p50 µs', 'p90 µs', 'p99 µs', '±p50', 'samples', 'p50 / direct'], rows, 1);
  console.log('\nthe same calls made in turn, one of each after the other (the targets below are computed from these):\n');
  printTable(
    ['contender', 'p50 µs', 'p90 µs', 'p99 µs', 'samples'],
    paired.map((contender) => {
      const figure = alternated.get(contender.role);
      return [
        contender.name,
        micro(figure?.p50 ?? NaN),
        micro(figure?.p90 ?? NaN),
        micro(figure?.p99 ?? NaN),
        String(figure?.samples ?? 0),
      ];
    }),
    1,
  );
  console.log('');
  printTable(
    ['target', 'measured', 'result'],
    targets.map(({ target, measured, pass }) => [target, measured, pass ? 'PASS' : 'FAIL']),
    2,
  );

  direct.close();
  await Promise.allSettled([
    hop.close(),
    guarded.close(),
    guardedFormal.close(),
    overHttp.client.close(),
    ...(baseline === undefined ? [] : [baseline.hop.close(), baseline.guarded.close()]),
  ]);
  overHttp.stop();
  rmSync(root, { recursive: true, force: true });

  const output = {
    ...about,
    loadAverage: load.map(round2),
    settings: { ...settings, ...(options.baseline === undefined ? {} : { baseline: 'the (baseline) contenders ran another build' }) },
    latencyUs: Object.fromEntries(
      figures.map(({ contender, p50, p90, p99, samples }) => [
        contender.name.trim(),
        { p50: round2(p50), p90: round2(p90), p99: round2(p99), samples },
      ]),
    ),
    alternatedLatencyUs: Object.fromEntries(
      paired.map((contender) => {
        const { p50, p90, p99, samples } = alternated.get(contender.role) ?? { p50: NaN, p90: NaN, p99: NaN, samples: 0 };
        return [contender.name, { p50: round2(p50), p90: round2(p90), p99: round2(p99), samples }];
      }),
    ),
    targets: targets.map(({ target, measured, pass }) => ({ target, measured, pass })),
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nresults written to ${options.out}`);
}

await main();
