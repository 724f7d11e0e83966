/**
 * Runs the benchmark suites in bench/suites against the built package (dist/),
 * json-logic-js and json-rules-engine, in one process, and prints ops/s and
 * ratios beside the targets. A suite with `"kind": "formal"` is run by
 * formal-tier.js instead (latency of the formal tier beside rdf-validate-shacl
 * and shacl-engine). Writes the figures to bench/results/latest.json.
 *
 * Usage: npm run bench [-- --rounds 5 --round-ms 1000 --warmup-ms 500 --case five-conditions --case formal-tier --out file.json]
 *
 * A missed target is printed as MISS and never fails the run: a benchmark is
 * not a test. What does fail the run is libraries disagreeing on a verdict,
 * since a comparison of different answers measures nothing.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import jsonLogic from 'json-logic-js';
import { Engine as RulesEngine } from 'json-rules-engine';
import { createEngine } from '../dist/index.js';
import { fail, machine, median, printTable } from './shared.js';

/** @typedef {'allow' | 'deny'} Verdict */
/** @typedef {{ tierguardOpsPerSec?: number, vsJsonLogic?: number, vsSinglePolicy?: number }} Targets */
/** @typedef {{ name: string, expect: Verdict, action: import('../dist/index.js').Action, targets?: Targets }} BenchAction */
/** @typedef {{ count: number, pad: number, template: import('../dist/index.js').PolicyDefinition }} Generator */
/**
 * @typedef {object} Suite
 * @property {string} name
 * @property {'formal'} [kind] a formal-tier suite, run by formal-tier.js (its own layout)
 * @property {string} description
 * @property {import('../dist/index.js').PolicyDefinition[] | { generate: Generator[] }} policies
 * @property {object | null} jsonLogic
 * @property {object | null} rulesEngine
 * @property {BenchAction[]} actions
 */
/**
 * One thing being timed: a name and a function giving the verdict for an action.
 * @typedef {{ name: string, async: boolean, decide: (action: BenchAction['action']) => Verdict | Promise<Verdict> }} Contender
 */

const HERE = dirname(fileURLToPath(import.meta.url));
// Calls between two clock reads: large enough that reading the clock costs
// well under 1% at millions of ops/s, small enough to stop close to the budget.
const BATCH = 256;

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'round-ms': { type: 'string', default: '1000' },
    'warmup-ms': { type: 'string', default: '500' },
    case: { type: 'string', multiple: true },
    out: { type: 'string', default: join(HERE, 'results', 'latest.json') },
  },
});
const settings = {
  rounds: Number(options.rounds),
  roundMs: Number(options['round-ms']),
  warmupMs: Number(options['warmup-ms']),
};

// Neither library has a regex operator; both get one on a RegExp compiled once per pattern.
/** @type {Map<string, RegExp>} */
const regexCache = new Map();
/** @param {unknown} value @param {string} pattern */
function matchesRegex(value, pattern) {
  let regex = regexCache.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(pattern);
    regexCache.set(pattern, regex);
  }
  return typeof value === 'string' && regex.test(value);
}
jsonLogic.add_operation('regex', matchesRegex);

// ---------------------------------------------------------------- suites

/** @returns {Suite[]} */
function loadSuites() {
  const folder = join(HERE, 'suites');
  const suites = readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    // By name without the extension, so that a case runs before its variants.
    .map((file) => file.slice(0, -'.json'.length))
    .sort()
    .map((name) => `${name}.json`)
    .map((file) => /** @type {Suite} */ (JSON.parse(readFileSync(join(folder, file), 'utf8'))));
  const wanted = options.case;
  return wanted === undefined ? suites : suites.filter((suite) => wanted.includes(suite.name));
}

/**
 * Expands `{ generate: [...] }` into policies: each template `count` times, with
 * `{n}` in every string replaced by the zero-padded index.
 * @param {Suite['policies']} policies
 * @returns {import('../dist/index.js').PolicyDefinition[]}
 */
function expandPolicies(policies) {
  if (Array.isArray(policies)) return policies;
  return policies.generate.flatMap(({ count, pad, template }) =>
    Array.from({ length: count }, (_, n) => {
      const label = String(n).padStart(pad, '0');
      return JSON.parse(JSON.stringify(template).replaceAll('{n}', label));
    }),
  );
}

// ---------------------------------------------------------------- contenders

