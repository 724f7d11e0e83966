/**
 * What guardServer costs an MCP tools/call: round trips of a real Client to a
 * real McpServer over InMemoryTransport, with and without the guard, in the same
 * run and interleaved, so the ratio carries over between machines. Two cases,
 * read from the suites run.js uses:
 *
 * - `auto-tier`: the five-conditions policy (suites/five-conditions.json), on
 *   its allowed action (the tool runs) and its denied one (the guard answers
 *   with a tool error result; the tool never runs).
 * - `formal-tier`: the 5-property shape policy (suites/formal-tier.json) on its
 *   allowed action, with `engine.evaluate` alone beside it for attribution.
 *
 * Every call is awaited one at a time between two clock reads; figures are
 * p50/p90/p99 in µs pooled over the rounds, and guarded/unguarded ratios of p50
 * and p99. Each timed call's answer is checked (text "ok", or a tierguard
 * refusal for the denied action), so a guard that stopped judging could not
 * look fast.
 *
 * Usage: npm run build && node bench/mcp-guard.js [--rounds 5 --round-ms 1000 --warmup-ms 500 --out bench/results/mcp-guard.json]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createEngine } from '../dist/index.js';
import { guardServer } from '../dist/mcp/guard-server.js';
import { micro, round2, timeContenders } from './interleaved-rounds.js';
import { fail, machine, printTable } from './shared.js';

/** @typedef {import('../dist/index.js').Action} Action */
/** @typedef {import('../dist/index.js').Engine} Engine */
/**
 * One thing being timed: `run` is awaited once per sample; `agrees` checks what it returned.
 * @typedef {{ name: string, role: 'unguarded' | 'guarded' | 'part', run: () => Promise<unknown>, agrees: (result: any) => boolean }} Contender
 */
/** @typedef {{ name: string, action: string, contenders: Contender[] }} Timing */

const HERE = dirname(fileURLToPath(import.meta.url));

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'round-ms': { type: 'string', default: '1000' },
    'warmup-ms': { type: 'string', default: '500' },
    out: { type: 'string', default: join(HERE, 'results', 'mcp-guard.json') },
  },
});
const settings = { rounds: Number(options.rounds), roundMs: Number(options['round-ms']), warmupMs: Number(options['warmup-ms']) };

/** @param {string} name */
const suite = (name) => JSON.parse(readFileSync(join(HERE, 'suites', `${name}.json`), 'utf8'));

// ---------------------------------------------------------------- servers

/**
 * A client connected to a fresh McpServer with one tool that answers "ok",
 * guarded by `engine` when one is given. The caller's context (the suite
 * action's `context`) comes from the guard's `context` hook, as a server's own
 * auth would provide it.
 * @param {string} tool @param {Engine | undefined} engine @param {Record<string, unknown>} context
 */
async function clientFor(tool, engine, context) {
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  if (engine !== undefined) guardServer(server, engine, { context: () => context });
  server.registerTool(tool, {}, () => ({ content: [{ type: 'text', text: 'ok' }] }));
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'bench-client', version: '1.0.0' });
  await Promise.all([client.connect(clientTransport), server.connect(serverTransport)]);
  return client;
}

/** @param {any} result */
const ran = (result) => result?.isError !== true && result?.content?.[0]?.text === 'ok';
/** @param {any} result */
const refused = (result) => result?.isError === true && result?._meta?.['tierguard/decision']?.reason === 'denied';

/**
 * @param {Client} client @param {Action} action
 * @returns {() => Promise<unknown>}
 */
const call = (client, action) => () => client.callTool({ name: action.tool, arguments: action.arguments ?? {} });

// ---------------------------------------------------------------- cases

