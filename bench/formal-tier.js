/**
 * The formal-tier case (suites/formal-tier.json): per-call latency of the
 * formal tier end to end, beside rdf-validate-shacl and shacl-engine validating
 * the same generated shapes against the same data graph, and the cost of the
 * formal tier for an action no formal policy covers. Loaded by run.js only when
 * a suite with `"kind": "formal"` is selected, so the other cases never load RDF.
 *
 * Async calls are timed one at a time (`await`), each between two clock reads,
 * so the figures are a latency distribution, not a throughput.
 */
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
import { micro, round2, timeContenders } from './interleaved-rounds.js';
import { fail } from './shared.js';

/** @typedef {import('../dist/index.js').Action} Action */
/** @typedef {import('../dist/index.js').PolicyDefinition} PolicyDefinition */
/** @typedef {{ name: string, expect: 'allow' | 'deny', triples?: number, action: Action, targets?: { p50MaxUs?: number } }} FormalAction */
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
 * @typedef {{ name: string, role: 'tierguard' | 'validator' | 'part' | 'with-formal' | 'auto-only', run: () => unknown, agrees: (result: any) => boolean }} Contender
 */
/** @typedef {{ name: string, kind: 'validators' | 'pays-nothing', bench: FormalAction, contenders: Contender[], results?: Record<string, number>, targets: Record<string, number | undefined> }} Timing */

// The RDF/JS environment shacl-engine builds its report with (it needs a
// dataset factory as well as a data factory); the same one rdf-validate-shacl uses.
const factory = new Environment([DataFactory, DatasetFactory]);
// Fast calls take about a microsecond; a cap keeps their sample arrays small.

export const HEADER = ['case', 'action', 'contender', 'p50 µs', 'p90 µs', 'p99 µs', '±p50', 'samples', 'tg p50 / this'];
export const NOTES = [
  '* validates a data graph built once before timing: the n3 Store actionToGraph returns for the action, typed with',
  '  the policy class. JSON to RDF conversion and mapping results to violations are NOT included. shacl-engine reads',
  '  that n3 Store directly (no conversion to another dataset type). Shapes: the quads generateShapes returns.',
  '† a part of the tierguard figure above it, for attribution; not a contender.',
];

/**
 * Builds every engine and validator once and checks, before anything is timed,
 * that tierguard, rdf-validate-shacl and shacl-engine all reach the expected
 * verdict on every action, and that the no-formal-match action gets the same
 * decision with and without the formal policy in the set.
 * @param {FormalSuite} suite
 * @returns {Promise<{ suite: FormalSuite, shapeQuads: number, timings: Timing[] }>}
 */
export async function prepareFormalCase(suite) {
  const formal = suite.policies.filter((policy) => policy.shape !== undefined);
  if (formal.length !== 1 || formal[0] === undefined)
    fail(`${suite.name}: expected exactly one policy with a "shape", found ${formal.length}`);
  const [policy] = formal;
  const shapes = generateShapes(policy.id, /** @type {NonNullable<PolicyDefinition['shape']>} */ (policy.shape));
  const classes = [policyClass(policy.id)];
  const engine = await createEngine({ policies: suite.policies });
  const rdfValidateShacl = new SHACLValidator(new Store(shapes));
  const shaclEngine = new ShaclEngine(new Store(shapes), { factory });

  /** @type {Timing[]} */
  const timings = [];
  for (const bench of suite.actions) {
    const label = `${suite.name}/${bench.name}`;
    const { store } = actionToGraph(bench.action, classes);
    if (bench.triples !== undefined && store.size !== bench.triples)
      fail(`${label}: the action converts to ${store.size} triples, the suite says ${bench.triples}`);
    const conforms = bench.expect === 'allow';
    const decision = await engine.evaluate(bench.action);
    const plain = await rdfValidateShacl.validate(store);
    const engineReport = await shaclEngine.validate({ dataset: store });
    const verdicts = [
      `tierguard: ${decision.verdict}${decision.errors.length > 0 ? ` (errors: ${decision.errors.map((error) => error.message).join('; ')})` : ''}`,
      `rdf-validate-shacl: conforms=${plain.conforms}`,
      `shacl-engine: conforms=${engineReport.conforms}`,
    ];
    if (
      decision.verdict !== bench.expect ||
      decision.errors.length > 0 ||
      plain.conforms !== conforms ||
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
      targets: { p50MaxUs: bench.targets?.p50MaxUs },
      contenders: [
        {
          name: 'tierguard evaluate (end to end)',
          role: 'tierguard',
          run: () => engine.evaluate(bench.action),
          agrees: (/** @type {import('../dist/index.js').Decision} */ found) => found.verdict === bench.expect && found.errors.length === 0,
        },
        {
          name: '  actionToGraph (JSON to RDF) †',
          role: 'part',
          run: () => actionToGraph(bench.action, classes),
          agrees: (/** @type {ReturnType<typeof actionToGraph>} */ graph) => graph.store.size === store.size,
        },
        {
          name: 'rdf-validate-shacl validate *',
          role: 'validator',
          run: () => rdfValidateShacl.validate(store),
          agrees: (/** @type {{ conforms: boolean }} */ report) => report.conforms === conforms,
        },
        {
          name: 'shacl-engine validate *',
          role: 'validator',
          run: () => shaclEngine.validate({ dataset: store }),
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
  for (const timing of timings) {
    const label = `${suite.name}/${timing.name}`;
    process.stderr.write(`timing ${label}: ${timing.contenders.map((contender) => contender.name.trim()).join(', ')}\n`);
    const figures = await timeContenders(timing, settings, label);
    const byRole = (/** @type {Contender['role']} */ role) => figures.find((figure) => figure.contender.role === role);
    /** @type {Record<string, number>} */
    const ratios = {};
    const tierguard = byRole('tierguard');
    for (const figure of figures) {
      const { contender } = figure;
      let ratio = '';
      if (tierguard !== undefined && contender.role === 'validator') {
        const name = contender.name.replace(/ validate.*$/, '');
        ratios[`tierguard/${name} (p50)`] = round2(tierguard.p50 / figure.p50);
        ratio = `${(tierguard.p50 / figure.p50).toFixed(2)}x`;
      }
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
      ]);
    }
    const max = timing.targets.p50MaxUs;
    if (tierguard !== undefined && max !== undefined) {
      targets.push({
        name: label,
        rule: `tierguard evaluate p50 <= ${max} µs`,
        value: round2(tierguard.p50),
        target: max,
        pass: tierguard.p50 <= max,
        shown: `${micro(tierguard.p50)} µs`,
      });
    }
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
          contender.name.replace(/[*†]/g, '').trim(),
          { p50: round2(p50), p90: round2(p90), p99: round2(p99), mean: round2(mean), samples, roundP50: roundP50.map(round2) },
        ]),
      ),
      // Sequential calls per second, from the mean latency: comparable with the other cases' figures.
      opsPerSec: Object.fromEntries(
        figures.map(({ contender, mean }) => [contender.name.replace(/[*†]/g, '').trim(), Math.round(1e6 / mean)]),
      ),
      ratios,
    });
  }
  const result = {
    name: suite.name,
    description: suite.description,
    kind: 'formal',
    policies: suite.policies.length,
    shapeQuads,
    measured:
      'per-call latency in µs, sequential await, pooled over all rounds. rdf-validate-shacl and shacl-engine validate a data graph built once before timing (JSON to RDF conversion and result mapping not included; shacl-engine reads the n3 Store directly, no conversion); tierguard evaluate includes everything.',
    actions,
  };
  return { rows, targets, result };
}
