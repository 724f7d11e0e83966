import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEngine, isTierguardError } from '../../src/index.js';
import type { Action, Decision, Engine, PolicyDefinition, PredicateDefinition, PropertyShapeDefinition } from '../../src/index.js';

/**
 * The auto tier and the formal tier, run on the same rule and the same actions
 * (STYLE.md point 8): every rule below is written once as an auto-tier policy
 * (`require` / `assert`) and once as a formal-tier policy (`shape`), each in an
 * engine of its own, and on generated actions `{ tool, arguments: { x } }` both
 * must give the same verdict, unless a known difference applies; then both
 * must give the verdicts that difference documents.
 *
 * How the pairs are made honest:
 * - Every rule requires the field on both sides (`require` / `minCount: 1`). An
 *   auto comparison over a missing field is false, while a SHACL value
 *   constraint over no value holds vacuously, so `gte 0` alone and
 *   `minInclusive 0` alone are different rules; "present and >= 0" is one rule
 *   in both tiers. (Pinned below as `missing-field`.)
 * - `regex` pairs with `datatype: "string"` plus `pattern`: the auto `regex` is
 *   false on anything but a string, while `sh:pattern` searches the lexical form
 *   of any literal. (Pinned below as `pattern-on-non-strings`.)
 * - "Is a number" has no operator in the auto tier; `gte -MAX_VALUE` and
 *   `lte MAX_VALUE` hold for exactly the finite numbers, which is what
 *   `datatype: "decimal"` accepts (json-literal.ts: every number is a decimal).
 * - "Is a string" is the auto `regex ""` (the empty search holds on every string
 *   and only on strings); "is a boolean" is `in [true, false]`.
 * - "Is an integer" cannot be written in the auto tier: no operator looks at
 *   the fractional part, `regex` never sees a number, and JSONPath filter
 *   expressions are rejected at compile time. `datatype: "integer"` is checked
 *   against an independent oracle instead (`Number.isInteger`, json-literal.ts's
 *   rule), and says so in its row.
 * - Not paired: string ordering (the auto tier orders strings by code unit;
 *   the shape schema allows numbers only as bounds), `glob` (no SHACL
 *   counterpart), `eq` on objects (no SHACL counterpart for structural equality).
 *
 * KNOWN_DIFFERENCES: where the tiers disagree by their documented semantics.
 * Each is an entry of the table below with the verdicts it predicts, checked on
 * every generated action it covers, and pinned by examples at the end.
 * - array-values: the formal tier turns an array into repeated values of its
 *   key (nested arrays flattened, nulls dropped: action-to-rdf.ts), so
 *   `x: 5` and `x: [5]` are the same graph and every value must satisfy the
 *   shape. The auto tier sees one array value: `in` holds when some element is
 *   in the list, `require` when the array is there, every ordering or regex is
 *   false (README, "Array field with ..."). For an array the formal verdict is
 *   "some value, and the rule allows each value alone"; the auto verdict is its
 *   array rule.
 * - (no longer a difference) NaN, Infinity and -Infinity: JSON text such as
 *   `1e400` parses to Infinity, and a JavaScript caller can pass all three. Both
 *   tiers see a value: the formal tier maps them to `xsd:double` INF, -INF and
 *   NaN (json-literal.ts) and orders them as the auto tier does
 *   (literal-order.ts): NaN satisfies no comparison, ±Infinity lie beyond every
 *   finite number. They are generated like any other value and must agree.
 * - missing-field (kept out of the pairs, see above): a shape constraint on an
 *   absent field holds, an auto comparison on it is false.
 * - pattern-on-non-strings (kept out of the pairs, see above): `sh:pattern`
 *   matches a number's or boolean's lexical form; the auto `regex` does not.
 */

const TOOL = 'svc.op';
const FIELD = 'arguments.x';
const REQUIRED = [FIELD] as const;
const RUNS_PER_PAIR = 500;

/** Stand-ins for a field that is not there: no key in `arguments`, or no `arguments` at all. */
const NO_KEY = Symbol('no key');
const NO_ARGUMENTS = Symbol('no arguments');

