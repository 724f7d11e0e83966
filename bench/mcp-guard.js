/* global AbortController */
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
 * - `handler`: the guard's own work with no transport: the `tools/call` request
 *   handler of a low-level Server (as the gateway's) called directly, as the
 *   SDK calls it, unguarded and guarded by an engine provider (as the gateway's
 *   `() => watcher.engine`) with no policies and with the gateway bench's
 *   five-condition policy (gateway/auto.json), both engines with an audit sink
 *   as `tierguard gateway` always has one (it reads `wouldDeny`), and the
 *   five-condition engine without a sink. `engine.evaluate` alone (with the
 *   sink) is beside them for attribution. It reports what the guard adds over
 *   the unguarded handler, and what the policies add (five conditions minus no
 *   policies): the share of the gateway's figure that is the guard's.
 *
 * Every call is awaited one at a time between two clock reads; figures are
 * p50/p90/p99 in µs pooled over the rounds, and guarded/unguarded ratios of p50
 * and p99. Each timed call's answer is checked (text "ok", or a tierguard
 * refusal for the denied action), so a guard that stopped judging could not
 * look fast.
 *
 * Usage: npm run build && node bench/mcp-guard.js [--rounds 5 --round-ms 1000 --warmup-ms 500 --out bench/results/mcp-guard.json]
 *        [--case auto-tier --case handler ...] [--baseline <dist folder of another build>]
 *
 * `--case` times only the cases named. `--baseline` adds, to the `handler`
 * case, the same guarded contenders built from another build's `dist` (its
 * `createEngine` and `guardServer`), interleaved with this build's: a before
 * and after in one run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createEngine } from '../dist/index.js';
import { guardServer } from '../dist/mcp/guard-server.js';
import { micro, round2, timeContenders } from './interleaved-rounds.js';
import { fail, machine, printTable } from './shared.js';

/** @typedef {import('../dist/index.js').Action} Action */
/** @typedef {import('../dist/index.js').Engine} Engine */
/**
 * One thing being timed: `run` is awaited once per sample; `agrees` checks what it returned.
 * @typedef {{ name: string, role: 'unguarded' | 'guarded' | 'guarded-empty' | 'guarded-unaudited' | 'part', run: () => Promise<unknown>, agrees: (result: any) => boolean }} Contender
 */
/** @typedef {{ name: string, action: string, contenders: Contender[] }} Timing */

const HERE = dirname(fileURLToPath(import.meta.url));

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'round-ms': { type: 'string', default: '1000' },
    'warmup-ms': { type: 'string', default: '500' },
    out: { type: 'string', default: join(HERE, 'results', 'mcp-guard.json') },
    case: { type: 'string', multiple: true },
    baseline: { type: 'string' },
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

/**
 * The `tools/call` handler of a low-level Server that answers "ok", as the SDK
 * stores it (its parsing wrapper included), guarded by `engine` (through a
 * provider, as the gateway asks `() => watcher.engine`) when one is given, and a
 * function that calls it as the SDK's dispatch does: a new request id each time,
 * arguments parsed from JSON anew, and an `extra` with the signal and senders (one AbortSignal for all: the guard
 * never aborts, and a new one per call would time Node, not tierguard).
 * @param {Engine | undefined} engine @param {typeof guardServer | undefined} guard @param {Action} action
 * @returns {() => Promise<unknown>}
 */
