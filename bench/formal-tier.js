/**
 * The formal-tier case (suites/formal-tier.json): per-call latency of the
 * formal tier end to end, beside rdf-validate-shacl and shacl-engine validating
 * the same generated shapes against the same data graph, and the cost of the
 * formal tier for an action no formal policy covers. Loaded by run.js only when
 * a suite with `"kind": "formal"` is selected, so the other cases never load RDF.
 *
 * Async calls are timed one at a time (`await`), each between two clock reads,
 * so the figures are a latency distribution, not a throughput. The garbage
 * collections during each contender's rounds are recorded beside its figures.
 *
 * Run on its own, it times this case alone, and `--baseline <dist folder>` adds
 * the same tierguard contender built from another build (a before and after in
 * one run, interleaved):
 *
 *   npm run build && node bench/formal-tier.js [--rounds 5 --round-ms 1000 --warmup-ms 500 --baseline <dist> --out <file>]
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import DataFactory from '@rdfjs/data-model/Factory.js';
import DatasetFactory from '@rdfjs/dataset/Factory.js';
import Environment from '@rdfjs/environment';
import { Store } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { Validator as ShaclEngine } from 'shacl-engine';
import { createEngine } from '../dist/index.js';
import { actionToGraph } from '../dist/formal/action-to-rdf.js';
import { generateShapes } from '../dist/formal/generate-shapes.js';
import { policyClass } from '../dist/formal/vocabulary.js';
import { gcFigures, watchGc } from './gc-watch.js';
import { micro, round2, timeContenders } from './interleaved-rounds.js';
import { fail, machine, printTable } from './shared.js';

/** @typedef {import('../dist/index.js').Action} Action */
/** @typedef {import('../dist/index.js').PolicyDefinition} PolicyDefinition */
/**
 * Targets of one action: tierguard's p50 and p99 bounds, and the most its p50
 * may be as a multiple of rdf-validate-shacl's validation alone.
 * @typedef {{ p50MaxUs?: number, p99MaxUs?: number, vsRdfValidateShaclMax?: number }} FormalTargets
 */
/** @typedef {{ name: string, expect: 'allow' | 'deny', triples?: number, action: Action, targets?: FormalTargets }} FormalAction */
/**
 * @typedef {object} FormalSuite
 * @property {string} name
 * @property {'formal'} kind
 * @property {string} description
 * @property {PolicyDefinition[]} policies the formal policy (with a `shape`)
 * @property {FormalAction[]} actions timed against all three validators
 * @property {{ description: string, policies: PolicyDefinition[], action: FormalAction, targets?: { ratioMax?: number } }} noFormalMatch
 */
/**
 * One thing being timed: `run` is called and awaited once per sample; `agrees`
 * checks what it returned, so a contender cannot change its answer while timed.
 * `compared` names a validator in the ratio keys of the results.
 * @typedef {{ name: string, role: 'tierguard' | 'baseline' | 'validator' | 'part' | 'with-formal' | 'auto-only', compared?: string, run: () => unknown, agrees: (result: any) => boolean }} Contender
 */
/** @typedef {{ name: string, kind: 'validators' | 'pays-nothing', bench: FormalAction, contenders: Contender[], results?: Record<string, number>, targets: FormalTargets & { ratioMax?: number } }} Timing */

// The RDF/JS environment shacl-engine builds its report with (it needs a
// dataset factory as well as a data factory); the same one rdf-validate-shacl uses.
const factory = new Environment([DataFactory, DatasetFactory]);
// Fast calls take about a microsecond; a cap keeps their sample arrays small.

export const HEADER = [
  'case',
  'action',
  'contender',
  'p50 µs',
  'p90 µs',
  'p99 µs',
  '±p50',
  'samples',
  'tg p50 / this',
  'GCs / longest ms',
  'p99+ calls in a GC',
];
export const NOTES = [
  '* validates a data graph built once before timing: the dataset actionToGraph returns for the action (the very',
  '  graph tierguard validates), typed with the policy class, or ("n3 Store") the same quads in an n3 Store. JSON to',
  '  RDF conversion and mapping results to violations are NOT included. shacl-engine reads that dataset directly.',
  '  Shapes: the quads generateShapes returns.',
  '† a part of the tierguard figure above it, for attribution; not a contender.',
  '‡ the same tierguard contender from the --baseline build, interleaved with this one.',
];