/** @param {import('../dist/index.js').Engine} engine @returns {Contender['decide']} */
function tierguardDecide(engine) {
  return (action) => {
    const decision = engine.evaluateAuto(action);
    // An error makes the verdict come from onError, which would compare the wrong thing.
    if (decision.errors.length > 0) throw new Error(`tierguard could not evaluate: ${decision.errors[0]?.message}`);
    return decision.verdict === 'allow' ? 'allow' : 'deny';
  };
}

/** @param {object} rule @returns {Contender} */
function jsonLogicContender(rule) {
  return { name: 'json-logic-js', async: false, decide: (action) => (jsonLogic.apply(rule, action) === true ? 'allow' : 'deny') };
}

/** @param {object} conditions @returns {Contender} */
function rulesEngineContender(conditions) {
  const engine = new RulesEngine([], { allowUndefinedFacts: false });
  engine.addOperator('regex', matchesRegex);
  engine.addRule({ conditions, event: { type: 'allow' } });
  return {
    name: 'json-rules-engine',
    async: true,
    decide: async (action) => ((await engine.run(action)).events.length > 0 ? 'allow' : 'deny'),
  };
}

/**
 * The contenders for one action of a suite. A suite with generated policies
 * compares the whole set with the policies that apply to the action alone.
 * @param {Suite} suite
 * @param {import('../dist/index.js').PolicyDefinition[]} all the suite's policies, expanded
 * @param {import('../dist/index.js').Engine} engine built once from them
 * @param {BenchAction} bench
 * @returns {Promise<Contender[]>}
 */
async function contendersFor(suite, all, engine, bench) {
  if (!Array.isArray(suite.policies)) {
    await checkExactlyOneApplies(all, bench);
    const single = await createEngine({ policies: all.filter((policy) => policy.tools?.includes(bench.action.tool)) });
    return [
      { name: `tierguard, ${count(all.length)} policies`, async: false, decide: tierguardDecide(engine) },
      { name: 'tierguard, single policy', async: false, decide: tierguardDecide(single) },
    ];
  }
  /** @type {Contender[]} */
  const contenders = [{ name: 'tierguard', async: false, decide: tierguardDecide(engine) }];
  if (suite.jsonLogic !== null) contenders.push(jsonLogicContender(suite.jsonLogic));
  if (suite.rulesEngine !== null) contenders.push(rulesEngineContender(suite.rulesEngine));
  return contenders;
}

/**
 * Strips every policy down to its tools (a policy that asserts nothing is
 * violated whenever it applies) and checks that exactly one reports, so the
 * scaling case measures what it claims to.
 * @param {import('../dist/index.js').PolicyDefinition[]} policies
 * @param {BenchAction} bench
 */
async function checkExactlyOneApplies(policies, bench) {
  const probe = await createEngine({ policies: policies.map(({ id, tools }) => (tools === undefined ? { id } : { id, tools })) });
  const applying = probe.evaluateAuto(bench.action).violations.map((violation) => violation.policyId);
  if (applying.length !== 1) {
    fail(`${bench.action.tool}: expected exactly one applicable policy, found ${applying.length} (${applying.slice(0, 5).join(', ')})`);
  }
}

/** @param {Suite} suite @param {BenchAction} bench @param {Contender[]} contenders */
async function checkVerdicts(suite, bench, contenders) {
  const verdicts = await Promise.all(contenders.map(async (contender) => [contender.name, await contender.decide(bench.action)]));
  const wrong = verdicts.filter(([, verdict]) => verdict !== bench.expect);
  if (wrong.length > 0) {
    const found = verdicts.map(([name, verdict]) => `${name}: ${verdict}`).join(', ');
    fail(`${suite.name}/${bench.name}: expected "${bench.expect}" from every library, got ${found}`);
  }
}

// ---------------------------------------------------------------- timing

/**
 * Calls `decide` for `budgetMs` of wall-clock time and returns ops/s. The
 * verdict is checked on every call, which also keeps the result alive.
 * @param {Contender} contender @param {BenchAction} bench @param {number} budgetMs
 */
async function measure(contender, bench, budgetMs) {
  const { decide } = contender;
  const { action, expect } = bench;
  let calls = 0;
  let agreeing = 0;
  const start = performance.now();
  const deadline = start + budgetMs;
  let now = start;
  if (contender.async) {
    // Sequential awaits: one decision at a time, as a request handler would wait for it.
    while (now < deadline) {
      for (let i = 0; i < BATCH; i += 1) if ((await decide(action)) === expect) agreeing += 1;
      calls += BATCH;
      now = performance.now();
    }
  } else {
    while (now < deadline) {
      for (let i = 0; i < BATCH; i += 1) if (decide(action) === expect) agreeing += 1;
      calls += BATCH;
      now = performance.now();
    }
  }
  if (agreeing !== calls) fail(`${contender.name} changed its verdict while being timed`);
  return calls / ((now - start) / 1000);
}

