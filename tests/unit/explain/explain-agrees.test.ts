import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, formatPath } from '../../../src/index.js';
import type {
  Action,
  CheckFinding,
  Decision,
  Engine,
  Explanation,
  Limits,
  PolicyDefinition,
  PolicyExplanation,
  PredicateExplanation,
} from '../../../src/index.js';

/**
 * explain never disagrees with evaluate: over generated actions (prototype
 * keys, wrong types, missing fields, strings past a tight maxStringLength,
 * actions past maxNodes) and hand-made hostile ones, the explanation's decision
 * is the one `evaluate` gives, every policy's status is what the decision says
 * of it, and the findings the tree shows at its checks are the decision's, in
 * its order, with the messages an audit event would hold. The explanation reads
 * the action with its own reading of the definitions, so this is a differential
 * test of that reading against the compiled tiers, not a comparison of a value
 * with itself: a reading that differs shows up as a note, a status or a finding
 * that the decision does not have.
 */

const POLICIES: readonly PolicyDefinition[] = [
  {
    id: 'transfer.bounds',
    tools: ['transfers.*'],
    require: ['arguments.sum', 'arguments.unit'],
    assert: {
      all: [
        { field: 'arguments.sum', op: 'gte', value: 1 },
        { field: 'arguments.sum', op: 'lt', value: 5000 },
        { field: 'arguments.sum', op: 'lte', valueRef: 'context.cap' },
      ],
    },
  },
  {
    id: 'transfer.unit',
    tools: ['transfers.send'],
    assert: { field: 'arguments.unit', op: 'in', value: ['EUR', 'CHF', { code: 'JPY' }] },
    message: '{field} {actual} vs {expected} for {tool} ({op}, {policy})',
  },
  { id: 'transfer.review', tools: ['transfers.send'], effect: 'escalate', when: { field: 'arguments.sum', op: 'gte', value: 1000 } },
  { id: 'vault.forbid', tools: ['vault.purge*'] },
  {
    id: 'grants.no-owner',
    effect: 'escalate',
    when: { field: '$.context.grants[*]', op: 'exists', quantifier: 'any' },
    assert: { field: '$.context.grants[*]', op: 'not_in', value: ['owner', 1, null], quantifier: 'all' },
  },
  {
    id: 'codes.shape',
    effect: 'warn',
    when: { field: '$..code', op: 'exists', quantifier: 'any' },
    assert: { field: '$..code', op: 'regex', value: '^[a-z]{2}[0-9]*$', quantifier: 'all' },
  },
  {
    id: 'mail.domain',
    tools: ['mail.*'],
    mode: 'monitor',
    when: { field: 'arguments.to', op: 'exists' },
    assert: { field: 'arguments.to', op: 'regex', value: '@corp\\.test$', flags: 'i' },
  },
  {
    id: 'docs.path',
    tools: ['docs.?et', 'docs.@(put|rm)'],
    assert: { field: 'arguments.file', op: 'glob', value: '/pub/**/*.md', flags: 'i' },
  },
  {
    id: 'state.live',
    assert: { any: [{ field: 'arguments.state', op: 'neq', value: 'gone' }, { not: { field: 'arguments.state', op: 'exists' } }] },
  },
  {
    id: 'hidden',
    assert: {
      not: {
        any: [
          {
            all: [
              { field: 'arguments.x', op: 'lt', value: 0 },
              { field: 'arguments.y', op: 'glob', value: '*hidden*' },
            ],
          },
          { field: 'arguments.y', op: 'eq', valueRef: 'context.secret' },
        ],
      },
    },
  },
  {
    id: 'deny.list',
    effect: 'escalate',
    when: { field: 'context.denied', op: 'exists' },
    assert: {
      all: [
        { not: { field: 'arguments.to', op: 'in', valueRef: 'context.denied' } },
        { field: 'arguments.to', op: 'not_in', valueRef: 'context.denied' },
        { field: 'arguments.to', op: 'gte', valueRef: 'context.floor' },
      ],
    },
  },
  // Parts the evaluation never reaches: reading them (a long string under a regex) would throw where it did not.
  {
    id: 'note.scan',
    assert: {
      any: [
        { field: 'arguments.x', op: 'exists' },
        { field: 'arguments.y', op: 'regex', value: 'hidden' },
      ],
    },
  },
  {
    id: 'gone.scan',
    when: {
      all: [
        { field: 'arguments.state', op: 'eq', value: 'gone' },
        { field: 'arguments.y', op: 'glob', value: '*' },
      ],
    },
    assert: { field: 'arguments.x', op: 'exists' },
  },
  { id: 'ctor', effect: 'escalate', when: { field: 'arguments.constructor', op: 'exists' } },
  { id: 'proto', effect: 'warn', assert: { not: { field: 'arguments["__proto__"].polluted', op: 'eq', value: true } } },
  // Rewrites, in priority order, some monitored, hiding values other policies read.
  { id: 'limit.default', priority: 2, rewrite: [{ op: 'set_default', field: 'arguments.limit', value: 20 }] },
  {
    id: 'limit.cap',
    priority: 1,
    when: { field: 'arguments.limit', op: 'exists' },
    rewrite: [{ op: 'cap_value', field: 'arguments.limit', value: 100 }],
  },
  { id: 'limit.check', effect: 'warn', assert: { field: 'arguments.limit', op: 'lte', value: 50 } },
  { id: 'mask.secret', rewrite: [{ op: 'mask_field', field: 'context.secret' }] },
  { id: 'mask.token', mode: 'monitor', rewrite: [{ op: 'mask_field', field: 'context.token' }] },
  {
    id: 'token.echo',
    assert: {
      any: [
        { field: 'arguments.y', op: 'neq', valueRef: 'context.token' },
        { field: 'arguments.x', op: 'exists' },
      ],
    },
  },
  { id: 'strip.y', rewrite: [{ op: 'replace', field: 'arguments.y', pattern: 'sec(ret)', with: '[$1]' }] },
  { id: 'drop.items', tools: ['shop.*'], rewrite: [{ op: 'remove_field', field: 'arguments.items.*.price' }] },
  { id: 'guide', severity: 'advisory', tools: ['transfers.*'] },
  { id: 'responses', on: 'response', assert: { field: 'result.ok', op: 'eq', value: true } },
];