/**
 * Builds every engine and validator once and checks, before anything is timed,
 * that tierguard, rdf-validate-shacl and shacl-engine all reach the expected
 * verdict on every action, and that the no-formal-match action gets the same
 * decision with and without the formal policy in the set. With `baseline` (a
 * `dist` folder of another build), that build's engine is timed beside this one's.
 * @param {FormalSuite} suite
 * @param {{ baseline?: string }} [options]
 * @returns {Promise<{ suite: FormalSuite, shapeQuads: number, timings: Timing[] }>}
 */
export async function prepareFormalCase(suite, options = {}) {
  const formal = suite.policies.filter((policy) => policy.shape !== undefined);
  if (formal.length !== 1 || formal[0] === undefined)
    fail(`${suite.name}: expected exactly one policy with a "shape", found ${formal.length}`);
  const [policy] = formal;
  const shapes = generateShapes(policy.id, /** @type {NonNullable<PolicyDefinition['shape']>} */ (policy.shape));
  const classes = [policyClass(policy.id)];
  const engine = await createEngine({ policies: suite.policies });
  const baselineEngine =
    options.baseline === undefined
      ? undefined
      : await /** @type {{ createEngine: typeof createEngine }} */ (
          await import(pathToFileURL(join(resolve(options.baseline), 'index.js')).href)
        ).createEngine({ policies: suite.policies });
  const rdfValidateShacl = new SHACLValidator(new Store(shapes));
  const shaclEngine = new ShaclEngine(new Store(shapes), { factory });

  /** @type {Timing[]} */
  const timings = [];
  for (const bench of suite.actions) {
    const decides = (/** @type {import('../dist/index.js').Decision} */ found) =>
      found.verdict === bench.expect && found.errors.length === 0;
    const label = `${suite.name}/${bench.name}`;
    const { dataset } = actionToGraph(bench.action, classes);
    if (bench.triples !== undefined && dataset.size !== bench.triples)
      fail(`${label}: the action converts to ${dataset.size} triples, the suite says ${bench.triples}`);
    const store = new Store([...dataset]);
    const conforms = bench.expect === 'allow';
    const decision = await engine.evaluate(bench.action);
    const baselineDecision = await baselineEngine?.evaluate(bench.action);
    const plain = await rdfValidateShacl.validate(dataset);
    const plainOnStore = await rdfValidateShacl.validate(store);
    const engineReport = await shaclEngine.validate({ dataset });
    const shown = (/** @type {import('../dist/index.js').Decision} */ found) =>
      `${found.verdict}${found.errors.length > 0 ? ` (errors: ${found.errors.map((error) => error.message).join('; ')})` : ''}`;
    const verdicts = [
      `tierguard: ${shown(decision)}`,
      ...(baselineDecision === undefined ? [] : [`tierguard (baseline): ${shown(baselineDecision)}`]),
      `rdf-validate-shacl: conforms=${plain.conforms}`,
      `rdf-validate-shacl on an n3 Store: conforms=${plainOnStore.conforms}`,
      `shacl-engine: conforms=${engineReport.conforms}`,
    ];
    if (
      decision.verdict !== bench.expect ||
      decision.errors.length > 0 ||
      (baselineDecision !== undefined && (baselineDecision.verdict !== bench.expect || baselineDecision.errors.length > 0)) ||
      plain.conforms !== conforms ||
      plainOnStore.conforms !== conforms ||
      engineReport.conforms !== conforms
    ) {
      fail(`${label}: expected "${bench.expect}" (conforms=${conforms}) from every validator, got ${verdicts.join(', ')}`);
    }
    timings.push({
      name: bench.name,
      kind: 'validators',
      bench,
      results: {
        tierguard: decision.violations.length,
        'rdf-validate-shacl': plain.results.length,
        'shacl-engine': engineReport.results.length,
      },
      targets: { ...bench.targets },
      contenders: [
        {
          name: 'tierguard evaluate (end to end)',
          role: 'tierguard',
          run: () => engine.evaluate(bench.action),
          agrees: decides,
        },
        ...(baselineEngine === undefined
          ? []
          : [
              /** @type {Contender} */ ({
                name: 'tierguard evaluate, baseline build ‡',
                role: 'baseline',
                run: () => baselineEngine.evaluate(bench.action),
                agrees: decides,
              }),
            ]),
        {
          name: '  actionToGraph (JSON to RDF) †',
          role: 'part',
          run: () => actionToGraph(bench.action, classes),
          agrees: (/** @type {ReturnType<typeof actionToGraph>} */ graph) => graph.dataset.size === dataset.size,
        },
        {
          name: 'rdf-validate-shacl validate *',
          role: 'validator',
          compared: 'rdf-validate-shacl',
          run: () => rdfValidateShacl.validate(dataset),
          agrees: (/** @type {{ conforms: boolean }} */ report) => report.conforms === conforms,
        },
        {
          name: 'rdf-validate-shacl validate, n3 Store *',
          role: 'validator',
          compared: 'rdf-validate-shacl on an n3 Store',
          run: () => rdfValidateShacl.validate(store),
          agrees: (/** @type {{ conforms: boolean }} */ report) => report.conforms === conforms,
        },
        {
          name: 'shacl-engine validate *',
          role: 'validator',
          compared: 'shacl-engine',
          run: () => shaclEngine.validate({ dataset }),
          agrees: (/** @type {{ conforms: boolean }} */ report) => report.conforms === conforms,
        },
      ],
    });
  }

  const { noFormalMatch } = suite;
  const bench = noFormalMatch.action;
  const withFormal = await createEngine({ policies: [...suite.policies, ...noFormalMatch.policies] });
  const autoOnly = await createEngine({ policies: noFormalMatch.policies });
  const [found, expected] = [await withFormal.evaluate(bench.action), await autoOnly.evaluate(bench.action)];
  const comparable = (/** @type {import('../dist/index.js').Decision} */ decision) =>
    JSON.stringify({ verdict: decision.verdict, violations: decision.violations, errors: decision.errors });
  if (found.verdict !== bench.expect || found.errors.length > 0 || comparable(found) !== comparable(expected)) {
    fail(
      `${suite.name}/${bench.name}: expected "${bench.expect}" with and without the formal policy, got ${comparable(found)} and ${comparable(expected)}`,
    );
  }
  const agrees = (/** @type {import('../dist/index.js').Decision} */ decision) =>
    decision.verdict === bench.expect && decision.errors.length === 0;
  timings.push({
    name: bench.name,
    kind: 'pays-nothing',
    bench,
    targets: { ratioMax: noFormalMatch.targets?.ratioMax },
    contenders: [
      { name: 'tierguard evaluate, formal policy in set', role: 'with-formal', run: () => withFormal.evaluate(bench.action), agrees },
      { name: 'tierguard evaluate, auto policy only', role: 'auto-only', run: () => autoOnly.evaluate(bench.action), agrees },
    ],
  });
  return { suite, shapeQuads: shapes.length, timings };
}