/**
 * Warms every contender up, then runs the rounds interleaved (A B C, A B C, ...)
 * so that drift in the machine's speed falls on every contender alike.
 * @param {Contender[]} contenders @param {BenchAction} bench
 * @returns {Promise<Record<string, { opsPerSec: number, rounds: number[], spread: number }>>}
 */
async function timeAll(contenders, bench) {
  for (const contender of contenders) await measure(contender, bench, settings.warmupMs);
  /** @type {Record<string, number[]>} */
  const rounds = Object.fromEntries(contenders.map((contender) => [contender.name, []]));
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const contender of contenders) rounds[contender.name]?.push(await measure(contender, bench, settings.roundMs));
  }
  return Object.fromEntries(
    Object.entries(rounds).map(([name, figures]) => {
      const middle = median(figures);
      return [name, { opsPerSec: middle, rounds: figures, spread: (Math.max(...figures) - Math.min(...figures)) / 2 / middle }];
    }),
  );
}

// ---------------------------------------------------------------- report

const count = (value) => Math.round(value).toLocaleString('en-US');
const times = (value) => (value >= 100 ? `${value.toFixed(0)}x` : value >= 10 ? `${value.toFixed(1)}x` : `${value.toFixed(2)}x`);
const spread = (value) => `±${(value * 100).toFixed(0)}%`;

/**
 * @param {string} name @param {string} rule @param {number} value @param {number} target @param {(value: number) => string} format
 * @returns {{ name: string, rule: string, value: number, target: number, pass: boolean, shown: string }}
 */
function target(name, rule, value, target, format) {
  return { name, rule, value, target, pass: value >= target, shown: format(value) };
}

// ---------------------------------------------------------------- main

/**
 * Builds the table row, ratios and target checks for one timed action.
 * @param {Suite} suite @param {number} policyCount @param {BenchAction} bench @param {Contender[]} contenders
 * @param {Awaited<ReturnType<typeof timeAll>>} timed
 */
function summarise(suite, policyCount, bench, contenders, timed) {
  const ops = (/** @type {string} */ name) => timed[name]?.opsPerSec ?? NaN;
  const cell = (/** @type {string} */ name) => (timed[name] === undefined ? '-' : `${count(ops(name))} ${spread(timed[name].spread)}`);
  const label = `${suite.name}/${bench.name}`;
  /** @type {Record<string, number>} */
  const ratios = {};
  const targets = [];
  // Targets belong to the action they were set for: the allowed action is the
  // hot path the targets describe; a denied one also builds its violations.
  const goals = bench.targets ?? {};

  if (!Array.isArray(suite.policies)) {
    const [all = '', single = ''] = contenders.map((contender) => contender.name);
    const ratio = (ratios['all-policies/single-policy'] = ops(all) / ops(single));
    if (goals.vsSinglePolicy !== undefined) {
      const min = goals.vsSinglePolicy;
      targets.push(target(label, `${count(policyCount)} policies / single >= ${min}`, ratio, min, (value) => value.toFixed(2)));
    }
    return { kind: 'scaling', row: [suite.name, bench.name, cell(all), cell(single), ratio.toFixed(2)], ratios, targets };
  }

  if (timed['json-logic-js']) ratios['tierguard/json-logic-js'] = ops('tierguard') / ops('json-logic-js');
  if (timed['json-rules-engine']) ratios['tierguard/json-rules-engine'] = ops('tierguard') / ops('json-rules-engine');
  const ratio = (/** @type {string} */ key) => (ratios[key] === undefined ? '-' : times(ratios[key]));
  if (goals.tierguardOpsPerSec !== undefined) {
    const min = goals.tierguardOpsPerSec;
    targets.push(target(label, `tierguard >= ${count(min)} ops/s`, ops('tierguard'), min, count));
  }
  if (goals.vsJsonLogic !== undefined && ratios['tierguard/json-logic-js'] !== undefined) {
    const min = goals.vsJsonLogic;
    targets.push(target(label, `tierguard / json-logic-js >= ${min}x`, ratios['tierguard/json-logic-js'], min, times));
  }
  const row = [
    suite.name,
    bench.name,
    cell('tierguard'),
    cell('json-logic-js'),
    cell('json-rules-engine'),
    ratio('tierguard/json-logic-js'),
    ratio('tierguard/json-rules-engine'),
  ];
  return { kind: 'libraries', row, ratios, targets };
}