type Verdict = Decision['verdict'] | `error ${string}`;

/** What the reference (the auto tier, or an oracle) does with an array field. */
type ArrayRule = { readonly kind: 'deny' } | { readonly kind: 'allow' } | { readonly kind: 'some-in'; readonly list: readonly unknown[] };

interface RulePair {
  readonly name: string;
  /** The rule in the auto tier; absent when it cannot be written there (then `oracle` stands in). */
  readonly auto?: Pick<PolicyDefinition, 'require' | 'assert'>;
  /** Why the auto tier cannot express the rule, and the independent oracle used instead. */
  readonly oracle?: { readonly why: string; readonly allows: (value: unknown) => boolean };
  /** The rule as a property shape on `arguments.x`. */
  readonly shape: Omit<PropertyShapeDefinition, 'path'>;
  /** The reference's documented answer for an array field (see array-values). */
  readonly onArray: ArrayRule;
  /** Values at this rule's edges: its bounds and their neighbours, its list, strings that match. */
  readonly edges: fc.Arbitrary<unknown>;
}

// ---------------------------------------------------------------- numbers

/** The adjacent double towards +Infinity (`1`) or -Infinity (`-1`). */
function adjacent(value: number, direction: 1 | -1): number {
  if (value === 0) return direction * Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, value > 0 === direction > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/** Each bound, the doubles on either side of it, its neighbours, its negation and its numeric string. */
function aroundBounds(bounds: readonly number[]): fc.Arbitrary<unknown> {
  const values = bounds.flatMap((bound) => [bound, adjacent(bound, 1), adjacent(bound, -1), bound + 1, bound - 1, -bound, String(bound)]);
  return fc.oneof(fc.constantFrom(...values), fc.double({ min: Math.min(...bounds) - 2, max: Math.max(...bounds) + 2, noNaN: true }));
}

const EDGE_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  0.30000000000000004,
  100.5,
  99.99999999999999,
  1e21,
  -1e21,
  1e-7,
  -1e-7,
  5e-324,
  -5e-324,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MAX_SAFE_INTEGER,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 63),
  1e300,
];

const numbers: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...EDGE_NUMBERS),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

// ---------------------------------------------------------------- strings

const strings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '100',
    '0',
    '-0',
    '1e21',
    '1.5',
    ' 100',
    'NaN',
    'Infinity',
    'true',
    'null',
    'adm',
    'sysadmin',
    'ADMIN',
    'ab-12',
    'AbC-0',
    'ab-12\n',
    'a\nb',
    'a\u0000b',
    'ünïcödé',
    'Ωμέγα',
    '日本語',
    '😀',
    'e\u0301',
    '\uD800',
    '"',
    'a"@en',
    'a"^^<urn:x>',
    '\\u0061',
  ),
  numbers.map(String),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 8 }),
);

// ---------------------------------------------------------------- the rest of JSON, and beyond

const scalars: fc.Arbitrary<unknown> = fc.oneof(numbers, strings, fc.boolean(), fc.constant(null));

const objects: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom({}, { x: 5 }, { a: 'adm' }, { '': null }),
  fc.dictionary(fc.string({ maxLength: 3 }), scalars, { maxKeys: 2 }),
);

/** What JSON cannot hold but a JavaScript caller can pass. */
const nonJson: fc.Arbitrary<unknown> = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, undefined);

const absent: fc.Arbitrary<unknown> = fc.constantFrom(NO_KEY, NO_ARGUMENTS, null);