/**
 * Times every action of the prepared case and returns table rows, target
 * checks (same shape as run.js's) and the case's entry for results/latest.json.
 * @param {Awaited<ReturnType<typeof prepareFormalCase>>} prepared
 * @param {{ rounds: number, roundMs: number, warmupMs: number }} settings
 */
export async function timeFormalCase(prepared, settings) {
  const { suite, shapeQuads, timings } = prepared;
  /** @type {string[][]} */
  const rows = [];
  const targets = [];
  const actions = [];
  const loadBefore = os.loadavg()[0] ?? NaN;
  const gc = watchGc();
  try {
    for (const timing of timings) {
      const label = `${suite.name}/${timing.name}`;
      process.stderr.write(`timing ${label}: ${timing.contenders.map((contender) => contender.name.trim()).join(', ')}\n`);
      gc.clear();
      const figures = await timeContenders(timing, settings, label);
      const gcs = await gc.entries();
      const collected = figures.map((figure) => gcFigures(gcs, figure.windows, figure.tail));
      const byRole = (/** @type {Contender['role']} */ role) => figures.find((figure) => figure.contender.role === role);
      /** @type {Record<string, number>} */
      const ratios = {};
      const tierguard = byRole('tierguard');
      for (const [index, figure] of figures.entries()) {
        const { contender } = figure;
        let ratio = '';
        if (tierguard !== undefined && contender.role === 'validator') {
          ratios[`tierguard/${contender.compared ?? contender.name} (p50)`] = round2(tierguard.p50 / figure.p50);
          ratio = `${(tierguard.p50 / figure.p50).toFixed(2)}x`;
        }
        if (tierguard !== undefined && contender.role === 'baseline') {
          ratios['tierguard/baseline build (p50)'] = round2(tierguard.p50 / figure.p50);
          ratios['tierguard/baseline build (p99)'] = round2(tierguard.p99 / figure.p99);
          ratio = `${(tierguard.p50 / figure.p50).toFixed(2)}x`;
        }
        const gcs = collected[index];
        rows.push([
          suite.name,
          timing.name,
          contender.name,
          micro(figure.p50),
          micro(figure.p90),
          micro(figure.p99),
          `±${(figure.spread * 100).toFixed(0)}%`,
          figure.samples.toLocaleString('en-US'),
          ratio,
          gcs === undefined ? '' : `${gcs.count} / ${gcs.maxMs.toFixed(2)}`,
          gcs === undefined ? '' : `${gcs.tailCallsDuringGc} of ${gcs.tailCalls}`,
        ]);
      }
      if (tierguard !== undefined)
        targets.push(
          ...actionTargets(
            label,
            timing.targets,
            tierguard,
            figures.find((figure) => figure.contender.compared === 'rdf-validate-shacl'),
          ),
        );
      const withFormal = byRole('with-formal');
      const autoOnly = byRole('auto-only');
      if (withFormal !== undefined && autoOnly !== undefined) {
        const ratio = withFormal.p50 / autoOnly.p50;
        ratios['no-formal-match/auto-only (p50)'] = round2(ratio);
        const limit = timing.targets.ratioMax;
        if (limit !== undefined) {
          targets.push({
            name: label,
            rule: `no-formal-match / auto-only p50 <= ${limit}`,
            value: round2(ratio),
            target: limit,
            pass: ratio <= limit,
            shown: ratio.toFixed(2),
          });
        }
      }
      actions.push({
        name: timing.name,
        expect: timing.bench.expect,
        ...(timing.bench.triples === undefined ? {} : { triples: timing.bench.triples }),
        ...(timing.results === undefined ? {} : { validationResults: timing.results }),
        latencyUs: Object.fromEntries(
          figures.map(({ contender, p50, p90, p99, mean, samples, roundP50 }) => [
            contender.name.replace(/[*†‡]/g, '').trim(),
            { p50: round2(p50), p90: round2(p90), p99: round2(p99), mean: round2(mean), samples, roundP50: roundP50.map(round2) },
          ]),
        ),
        // Sequential calls per second, from the mean latency: comparable with the other cases' figures.
        opsPerSec: Object.fromEntries(
          figures.map(({ contender, mean }) => [contender.name.replace(/[*†‡]/g, '').trim(), Math.round(1e6 / mean)]),
        ),
        // Collections during each contender's rounds, and its calls at or above p99 that overlapped one.
        gc: Object.fromEntries(
          figures.map(({ contender }, index) => {
            const { count, maxMs, totalMs, tailCalls, tailCallsDuringGc } = /** @type {ReturnType<typeof gcFigures>} */ (collected[index]);
            return [
              contender.name.replace(/[*†‡]/g, '').trim(),
              { count, longestMs: round2(maxMs), totalMs: round2(totalMs), tailCalls, tailCallsDuringGc },
            ];
          }),
        ),
        ratios,
      });
    }
  } finally {
    gc.stop();
  }
  const result = {
    name: suite.name,
    description: suite.description,
    kind: 'formal',
    policies: suite.policies.length,
    shapeQuads,
    loadAverage1m: { before: round2(loadBefore), after: round2(os.loadavg()[0] ?? NaN) },
    measured:
      "per-call latency in µs, sequential await, pooled over all rounds. rdf-validate-shacl and shacl-engine validate a data graph built once before timing (the dataset tierguard validates, or the same quads in an n3 Store; JSON to RDF conversion and result mapping not included); tierguard evaluate includes everything. gc: collections that overlapped the contender's rounds.",
    actions,
  };
  return { rows, targets, result };
}