/** @returns {Promise<Timing[]>} */
async function prepare() {
  const five = suite('five-conditions');
  const formal = suite('formal-tier');
  /** @type {Action} */
  const allowed = five.actions.find((/** @type {any} */ bench) => bench.name === 'allowed').action;
  /** @type {Action} */
  const denied = five.actions.find((/** @type {any} */ bench) => bench.name === 'denied').action;
  /** @type {Action} */
  const shaped = formal.actions.find((/** @type {any} */ bench) => bench.name === 'allowed').action;

  const autoEngine = await createEngine({ policies: five.policies });
  const formalEngine = await createEngine({ policies: formal.policies });
  const context = /** @type {Record<string, unknown>} */ (allowed.context ?? {});
  const formalContext = /** @type {Record<string, unknown>} */ (shaped.context ?? {});

  const plain = await clientFor(allowed.tool, undefined, context);
  const autoGuarded = await clientFor(allowed.tool, autoEngine, context);
  const formalPlain = await clientFor(shaped.tool, undefined, formalContext);
  const formalGuarded = await clientFor(shaped.tool, formalEngine, formalContext);
  // The action as the guard builds it, for timing the decision alone.
  const formalAction = { tool: shaped.tool, kind: 'tools/call', arguments: shaped.arguments, context: formalContext };

  /** @type {Timing[]} */
  const timings = [
    {
      name: 'auto-tier',
      action: 'allowed',
      contenders: [
        { name: 'unguarded callTool', role: 'unguarded', run: call(plain, allowed), agrees: ran },
        { name: 'guarded callTool', role: 'guarded', run: call(autoGuarded, allowed), agrees: ran },
      ],
    },
    {
      name: 'auto-tier',
      action: 'denied',
      contenders: [
        // Unguarded, the denied action simply runs: the baseline is the same round trip.
        { name: 'unguarded callTool (tool runs)', role: 'unguarded', run: call(plain, denied), agrees: ran },
        { name: 'guarded callTool (refused)', role: 'guarded', run: call(autoGuarded, denied), agrees: refused },
      ],
    },
    {
      name: 'formal-tier',
      action: 'allowed',
      contenders: [
        { name: 'unguarded callTool', role: 'unguarded', run: call(formalPlain, shaped), agrees: ran },
        { name: 'guarded callTool', role: 'guarded', run: call(formalGuarded, shaped), agrees: ran },
        {
          name: '  engine.evaluate alone †',
          role: 'part',
          run: () => formalEngine.evaluate(formalAction),
          agrees: (/** @type {import('../dist/index.js').Decision} */ decision) =>
            decision.verdict === 'allow' && decision.errors.length === 0,
        },
      ],
    },
  ];
  // Every answer is checked once before anything is timed, so a wrong setup fails in seconds.
  for (const timing of timings) {
    for (const contender of timing.contenders) {
      const result = await contender.run();
      if (!contender.agrees(result))
        fail(`${timing.name}/${timing.action}: ${contender.name.trim()} answered ${JSON.stringify(result).slice(0, 300)}`);
    }
  }
  return timings;
}

// ---------------------------------------------------------------- report

async function main() {
  const timings = await prepare();
  /** @type {string[][]} */
  const rows = [];
  const cases = [];
  for (const timing of timings) {
    process.stderr.write(
      `timing ${timing.name}/${timing.action}: ${timing.contenders.map((contender) => contender.name.trim()).join(', ')}\n`,
    );
    const figures = await timeContenders(timing, settings, `${timing.name}/${timing.action}`);
    const baseline = figures.find((figure) => figure.contender.role === 'unguarded');
    /** @type {Record<string, number>} */
    const ratios = {};
    for (const figure of figures) {
      const guarded = figure.contender.role === 'guarded' && baseline !== undefined;
      if (guarded) {
        ratios['guarded/unguarded (p50)'] = round2(figure.p50 / baseline.p50);
        ratios['guarded/unguarded (p99)'] = round2(figure.p99 / baseline.p99);
        ratios['guard overhead µs (p50)'] = round2(figure.p50 - baseline.p50);
      }
      rows.push([
        timing.name,
        timing.action,
        figure.contender.name,
        micro(figure.p50),
        micro(figure.p90),
        micro(figure.p99),
        `±${(figure.spread * 100).toFixed(0)}%`,
        figure.samples.toLocaleString('en-US'),
        guarded ? `${(figure.p50 / baseline.p50).toFixed(2)}x` : '',
        guarded ? `${(figure.p99 / baseline.p99).toFixed(2)}x` : '',
      ]);
    }
    cases.push({
      name: timing.name,
      action: timing.action,
      latencyUs: Object.fromEntries(
        figures.map(({ contender, p50, p90, p99, mean, samples, roundP50 }) => [
          contender.name.replace(/†/g, '').trim(),
          { p50: round2(p50), p90: round2(p90), p99: round2(p99), mean: round2(mean), samples, roundP50: roundP50.map(round2) },
        ]),
      ),
      ratios,
    });
  }

  const about = machine();
  console.log(`\ntierguard/mcp guardServer: node ${about.node}, ${about.cpu}, ${about.cores} cores`);
  console.log(`${settings.rounds} rounds of ${settings.roundMs} ms after ${settings.warmupMs} ms warm-up per contender`);
  console.log('tools/call round trips over InMemoryTransport (sequential await), latency in µs pooled over all rounds\n');
  printTable(
    ['case', 'action', 'contender', 'p50 µs', 'p90 µs', 'p99 µs', '±p50', 'samples', 'p50 / unguarded', 'p99 / unguarded'],
    rows,
    3,
  );
  console.log('† the decision alone (engine.evaluate on the action the guard builds), a part of the guarded figure above it.');

  const output = {
    ...about,
    settings: {
      ...settings,
      measured:
        'per-call latency of client.callTool over InMemoryTransport, sequential await, every sample between two performance.now() reads',
    },
    cases,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nresults written to ${options.out}`);
}

await main();