/** Arrays of anything above, nested arrays and nulls included; `[]` and `[null]` are arrays with no graph value. */
function arrays(element: fc.Arbitrary<unknown>): fc.Arbitrary<unknown[]> {
  return fc.oneof(
    fc.constantFrom<unknown[]>([], [null], [[]], [[5]], [1, [2, [3]]]),
    fc.array(fc.oneof({ weight: 4, arbitrary: element }, { weight: 1, arbitrary: fc.array(element, { maxLength: 2 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
  );
}

/** Field values for a pair: mostly its edges, then every other kind of value. */
function fieldValues(pair: RulePair): fc.Arbitrary<unknown> {
  const element = fc.oneof(pair.edges, scalars);
  return fc.oneof(
    { weight: 6, arbitrary: pair.edges },
    { weight: 3, arbitrary: numbers },
    { weight: 3, arbitrary: strings },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: objects },
    { weight: 1, arbitrary: nonJson },
    { weight: 1, arbitrary: absent },
    { weight: 3, arbitrary: arrays(element) },
  );
}

function actionWith(value: unknown): Action {
  if (value === NO_ARGUMENTS) return { tool: TOOL };
  if (value === NO_KEY) return { tool: TOOL, arguments: {} };
  return { tool: TOOL, arguments: { x: value } };
}

// ---------------------------------------------------------------- the pairs

function bounds(name: string, assert: PredicateDefinition, shape: Omit<PropertyShapeDefinition, 'path'>, at: readonly number[]): RulePair {
  return {
    name,
    auto: { require: REQUIRED, assert },
    shape: { minCount: 1, ...shape },
    onArray: { kind: 'deny' },
    edges: aroundBounds(at),
  };
}

function membership(name: string, list: readonly (string | number | boolean)[]): RulePair {
  const near = list.flatMap((item): unknown[] =>
    typeof item === 'number' ? [item, -item, adjacent(item, 1), String(item)] : [item, String(item).toUpperCase(), `${String(item)} `],
  );
  return {
    name,
    auto: { require: REQUIRED, assert: { field: FIELD, op: 'in', value: [...list] } },
    shape: { minCount: 1, in: list },
    onArray: { kind: 'some-in', list },
    edges: fc.constantFrom(...list, ...near),
  };
}

function pattern(name: string, source: string, flags: string, matching: fc.Arbitrary<string>): RulePair {
  return {
    name,
    auto: { require: REQUIRED, assert: { field: FIELD, op: 'regex', value: source, ...(flags === '' ? {} : { flags }) } },
    shape: { minCount: 1, datatype: 'string', pattern: source, ...(flags === '' ? {} : { flags }) },
    onArray: { kind: 'deny' },
    // Matching strings, and the same strings changed a little so that some no longer match.
    edges: fc.oneof(
      matching,
      fc.tuple(matching, fc.constantFrom('', ' ', '\n', 'x', '-', '0', 'É')).map(([text, extra]) => `${extra}${text}${extra}`),
      matching.map((text) => text.toUpperCase()),
      matching.map((text) => text.slice(1)),
    ),
  };
}

const around = (core: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(fc.string({ maxLength: 3 }), core, fc.string({ maxLength: 3 })).map(([before, text, after]) => `${before}${text}${after}`);

const PAIRS: readonly RulePair[] = [
  {
    name: 'required field: require vs minCount 1',
    auto: { require: REQUIRED },
    shape: { minCount: 1 },
    onArray: { kind: 'allow' },
    edges: fc.constantFrom(0, -0, '', false, {}, 'null', null, undefined, Number.NaN, Number.POSITIVE_INFINITY),
  },
  bounds('gte 0 vs minInclusive 0', { field: FIELD, op: 'gte', value: 0 }, { minInclusive: 0 }, [0]),
  bounds('lte 100 vs maxInclusive 100', { field: FIELD, op: 'lte', value: 100 }, { maxInclusive: 100 }, [100]),
  bounds('gt -1.5 vs minExclusive -1.5', { field: FIELD, op: 'gt', value: -1.5 }, { minExclusive: -1.5 }, [-1.5]),
  bounds('lt 1e21 vs maxExclusive 1e21 (a bound past 2^53)', { field: FIELD, op: 'lt', value: 1e21 }, { maxExclusive: 1e21 }, [
    1e21,
    2 ** 53,
  ]),
  bounds(
    'gte -1e-7 and lte 1e-7 vs minInclusive/maxInclusive (tiny decimals)',
    {
      all: [
        { field: FIELD, op: 'gte', value: -1e-7 },
        { field: FIELD, op: 'lte', value: 1e-7 },
      ],
    },
    { minInclusive: -1e-7, maxInclusive: 1e-7 },
    [-1e-7, 1e-7, 0],
  ),
  bounds(
    'gt -0 and lt 2.5 vs minExclusive -0 and maxExclusive 2.5',
    {
      all: [
        { field: FIELD, op: 'gt', value: -0 },
        { field: FIELD, op: 'lt', value: 2.5 },
      ],
    },
    { minExclusive: -0, maxExclusive: 2.5 },
    [0, 2.5],
  ),
  membership('in vs in: strings', ['EUR', 'USD', 'gbp', '', 'ünïcödé', '😀', 'a"@en', '100']),
  membership('in vs in: numbers, a boolean and a numeric string', [0, 1, 2.5, -3, 1e21, 1e-7, 2 ** 53, true, '1']),
  pattern('regex vs pattern: unanchored search', 'adm', '', around(fc.constantFrom('adm', 'ADM', 'a\ndm'))),
  pattern(
    'regex vs pattern: anchored, flags i',
    '^[a-z]{2,4}-[0-9]+$',
    'i',
    fc
      .tuple(fc.stringMatching(/^[a-zA-Z]{1,5}$/), fc.nat(), fc.constantFrom('', '\n'))
      .map(([letters, digits, end]) => `${letters}-${digits}${end}`),
  ),
  pattern('regex vs pattern: unicode letter class', '^\\p{L}+$', '', fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 })),
  pattern(
    'regex vs pattern: flags ms, dot and anchors across lines',
    '^a.b$',
    'ms',
    fc
      .tuple(
        fc.constantFrom('', 'x\n', 'x'),
        fc.constantFrom('a.b', 'a\nb', 'axb', 'a\r\nb', 'a😀b', 'aé'),
        fc.constantFrom('', '\ny', 'y'),
      )
      .map(([before, line, after]) => `${before}${line}${after}`),
  ),
  {
    name: 'is a string: regex "" vs datatype string',
    auto: { require: REQUIRED, assert: { field: FIELD, op: 'regex', value: '' } },
    shape: { minCount: 1, datatype: 'string' },
    onArray: { kind: 'deny' },
    edges: fc.oneof(strings, numbers),
  },
  {
    name: 'is a boolean: in [true, false] vs datatype boolean',
    auto: { require: REQUIRED, assert: { field: FIELD, op: 'in', value: [true, false] } },
    shape: { minCount: 1, datatype: 'boolean' },
    onArray: { kind: 'some-in', list: [true, false] },
    edges: fc.constantFrom(true, false, 'true', 'false', 1, 0, '1'),
  },
  {
    name: 'is a number: gte -MAX_VALUE and lte MAX_VALUE vs datatype decimal',
    auto: {
      require: REQUIRED,
      assert: {
        all: [
          { field: FIELD, op: 'gte', value: -Number.MAX_VALUE },
          { field: FIELD, op: 'lte', value: Number.MAX_VALUE },
        ],
      },
    },
    shape: { minCount: 1, datatype: 'decimal' },
    onArray: { kind: 'deny' },
    edges: fc.oneof(numbers, fc.constantFrom('100', '1.5', '1e21', Number.NaN, Number.POSITIVE_INFINITY)),
  },
  {
    name: 'is an integer: Number.isInteger (oracle) vs datatype integer',
    oracle: {
      why: 'the auto tier has no operator that looks at the fractional part, regex never sees a number, and JSONPath filters are rejected',
      allows: (value) => typeof value === 'number' && Number.isInteger(value),
    },
    shape: { minCount: 1, datatype: 'integer' },
    onArray: { kind: 'deny' },
    edges: fc.oneof(
      fc.constantFrom(100, 100.0, 100.5, -0, 1e21, 1e-7, 2 ** 53 + 2, 5e-324, Number.MAX_VALUE, 0.5, '100', '100.0'),
      fc.integer().map((value) => value + 0.5),
    ),
  },
];

// ---------------------------------------------------------------- engines and verdicts

/** Both sides of one pair, compiled once. */
interface Tiers {
  /** The verdict of the auto tier, or of the oracle where the auto tier cannot express the rule. */
  readonly reference: (action: Action) => Promise<Outcome>;
  readonly formal: (action: Action) => Promise<Outcome>;
}

interface Outcome {
  readonly verdict: Verdict;
  /** The decision in one line, for counterexample messages. */
  readonly shown: string;
}

async function outcomeOf(run: () => Decision | Promise<Decision>): Promise<Outcome> {
  try {
    const decision = await run();
    const findings = decision.violations.map((violation) => `${violation.tier}/${violation.constraint}: ${violation.message}`);
    return { verdict: decision.verdict, shown: `${decision.verdict}${findings.length > 0 ? ` [${findings.join('; ')}]` : ''}` };
  } catch (error) {
    // onError 'throw': an evaluation error surfaces here, so it is never mistaken for a deny.
    if (!isTierguardError(error)) throw error;
    return { verdict: `error ${error.code}`, shown: `error ${error.code}: ${error.message}` };
  }
}

async function tiersOf(pair: RulePair): Promise<Tiers> {
  const id = (tier: string): string => `${tier}.${pair.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;
  const formalEngine: Engine = await createEngine({
    policies: [{ id: id('formal'), tools: [TOOL], shape: { properties: [{ path: FIELD, ...pair.shape }] } }],
    onError: 'throw',
  });
  const formal = (action: Action): Promise<Outcome> => outcomeOf(() => formalEngine.evaluate(action));
  if (pair.auto !== undefined) {
    const autoEngine = await createEngine({ policies: [{ id: id('auto'), tools: [TOOL], ...pair.auto }], onError: 'throw' });
    return { reference: (action) => outcomeOf(() => autoEngine.evaluateAuto(action)), formal };
  }
  const oracle = pair.oracle;
  if (oracle === undefined) throw new Error(`pair "${pair.name}" needs an auto rule or an oracle`);
  const reference = async (action: Action): Promise<Outcome> => {
    const value = action.arguments?.x;
    const verdict = oracle.allows(value) ? 'allow' : 'deny';
    return { verdict, shown: `${verdict} (oracle: ${oracle.why})` };
  };
  return { reference, formal };
}

// ---------------------------------------------------------------- known differences

interface Expected {
  readonly reference: Verdict;
  readonly formal: Verdict;
}

interface KnownDifference {
  readonly name: string;
  readonly why: string;
  readonly applies: (pair: RulePair, value: unknown) => boolean;
  /** The verdicts the two sides give instead of agreeing. */
  readonly expected: (pair: RulePair, value: unknown, tiers: Tiers) => Promise<Expected>;
}

/** The values the formal tier's graph holds for a field: arrays flattened, null and undefined dropped. */
function graphValues(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(graphValues);
  if (value === null || value === undefined) return [];
  return [value];
}

function referenceOnArray(rule: ArrayRule, array: readonly unknown[]): Verdict {
  if (rule.kind === 'allow') return 'allow';
  if (rule.kind === 'deny') return 'deny';
  // Direct elements only, by the strict equality of `in` (NaN is no member; -0 is 0).
  return array.some((element) => !Number.isNaN(element) && rule.list.includes(element)) ? 'allow' : 'deny';
}

const verdictOf = (allowed: boolean): Verdict => (allowed ? 'allow' : 'deny');

const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    name: 'array-values',
    why: 'the formal tier sees an array as repeated values (flattened, nulls dropped) that must each satisfy the shape; the auto tier sees one array value',
    applies: (_pair, value) => Array.isArray(value),
    expected: async (pair, value, tiers) => {
      const values = graphValues(value);
      let each = values.length > 0;
      for (const element of values) {
        if (!each) break;
        each = (await tiers.reference(actionWith(element))).verdict === 'allow';
      }
      return { reference: referenceOnArray(pair.onArray, value as unknown[]), formal: verdictOf(each) };
    },
  },
];

// ---------------------------------------------------------------- the property

describe('differential: the auto tier and the formal tier agree on rules both can express', () => {
  it.each(PAIRS.map((pair) => [pair.name, pair] as const))('%s', async (_name, pair) => {
    const tiers = await tiersOf(pair);
    const seen = new Map<string, number>();
    const count = (key: string): void => void seen.set(key, (seen.get(key) ?? 0) + 1);

    await fc.assert(
      fc.asyncProperty(fieldValues(pair), async (value) => {
        const action = actionWith(value);
        const [reference, formal] = await Promise.all([tiers.reference(action), tiers.formal(action)]);
        const difference = KNOWN_DIFFERENCES.find((known) => known.applies(pair, value));
        const expected: Expected = difference
          ? await difference.expected(pair, value, tiers)
          : { reference: reference.verdict, formal: reference.verdict };
        count(difference ? difference.name : `agree:${reference.verdict}`);
        const referenceName = pair.auto === undefined ? 'oracle' : 'auto';
        const message = [
          `pair "${pair.name}" on ${fc.stringify(action)}`,
          difference
            ? `known difference "${difference.name}" (${difference.why}) expects ${referenceName} ${expected.reference}, formal ${expected.formal}`
            : 'the tiers must agree',
          `  ${referenceName}:   ${reference.shown}`,
          `  formal: ${formal.shown}`,
        ].join('\n');
        expect({ [referenceName]: reference.verdict, formal: formal.verdict }, message).toEqual({
          [referenceName]: expected.reference,
          formal: expected.formal,
        });
      }),
      { numRuns: RUNS_PER_PAIR },
    );

    // A rule that allowed (or denied) everything would agree vacuously.
    expect(seen.get('agree:allow') ?? 0, `${pair.name}: no generated action was allowed by both tiers`).toBeGreaterThan(0);
    expect(seen.get('agree:deny') ?? 0, `${pair.name}: no generated action was denied by both tiers`).toBeGreaterThan(0);
    expect(seen.get('array-values') ?? 0, `${pair.name}: no array was generated`).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- the differences, pinned

async function pinned(
  auto: Pick<PolicyDefinition, 'require' | 'assert'>,
  shape: Omit<PropertyShapeDefinition, 'path'>,
  value: unknown,
): Promise<Expected> {
  const pair: RulePair = { name: 'pinned', auto, shape, onArray: { kind: 'deny' }, edges: fc.constant(0) };
  const tiers = await tiersOf(pair);
  const action = actionWith(value);
  return { reference: (await tiers.reference(action)).verdict, formal: (await tiers.formal(action)).verdict };
}

const GTE_0: Pick<PolicyDefinition, 'require' | 'assert'> = { require: REQUIRED, assert: { field: FIELD, op: 'gte', value: 0 } };
const IN_ADMIN: Pick<PolicyDefinition, 'require' | 'assert'> = { require: REQUIRED, assert: { field: FIELD, op: 'in', value: ['admin'] } };

describe('KNOWN_DIFFERENCES, pinned so that a change in either tier shows', () => {
  describe('array-values', () => {
    it('a one-element array under a bound: the auto tier compares the array (false), the formal tier its one value', async () => {
      expect(await pinned(GTE_0, { minCount: 1, minInclusive: 0 }, [5])).toEqual({ reference: 'deny', formal: 'allow' });
    });

    it('a nested array is flattened by the formal tier: [[5], [7]] is two values, both at least 0', async () => {
      expect(await pinned(GTE_0, { minCount: 1, minInclusive: 0 }, [[5], [7]])).toEqual({ reference: 'deny', formal: 'allow' });
    });

    it('in: some element is enough for the auto tier, every value must be in the list for the formal tier', async () => {
      expect(await pinned(IN_ADMIN, { minCount: 1, in: ['admin'] }, ['dev', 'admin'])).toEqual({ reference: 'allow', formal: 'deny' });
      expect(await pinned(IN_ADMIN, { minCount: 1, in: ['admin'] }, ['admin', 'admin'])).toEqual({ reference: 'allow', formal: 'allow' });
    });

    it('an array with no graph value: present for auto `require`, no value for minCount', async () => {
      for (const value of [[], [null], [[]]]) {
        expect(await pinned({ require: REQUIRED }, { minCount: 1 }, value)).toEqual({ reference: 'allow', formal: 'deny' });
      }
    });
  });

  describe('non-JSON numbers, once a difference, now agree', () => {
    const LTE_100: Pick<PolicyDefinition, 'require' | 'assert'> = { require: REQUIRED, assert: { field: FIELD, op: 'lte', value: 100 } };
    const fromJsonText = (JSON.parse('{ "x": 1e400 }') as { x: number }).x;

    it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
      '%s: auto `require` and minCount both see a value',
      async (value) => {
        expect(await pinned({ require: REQUIRED }, { minCount: 1 }, value)).toEqual({ reference: 'allow', formal: 'allow' });
      },
    );

    it('NaN fails every comparison in both tiers', async () => {
      expect(await pinned(GTE_0, { minCount: 1, minInclusive: 0 }, Number.NaN)).toEqual({ reference: 'deny', formal: 'deny' });
      expect(await pinned(LTE_100, { minCount: 1, maxInclusive: 100 }, Number.NaN)).toEqual({ reference: 'deny', formal: 'deny' });
      expect(await pinned(IN_ADMIN, { minCount: 1, in: ['admin'] }, Number.NaN)).toEqual({ reference: 'deny', formal: 'deny' });
    });

    it('±Infinity satisfy the bounds they lie beyond, and only those, in both tiers', async () => {
      expect(await pinned(GTE_0, { minCount: 1, minInclusive: 0 }, Number.POSITIVE_INFINITY)).toEqual({
        reference: 'allow',
        formal: 'allow',
      });
      expect(await pinned(GTE_0, { minCount: 1, minInclusive: 0 }, Number.NEGATIVE_INFINITY)).toEqual({
        reference: 'deny',
        formal: 'deny',
      });
      expect(await pinned(LTE_100, { minCount: 1, maxInclusive: 100 }, Number.NEGATIVE_INFINITY)).toEqual({
        reference: 'allow',
        formal: 'allow',
      });
      expect(await pinned(LTE_100, { minCount: 1, maxInclusive: 100 }, fromJsonText)).toEqual({ reference: 'deny', formal: 'deny' });
    });
  });

  describe('missing-field (why every pair requires the field)', () => {
    it('a comparison on a missing field is false in the auto tier; a value constraint on no value holds in SHACL', async () => {
      for (const value of [NO_KEY, NO_ARGUMENTS, null]) {
        expect(await pinned({ assert: { field: FIELD, op: 'gte', value: 0 } }, { minInclusive: 0 }, value)).toEqual({
          reference: 'deny',
          formal: 'allow',
        });
        expect(await pinned(GTE_0, { minCount: 1, minInclusive: 0 }, value)).toEqual({ reference: 'deny', formal: 'deny' });
      }
    });
  });

  describe('pattern-on-non-strings (why regex pairs with datatype string)', () => {
    it.each([123, 1.5, true, 1e21])('sh:pattern searches the lexical form of %s; the auto regex sees no string', async (value) => {
      const regex = { require: REQUIRED, assert: { field: FIELD, op: 'regex', value: '^[0-9a-z.]+$' } } as const;
      expect(await pinned(regex, { minCount: 1, pattern: '^[0-9a-z.]+$' }, value)).toEqual({ reference: 'deny', formal: 'allow' });
      expect(await pinned(regex, { minCount: 1, datatype: 'string', pattern: '^[0-9a-z.]+$' }, value)).toEqual({
        reference: 'deny',
        formal: 'deny',
      });
    });
  });
});