/**
 * The targets of one action: tierguard's p50 and p99 bounds, and its p50 against
 * rdf-validate-shacl's validation of the very graph tierguard validates.
 * @param {string} label @param {FormalTargets} goals
 * @param {{ p50: number, p99: number }} tierguard @param {{ p50: number } | undefined} validator rdf-validate-shacl on that graph
 */
function actionTargets(label, goals, tierguard, validator) {
  const found = [];
  if (goals.p50MaxUs !== undefined) {
    const max = goals.p50MaxUs;
    found.push({
      name: label,
      rule: `tierguard evaluate p50 <= ${max} µs`,
      value: round2(tierguard.p50),
      target: max,
      pass: tierguard.p50 <= max,
      shown: `${micro(tierguard.p50)} µs`,
    });
  }
  if (goals.p99MaxUs !== undefined) {
    const max = goals.p99MaxUs;
    found.push({
      name: label,
      rule: `tierguard evaluate p99 < ${max} µs`,
      value: round2(tierguard.p99),
      target: max,
      pass: tierguard.p99 < max,
      shown: `${micro(tierguard.p99)} µs`,
    });
  }
  if (goals.vsRdfValidateShaclMax !== undefined && validator !== undefined) {
    const max = goals.vsRdfValidateShaclMax;
    const ratio = tierguard.p50 / validator.p50;
    found.push({
      name: label,
      rule: `tierguard p50 / rdf-validate-shacl validate p50 <= ${max}`,
      value: round2(ratio),
      target: max,
      pass: ratio <= max,
      shown: `${ratio.toFixed(2)}x`,
    });
  }
  return found;
}