const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'tool',
  'arguments',
  'context',
  'sum',
  'unit',
  'cap',
  'grants',
  'code',
  'items',
  'price',
  'to',
  'file',
  'state',
  'x',
  'y',
  'secret',
  'token',
  'denied',
  'floor',
  'polluted',
  'limit',
  'length',
  '0',
] as const;

const keyArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });
const stringArb = fc.oneof(
  fc.constantFrom(
    'EUR',
    'CHF',
    'owner',
    'gone',
    'ab12',
    'AB12',
    'a@corp.test',
    '/pub/a/b.MD',
    'so hidden',
    'secret',
    'far longer than ten',
    '__proto__',
    '',
  ),
  fc.string({ maxLength: 20 }),
);
const numberArb = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 20, 99, 999, 1000, 4999, 5000, Infinity, -Infinity),
  fc.integer(),
  fc.double({ noNaN: true }),
);
const scalarArb = fc.oneof(stringArb, numberArb, fc.boolean(), fc.constant(null));
const { json: jsonArb } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    { weight: 4, arbitrary: scalarArb },
    { weight: 1, arbitrary: fc.array(tie('json'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(keyArb, tie('json'), { maxKeys: 5 }) },
  ),
}));
const objectArb = fc.dictionary(keyArb, jsonArb, { maxKeys: 6 });
const toolArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('transfers.send', 'transfers.undo', 'vault.purgeAll', 'mail.send', 'docs.get', 'docs.rm', 'shop.cart', 'x'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const actionArb = fc
  .record(
    { extra: fc.dictionary(keyArb, jsonArb, { maxKeys: 3 }), tool: toolArb, arguments: objectArb, context: objectArb },
    { requiredKeys: ['extra', 'tool'] },
  )
  .map(({ extra, ...rest }): Action => JSON.parse(JSON.stringify({ ...extra, ...rest })) as Action);

// Tight limits make evaluation errors common: regex and glob inputs over 10 characters, actions over 40 values.
const LIMIT_SETS: Readonly<Record<string, Partial<Limits>>> = { default: {}, tight: { maxStringLength: 10, maxNodes: 40 } };

async function engines(policies: readonly PolicyDefinition[], limits: Partial<Limits>): Promise<Engine[]> {
  return [
    await createEngine({ policies, limits }),
    await createEngine({ policies, limits, onError: 'allow', mode: 'monitor' }),
    await createEngine({ policies, limits, shortCircuit: false }),
  ];
}

/** The findings an explanation shows at its checks, in the tree's order: rewrites, require, assertion (depth first), applies, shapes. */
function treeFindings(policy: PolicyExplanation): CheckFinding[] {
  const walk = (node: PredicateExplanation | undefined): CheckFinding[] => {
    if (node === undefined) return [];
    const below = node.kind === 'comparison' ? [] : node.kind === 'not' ? walk(node.part) : node.parts.flatMap(walk);
    return [...(node.findings ?? []), ...below];
  };
  return [
    ...(policy.rewrite?.findings ?? []),
    ...(policy.require ?? []).flatMap((entry) => entry.findings ?? []),
    ...walk(policy.assert),
    ...(policy.applies?.findings ?? []),
    ...(policy.formal?.findings ?? []),
  ];
}

function expectAgreement(explanation: Explanation, decision: Decision, policies: readonly PolicyDefinition[]): void {
  expect(explanation.decision).toEqual(decision);
  expect(explanation.policies.map((policy) => policy.policyId)).toEqual(policies.map((policy) => policy.id));
  const refused = decision.errors.some((error) => error.policyId === undefined);
  for (const policy of explanation.policies) {
    const id = policy.policyId;
    expect(policy.note, id).toBeUndefined();
    const decided = [...decision.violations, ...decision.wouldDeny, ...decision.wouldEscalate, ...decision.warnings].filter(
      (violation) => violation.policyId === id,
    );
    const errors = decision.errors.filter((error) => error.policyId === id);
    expect(policy.errors, id).toEqual(errors);
    expect(policy.findings.map((finding) => finding.path)).toEqual(decided.map((violation) => violation.path));
    policy.findings.forEach((finding, index) => {
      // The decision's message, or the neutral one an audit event holds where a rewrite hid a value.
      expect([decided[index]?.message, `${id}: ${finding.constraint} failed at ${formatPath(finding.path)} (value redacted)`]).toContain(
        finding.message,
      );
    });
    const status = refused ? 'not-evaluated' : errors.length > 0 ? 'error' : decided.length > 0 ? 'violated' : undefined;
    if (status === undefined) expect(['passed', 'not-applicable', 'not-evaluated'], id).toContain(policy.status);
    else expect(policy.status, id).toBe(status);
    // The tree shows each finding at the check that produced it.
    expect(treeFindings(policy), id).toEqual(policy.findings.map(({ path, message }) => ({ path, message })));
  }
}

describe.each(Object.keys(LIMIT_SETS))('explain agrees with evaluate (%s limits)', (limitSet) => {
  it('over generated actions, for onError deny and allow, enforce and monitor, with and without shortCircuit', async () => {
    const set = await engines(POLICIES, LIMIT_SETS[limitSet] ?? {});
    await fc.assert(
      fc.asyncProperty(actionArb, async (action) => {
        for (const engine of set) expectAgreement(await engine.explain(action), await engine.evaluate(action), POLICIES);
      }),
      { numRuns: 300 },
    );
  });
});

describe('explain agrees with evaluate on hostile actions', () => {
  const hostile: [string, () => unknown][] = [
    ['not an object', () => 'transfers.send'],
    ['null', () => null],
    ['an array', () => [{ tool: 'x' }]],
    ['a tool that is not a string', () => ({ tool: { toString: () => 'transfers.send' } })],
    ['a tool past maxStringLength', () => ({ tool: `transfers.${'a'.repeat(2_000_000)}` })],
    ['nesting past maxDepth', () => ({ tool: 'x', arguments: JSON.parse(`${'['.repeat(200)}1${']'.repeat(200)}`) as unknown })],
    ['more values than maxNodes', () => ({ tool: 'x', arguments: { items: Array.from({ length: 100_001 }, () => 1) } })],
    ['a megabyte string under a regex', () => ({ tool: 'mail.send', arguments: { to: `${'a'.repeat(1_100_000)}@corp.test` } })],
    ['a prototype-polluting key', () => JSON.parse('{"tool":"x","arguments":{"__proto__":{"polluted":true},"constructor":1}}') as unknown],
    [
      'a getter that throws',
      () => ({
        tool: 'transfers.send',
        arguments: {
          get sum(): never {
            throw new Error('boom');
          },
        },
      }),
    ],
    ['a Proxy', () => new Proxy({ tool: 'transfers.send', arguments: { sum: 1, unit: 'EUR' } }, {})],
    ['a null-prototype object', () => Object.assign(Object.create(null) as object, { tool: 'docs.get', arguments: { file: '/pub/a.MD' } })],
    ['values JSON cannot hold', () => ({ tool: 'transfers.send', arguments: { sum: 10n, unit: Symbol('EUR'), x: NaN, y: () => 1 } })],
    [
      'a hidden secret read everywhere',
      () => ({
        tool: 'x',
        arguments: { y: 'secret', x: -1, to: 'secret' },
        context: { secret: 'secret', token: 'secret-token', floor: 'secret' },
      }),
    ],
  ];

  it.each(hostile)('%s: an explanation or the same error, never a crash', async (_name, make) => {
    for (const engine of await engines(POLICIES, {})) {
      const action = make() as Action;
      expectAgreement(await engine.explain(action), await engine.evaluate(action), POLICIES);
    }
  });
});

describe('explain agrees with evaluate with the formal tier', () => {
  const SHAPED: readonly PolicyDefinition[] = [
    { id: 'auto.ok', tools: ['orders.*'], assert: { field: 'arguments.ok', op: 'eq', value: true } },
    {
      id: 'order.shape',
      tools: ['orders.create'],
      when: { field: 'arguments.kind', op: 'neq', value: 'draft' },
      shape: {
        properties: [
          { path: 'arguments.total', minCount: 1, datatype: 'decimal', maxInclusive: 100 },
          { path: 'arguments.lines', node: { properties: [{ path: 'sku', minCount: 1, pattern: '^[A-Z]+$', severity: 'Warning' }] } },
        ],
      },
    },
  ];
  const orderArb = fc
    .record(
      {
        ok: fc.boolean(),
        kind: fc.constantFrom('draft', 'final', 7),
        total: fc.oneof(fc.integer({ min: -10, max: 200 }), fc.constant('5')),
        lines: fc.array(fc.record({ sku: fc.oneof(fc.constantFrom('ABC', 'abc'), fc.string({ maxLength: 12 })) }, { requiredKeys: [] }), {
          maxLength: 3,
        }),
      },
      { requiredKeys: [] },
    )
    .map((args): Action => ({ tool: 'orders.create', arguments: args }));

  it('over generated orders', async () => {
    const set = await engines(SHAPED, { maxStringLength: 10 });
    await fc.assert(
      fc.asyncProperty(orderArb, async (action) => {
        for (const engine of set) expectAgreement(await engine.explain(action), await engine.evaluate(action), SHAPED);
      }),
      { numRuns: 60 },
    );
  });
});