async function main() {
  // Every verdict is checked before anything is timed, so a disagreement fails in seconds.
  const prepared = [];
  /** @type {typeof import('./formal-tier.js') | undefined} */
  let formal;
  const formalPrepared = [];
  for (const suite of loadSuites()) {
    if (suite.kind === 'formal') {
      formal ??= await import('./formal-tier.js');
      formalPrepared.push(
        await formal.prepareFormalCase(/** @type {import('./formal-tier.js').FormalSuite} */ (/** @type {unknown} */ (suite))),
      );
      continue;
    }
    const policies = expandPolicies(suite.policies);
    const engine = await createEngine({ policies });
    const actions = [];
    for (const bench of suite.actions) {
      const contenders = await contendersFor(suite, policies, engine, bench);
      await checkVerdicts(suite, bench, contenders);
      actions.push({ bench, contenders });
    }
    prepared.push({ suite, policyCount: policies.length, actions });
  }

  /** @type {Record<string, string[][]>} */
  const rows = { libraries: [], scaling: [], formal: [] };
  const targets = [];
  const results = [];
  for (const { suite, policyCount, actions } of prepared) {
    const caseResult = { name: suite.name, description: suite.description, policies: policyCount, actions: [] };
    for (const { bench, contenders } of actions) {
      process.stderr.write(`timing ${suite.name}/${bench.name}: ${contenders.map((contender) => contender.name).join(', ')}\n`);
      const timed = await timeAll(contenders, bench);
      const summary = summarise(suite, policyCount, bench, contenders, timed);
      rows[summary.kind]?.push(summary.row);
      targets.push(...summary.targets);
      caseResult.actions.push({
        name: bench.name,
        expect: bench.expect,
        opsPerSec: Object.fromEntries(Object.entries(timed).map(([name, figure]) => [name, Math.round(figure.opsPerSec)])),
        rounds: Object.fromEntries(Object.entries(timed).map(([name, figure]) => [name, figure.rounds.map(Math.round)])),
        ratios: summary.ratios,
      });
    }
    results.push(caseResult);
  }
  for (const item of formalPrepared) {
    const timed = await /** @type {typeof import('./formal-tier.js')} */ (formal).timeFormalCase(item, settings);
    rows.formal?.push(...timed.rows);
    targets.push(...timed.targets);
    results.push(timed.result);
  }

  const about = machine();
  console.log(`\ntierguard benchmarks: node ${about.node}, ${about.cpu}, ${about.cores} cores`);
  console.log(`${settings.rounds} rounds of ${settings.roundMs} ms after ${settings.warmupMs} ms warm-up per contender\n`);
  if (rows.libraries?.length || rows.scaling?.length) console.log('throughput: median round, ops/s ± half the range of the rounds');
  if (rows.libraries?.length) {
    printTable(['case', 'action', 'tierguard', 'json-logic-js', 'json-rules-engine*', 'tg/jl', 'tg/jre'], rows.libraries);
    console.log('* json-rules-engine is async: timed as sequential `await engine.run(facts)`, one decision at a time.\n');
  }
  if (rows.scaling?.length) {
    printTable(['case', 'action', 'tierguard, all policies', 'tierguard, single policy', 'all/single'], rows.scaling);
    console.log('');
  }
  if (formal !== undefined && rows.formal?.length) {
    console.log(`formal tier: per-call latency over all rounds (sequential await); ±p50 is half the range of the rounds' p50s`);
    printTable(formal.HEADER, rows.formal, 3);
    for (const note of formal.NOTES) console.log(note);
    console.log('');
  }
  if (targets.length > 0) {
    printTable(
      ['case', 'target', 'measured', 'result'],
      targets.map((t) => [t.name, t.rule, t.shown, t.pass ? 'PASS' : 'MISS']),
    );
    console.log('(targets are reported, never enforced)');
  }

  const output = {
    ...about,
    settings: {
      ...settings,
      jsonRulesEngine: 'sequential await engine.run(facts)',
      ...(formal === undefined
        ? {}
        : { formalTier: 'per-call latency, sequential await, every sample between two performance.now() reads' }),
    },
    cases: results,
    targets: targets.map(({ name, rule, value, target: min, pass }) => ({ case: name, rule, value, target: min, pass })),
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nresults written to ${options.out}`);
}

await main();
// OPA's three modes beside the auto tier (bench/engines-opa.js): its own process, options and results file.
if (options.case === undefined || options.case.includes('engines-opa'))
  (await import('node:child_process')).spawnSync(process.execPath, [join(HERE, 'engines-opa.js')], { stdio: 'inherit' });