/** Run on its own: this case alone, optionally beside a baseline build; prints the table and the targets. */
async function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const { values: options } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      'round-ms': { type: 'string', default: '1000' },
      'warmup-ms': { type: 'string', default: '500' },
      baseline: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const settings = { rounds: Number(options.rounds), roundMs: Number(options['round-ms']), warmupMs: Number(options['warmup-ms']) };
  const suite = /** @type {FormalSuite} */ (JSON.parse(readFileSync(join(here, 'suites', 'formal-tier.json'), 'utf8')));
  const prepared = await prepareFormalCase(suite, options.baseline === undefined ? {} : { baseline: options.baseline });
  const { rows, targets, result } = await timeFormalCase(prepared, settings);
  const about = machine();
  console.log(`\ntierguard formal tier: node ${about.node}, ${about.cpu}, ${about.cores} cores`);
  console.log(`${settings.rounds} rounds of ${settings.roundMs} ms after ${settings.warmupMs} ms warm-up per contender`);
  console.log(`load average (1 min) ${result.loadAverage1m.before} before, ${result.loadAverage1m.after} after\n`);
  printTable(HEADER, rows, 3);
  for (const note of NOTES) console.log(note);
  console.log('');
  printTable(
    ['case', 'target', 'measured', 'result'],
    targets.map((t) => [t.name, t.rule, t.shown, t.pass ? 'PASS' : 'MISS']),
  );
  console.log('(targets are reported, never enforced)');
  if (options.out !== undefined) {
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify({ ...about, settings, cases: [result], targets }, null, 2)}\n`);
    console.log(`\nresults written to ${options.out}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