function handlerFor(engine, guard, action) {
  const server = new Server({ name: 'bench', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(CallToolRequestSchema, () => ({ content: [{ type: 'text', text: 'ok' }] }));
  if (engine !== undefined && guard !== undefined) guard(server, () => engine);
  /** @type {(request: unknown, extra: unknown) => Promise<unknown>} */
  const handler = /** @type {any} */ (server)._requestHandlers.get('tools/call');
  const signal = new AbortController().signal;
  const send = async () => undefined;
  // Parsed anew for every call, as a transport parses each message: strings the guard has seen before
  // would hide costs (node-re2 keeps the UTF-8 form of the last string it searched).
  const text = JSON.stringify(action.arguments);
  let id = 0;
  return () => {
    id += 1;
    const request = { jsonrpc: '2.0', id, method: 'tools/call', params: { name: action.tool, arguments: JSON.parse(text) } };
    return handler(request, { signal, requestId: id, sendNotification: send, sendRequest: send });
  };
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

/** The gateway bench's call (bench/gateway.js): its tool and arguments. @type {Action} */
const TRANSFER = {
  tool: 'payments.transfer',
  arguments: {
    amount: 2500,
    currency: 'EUR',
    reference: 'INV-2024-0042',
    recipient: { iban: 'DE89370400440532013000', name: 'Ada Lovelace', country: 'DE' },
    tags: ['invoice', 'q3'],
  },
};

/**
 * The guarded contenders of the `handler` case for this build, and for the
 * build at `--baseline` when given (a `dist` folder of another checkout, for a
 * before and after in one run), with the count of would-deny findings their
 * audit sinks saw (there must be none: the call is allowed).
 */
async function handlerCase() {
  const policies = JSON.parse(readFileSync(join(HERE, 'gateway', 'auto.json'), 'utf8'));
  let wouldDeny = 0;
  /** @param {import('../dist/index.js').AuditEvent} event */
  const onDecision = (event) => {
    wouldDeny += event.wouldDeny.length;
  };
  // The action as the guard builds it for a call without auth, and the labels it passes, for the decision alone.
  const action = { ...TRANSFER, kind: 'tools/call', context: { auth: {}, requestId: 1 } };
  const labels = { labels: { method: 'tools/call', requestId: 1 } };
  /**
   * @param {{ createEngine: typeof createEngine, guardServer: typeof guardServer }} build @param {string} suffix
   * @returns {Promise<Contender[]>}
   */
  const contenders = async (build, suffix) => {
    const empty = await build.createEngine({ policies: [], onDecision });
    const audited = await build.createEngine({ policies, onDecision });
    const unaudited = await build.createEngine({ policies });
    const guard = build.guardServer;
    /** @type {(name: string) => Contender['role']} */
    const role = (name) => /** @type {any} */ (suffix === '' ? name : `${name}${suffix}`);
    return [
      { name: `guarded, no policies, audited${suffix}`, role: role('guarded-empty'), run: handlerFor(empty, guard, TRANSFER), agrees: ran },
      { name: `guarded, five conditions, audited${suffix}`, role: role('guarded'), run: handlerFor(audited, guard, TRANSFER), agrees: ran },
      {
        name: `guarded, five conditions, no audit${suffix}`,
        role: role('guarded-unaudited'),
        run: handlerFor(unaudited, guard, TRANSFER),
        agrees: ran,
      },
      {
        name: `  engine.evaluate alone, audited${suffix} †`,
        role: 'part',
        run: () => audited.evaluate(action, labels),
        agrees: (/** @type {import('../dist/index.js').Decision} */ decision) =>
          decision.verdict === 'allow' && decision.errors.length === 0,
      },
    ];
  };
  const current = await contenders({ createEngine, guardServer }, '');
  let baseline;
  if (options.baseline !== undefined) {
    const dist = resolve(options.baseline);
    const build = {
      createEngine: (await import(pathToFileURL(join(dist, 'index.js')).href)).createEngine,
      guardServer: (await import(pathToFileURL(join(dist, 'mcp', 'guard-server.js')).href)).guardServer,
    };
    baseline = await contenders(build, ' (baseline)');
  }
  return { current, baseline, wouldDeny: () => wouldDeny };
}

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
  const handler = await handlerCase();
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
  const all = [
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
    {
      name: 'handler',
      action: 'allowed',
      contenders: [
        { name: 'unguarded handler', role: 'unguarded', run: handlerFor(undefined, undefined, TRANSFER), agrees: ran },
        ...handler.current,
        ...(handler.baseline ?? []),
      ],
    },
  ];
  const timings = options.case === undefined ? all : all.filter((timing) => options.case?.includes(timing.name));
  if (timings.length === 0)
    fail(`no case named ${options.case?.join(', ')}: the cases are ${[...new Set(all.map((timing) => timing.name))].join(', ')}`);
  // Every answer is checked once before anything is timed, so a wrong setup fails in seconds.
  for (const timing of timings) {
    for (const contender of timing.contenders) {
      const result = await contender.run();
      if (!contender.agrees(result))
        fail(`${timing.name}/${timing.action}: ${contender.name.trim()} answered ${JSON.stringify(result).slice(0, 300)}`);
    }
  }
  if (handler.wouldDeny() !== 0) fail(`the gateway policy set reported would-deny findings on an allowed call`);
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
      const role = figure.contender.role;
      const guarded = role.startsWith('guarded') && baseline !== undefined;
      if (guarded) {
        // The main guarded contender keeps the plain keys; the others are named.
        const of = role === 'guarded' ? '' : ` (${figure.contender.name})`;
        ratios[`guarded/unguarded (p50)${of}`] = round2(figure.p50 / baseline.p50);
        ratios[`guarded/unguarded (p99)${of}`] = round2(figure.p99 / baseline.p99);
        ratios[`guard overhead µs (p50)${of}`] = round2(figure.p50 - baseline.p50);
      }
      // Five conditions minus no policies, of the same build.
      const build = /^guarded( \(baseline\))?$/.exec(role);
      const empty = build === null ? undefined : figures.find((other) => other.contender.role === `guarded-empty${build[1] ?? ''}`);
      if (build !== null && empty !== undefined) ratios[`policies add µs (p50)${build[1] ?? ''}`] = round2(figure.p50 - empty.p50);
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
  const handler = cases.find((entry) => entry.name === 'handler');
  for (const build of handler === undefined ? [] : options.baseline === undefined ? [''] : ['', ' (baseline)']) {
    const ratios = handler?.ratios ?? {};
    console.log(
      `handler${build}: the guard adds ${ratios[build === '' ? 'guard overhead µs (p50)' : `guard overhead µs (p50) (guarded, five conditions, audited${build})`]} µs ` +
        `at p50 with the five conditions and an audit sink ` +
        `(${ratios[`guard overhead µs (p50) (guarded, five conditions, no audit${build})`]} µs without the sink); ` +
        `the policies add ${ratios[`policies add µs (p50)${build}`]} µs over no policies.`,
    );
  }

  const output = {
    ...about,
    settings: {
      ...settings,
      measured:
        'per-call latency of client.callTool over InMemoryTransport (handler: of the tools/call request handler called directly), sequential await, every sample between two performance.now() reads',
      ...(options.baseline === undefined ? {} : { baseline: 'the (baseline) contenders ran another build, given with --baseline' }),
    },
    cases,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nresults written to ${options.out}`);
}

await main();
