import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEngine, isTierguardError, TierguardError } from '../../src/index.js';
import type { Action, Decision, Engine, Limits, PolicyDefinition } from '../../src/index.js';
import { thrownBy } from '../support/thrown-by.js';

/**
 * Properties of `evaluate` / `evaluateAuto` over arbitrary JSON actions and one
 * fixed policy set that uses every operator, valueRef, JSONPath with both
 * quantifiers, all/any/not, when/require, every effect and glob tool patterns.
 */

const POLICIES: readonly PolicyDefinition[] = [
  {
    id: 'pay.amount',
    tools: ['payments.*'],
    require: ['arguments.amount', 'arguments.currency'],
    assert: {
      all: [
        { field: 'arguments.amount', op: 'gt', value: 0 },
        { field: 'arguments.amount', op: 'lte', value: 10000 },
        { field: 'arguments.amount', op: 'lte', valueRef: 'context.limits.maxAmount' },
      ],
    },
  },
  {
    id: 'pay.currency',
    tools: ['payments.transfer', 'payments.refund'],
    assert: { field: 'arguments.currency', op: 'in', value: ['EUR', 'USD', { code: 'GBP' }] },
    message: '{policy}: {field} {actual} is not one of {expected} ({tool}, {op})',
  },
  {
    id: 'pay.review',
    tools: ['payments.transfer'],
    effect: 'escalate',
    when: { field: 'arguments.amount', op: 'gt', value: 5000 },
  },
  { id: 'db.drop', tools: ['database.drop*'] },
  {
    id: 'db.roles',
    tools: ['database.{backup,restore}'],
    assert: { field: 'context.user.roles', op: 'in', value: ['admin', 'dba'] },
  },
  {
    id: 'roles.no-root',
    tools: ['**'],
    effect: 'escalate',
    when: { field: '$.context.user.roles[*]', op: 'exists', quantifier: 'any' },
    assert: { field: '$.context.user.roles[*]', op: 'not_in', value: ['root', 0, null], quantifier: 'all' },
  },
  {
    id: 'sku.format',
    effect: 'warn',
    when: { field: '$..sku', op: 'exists', quantifier: 'any' },
    assert: { field: '$..sku', op: 'regex', value: '^[A-Z]{3}-[0-9]+$', quantifier: 'all' },
  },
  {
    id: 'crm.email',
    tools: ['crm.*'],
    when: { field: 'arguments.email', op: 'exists' },
    assert: { field: 'arguments.email', op: 'regex', value: '^[^@\\s]+@example\\.com$', flags: 'i' },
  },
  {
    id: 'files.path',
    tools: ['files.?ead', 'files.@(write|delete)', 'FILES.[a-z]*'],
    assert: { field: 'arguments.path', op: 'glob', value: '/srv/**/*.txt', flags: 'i' },
  },
  {
    id: 'status.not-deleted',
    tools: ['*'],
    assert: {
      any: [{ field: 'arguments.status', op: 'neq', value: 'deleted' }, { not: { field: 'arguments.status', op: 'exists' } }],
    },
  },
  {
    id: 'strict.confirm',
    when: { field: 'context.mode', op: 'eq', value: { strict: true } },
    assert: { field: 'arguments.confirmed', op: 'eq', value: true },
  },
  {
    id: 'dates.window',
    effect: 'warn',
    when: { field: 'arguments.date', op: 'exists' },
    assert: {
      all: [
        { field: 'arguments.date', op: 'gte', value: '2020-01-01' },
        { field: 'arguments.date', op: 'lt', valueRef: 'context.today' },
      ],
    },
  },
  {
    id: 'secrets',
    tools: ['+(a|b).*', 'x/**/y'],
    assert: {
      not: {
        all: [
          { field: 'arguments.x', op: 'lt', value: 0 },
          {
            any: [
              { field: 'arguments.y', op: 'glob', value: '*secret*' },
              { field: 'arguments.y', op: 'eq', valueRef: 'context.secret' },
            ],
          },
        ],
      },
    },
  },
  {
    id: 'blocked.ref',
    effect: 'escalate',
    when: { field: 'context.blocked', op: 'exists' },
    assert: {
      all: [
        { field: 'arguments.target', op: 'not_in', valueRef: 'context.blocked' },
        { not: { field: 'arguments.target', op: 'in', valueRef: 'context.blocked' } },
        { field: 'arguments.target', op: 'gte', valueRef: 'context.min' },
        { field: 'arguments.target', op: 'neq', valueRef: 'context.forbidden' },
      ],
    },
  },
  { id: 'constructor.key', effect: 'escalate', when: { field: 'arguments.constructor', op: 'exists' } },
  {
    id: 'proto.key',
    effect: 'warn',
    assert: { not: { field: 'arguments["__proto__"].polluted', op: 'eq', value: true } },
  },
  {
    id: 'items.every',
    tools: ['shop.*/**'],
    require: ['arguments.items[0]'],
    assert: {
      all: [
        { field: '$.arguments.items[*].qty', op: 'gte', value: 1 },
        { field: '$.arguments.items[*].sku', op: 'glob', value: '[A-Z]??-*', quantifier: 'any' },
        { field: 'arguments.items.0.prototype', op: 'exists' },
      ],
    },
  },
];

const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'tool',
  'kind',
  'arguments',
  'context',
  'amount',
  'currency',
  'limits',
  'maxAmount',
  'user',
  'roles',
  'sku',
  'items',
  'qty',
  'email',
  'path',
  'status',
  'mode',
  'strict',
  'confirmed',
  'date',
  'today',
  'x',
  'y',
  'secret',
  'blocked',
  'target',
  'min',
  'forbidden',
  'polluted',
  'length',
  '0',
  'toString',
  'hasOwnProperty',
] as const;

const keyArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });

const stringArb = fc.oneof(
  fc.constantFrom(
    'EUR',
    'USD',
    'GBP',
    'admin',
    'dba',
    'root',
    'dev',
    'deleted',
    'ABC-1',
    'abc-1',
    'x@example.com',
    'X@EXAMPLE.COM',
    '/srv/a/b.txt',
    '/etc/passwd',
    '2021-05-05',
    '2019-12-31',
    'top secret',
    '__proto__',
    '',
  ),
  fc.string({ maxLength: 12 }),
);

const numberArb = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 250, 5000, 5001, 10000, 10001, -273.15, Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
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
    arbitrary: fc.constantFrom(
      'payments.transfer',
      'payments.refund',
      'payments.x/y',
      'database.drop',
      'database.dropTable',
      'database.backup',
      'database.restore',
      'crm.contact.update',
      'files.read',
      'files.write',
      'FILES.list',
      'files.list',
      'a.b',
      'b.c',
      'x/1/2/y',
      'shop.cart/add',
      '*',
      '**',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** An action object built from generated parts; spread keeps `__proto__` an own key. */
const rawActionArb = fc
  .record(
    { extra: fc.dictionary(keyArb, jsonArb, { maxKeys: 3 }), tool: toolArb, arguments: objectArb, context: objectArb },
    { requiredKeys: ['extra', 'tool'] },
  )
  .map(({ extra, ...rest }): Action => ({ ...extra, ...rest }));

/** As an agent's message would arrive: through JSON text. */
const actionArb = fc.oneof(
  rawActionArb,
  rawActionArb.map((action) => JSON.parse(JSON.stringify(action)) as Action),
);

const notAnActionArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  numberArb,
  stringArb,
  fc.boolean(),
  fc.array(jsonArb, { maxLength: 4 }),
  objectArb.filter((value) => !Object.prototype.hasOwnProperty.call(value, 'tool')),
  fc
    .record({
      tool: fc.oneof(numberArb, fc.boolean(), fc.constant(null), fc.array(jsonArb, { maxLength: 2 }), objectArb),
      arguments: objectArb,
    })
    .map((action) => action as unknown),
);

async function engineSet(limits: Partial<Limits>): Promise<Readonly<Record<'deny' | 'allow' | 'throw', Engine>>> {
  return {
    deny: await createEngine({ policies: POLICIES, limits }),
    allow: await createEngine({ policies: POLICIES, limits, onError: 'allow' }),
    throw: await createEngine({ policies: POLICIES, limits, onError: 'throw' }),
  };
}

// The tight limits make evaluation errors common (regex and glob inputs over 10
// characters, actions over 40 values), so the error branches are exercised too.
const LIMIT_SETS: Readonly<Record<'default' | 'tight', Partial<Limits>>> = {
  default: {},
  tight: { maxStringLength: 10, maxNodes: 40 },
};
const ENGINES = {
  default: await engineSet(LIMIT_SETS.default),
  tight: await engineSet(LIMIT_SETS.tight),
};

const RUNS = { numRuns: 400 };

function expectConsistentVerdict(decision: Decision, onError: 'deny' | 'allow'): void {
  const denies = decision.violations.some((violation) => violation.effect === 'deny');
  const escalates = decision.violations.some((violation) => violation.effect === 'escalate');
  const failedClosed = onError === 'deny' && decision.errors.length > 0;
  const expected = denies || failedClosed ? 'deny' : escalates ? 'escalate' : 'allow';
  expect(decision.verdict).toBe(expected);
  for (const violation of decision.violations) {
    expect(violation.effect).not.toBe('warn');
    expect(violation.severity).toBe('violation');
    expect(violation.tier).toBe('auto');
    expect(POLICIES.map((policy) => policy.id)).toContain(violation.policyId);
  }
  for (const warning of decision.warnings) {
    expect(warning.effect).toBe('warn');
    expect(warning.severity).toBe('warning');
  }
  expect(decision.policyVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
}

describe.each(['default', 'tight'] as const)('evaluation over arbitrary actions (%s limits)', (limitSet) => {
  const engines = ENGINES[limitSet];

  it('evaluateAuto never throws and its verdict follows the violations (onError deny and allow)', () => {
    fc.assert(
      fc.property(actionArb, (action) => {
        const denied = engines.deny.evaluateAuto(action);
        const allowed = engines.allow.evaluateAuto(action);
        expectConsistentVerdict(denied, 'deny');
        expectConsistentVerdict(allowed, 'allow');
        // onError only changes the verdict, never what was found.
        expect(allowed.violations).toEqual(denied.violations);
        expect(allowed.warnings).toEqual(denied.warnings);
        expect(allowed.errors).toEqual(denied.errors);
      }),
      RUNS,
    );
  });

  it('evaluate never rejects and resolves to what evaluateAuto returns', async () => {
    await fc.assert(
      fc.asyncProperty(actionArb, async (action) => {
        const decision = await engines.deny.evaluate(action);
        expect(decision).toEqual(engines.deny.evaluateAuto(action));
      }),
      RUNS,
    );
  });

  it("with onError 'throw', anything thrown is a TierguardError, exactly when the deny engine lists an error", () => {
    fc.assert(
      fc.property(fc.oneof(actionArb, notAnActionArb), (action) => {
        const reference = engines.deny.evaluateAuto(action as Action);
        let thrown: unknown;
        let decision: Decision | undefined;
        try {
          decision = engines.throw.evaluateAuto(action as Action);
        } catch (error) {
          thrown = error;
        }
        if (reference.errors.length === 0) {
          expect(thrown).toBeUndefined();
          expect(decision).toEqual(reference);
        } else {
          expect(thrown).toBeInstanceOf(TierguardError);
          expect(isTierguardError(thrown, reference.errors[0]?.code)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("with onError 'throw', evaluate rejects only with a TierguardError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(actionArb, notAnActionArb), async (action) => {
        try {
          await engines.throw.evaluate(action as Action);
        } catch (error) {
          expect(error).toBeInstanceOf(TierguardError);
        }
      }),
      RUNS,
    );
  });

  it('inputs that are not objects with a string tool are denied with one INVALID_ACTION error', async () => {
    await fc.assert(
      fc.asyncProperty(notAnActionArb, async (input) => {
        for (const decision of [engines.deny.evaluateAuto(input as Action), await engines.deny.evaluate(input as Action)]) {
          expect(decision.verdict).toBe('deny');
          expect(decision.violations).toEqual([]);
          expect(decision.warnings).toEqual([]);
          expect(decision.errors).toHaveLength(1);
          expect(decision.errors[0]?.code).toBe('INVALID_ACTION');
          expect(decision.errors[0]?.policyId).toBeUndefined();
          expect(decision.errors[0]?.message).toMatch(/^an action must (be a JSON object with|have) a string "tool"$/);
        }
        const thrown = thrownBy(() => engines.throw.evaluateAuto(input as Action));
        expect(thrown).toBeInstanceOf(TierguardError);
        expect((thrown as TierguardError).code).toBe('INVALID_ACTION');
      }),
      RUNS,
    );
  });

  it('is deterministic: the same action twice, a structured clone, and a second engine give equal decisions', async () => {
    const twin: Engine = await createEngine({ policies: structuredClone(POLICIES), limits: LIMIT_SETS[limitSet] });
    fc.assert(
      fc.property(actionArb, (action) => {
        const first = engines.deny.evaluateAuto(action);
        expect(engines.deny.evaluateAuto(action)).toEqual(first);
        expect(engines.deny.evaluateAuto(structuredClone(action))).toEqual(first);
        expect(twin.evaluateAuto(action)).toEqual(first);
      }),
      RUNS,
    );
  });

  it("never mutates the caller's action", async () => {
    await fc.assert(
      fc.asyncProperty(actionArb, async (action) => {
        const before = structuredClone(action);
        const keysBefore = JSON.stringify(action);
        engines.deny.evaluateAuto(action);
        engines.allow.evaluateAuto(action);
        await engines.deny.evaluate(action);
        try {
          engines.throw.evaluateAuto(action);
        } catch {
          // Only whether the action changed matters here.
        }
        expect(action).toEqual(before);
        expect(JSON.stringify(action)).toBe(keysBefore);
        expect(Object.isFrozen(action)).toBe(false);
      }),
      RUNS,
    );
  });

  it('never pollutes Object.prototype, whatever the keys', () => {
    fc.assert(
      fc.property(actionArb, (action) => {
        engines.deny.evaluateAuto(action);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('warn policies never block: an engine of warn policies alone allows every valid action', async () => {
    const warnOnly = await createEngine({
      policies: POLICIES.map((policy) => ({ ...policy, effect: 'warn' as const })),
      limits: LIMIT_SETS[limitSet],
    });
    fc.assert(
      fc.property(actionArb, (action) => {
        const decision = warnOnly.evaluateAuto(action);
        expect(decision.violations).toEqual([]);
        expect(decision.verdict).toBe(decision.errors.length > 0 ? 'deny' : 'allow');
        const reference = engines.deny.evaluateAuto(action);
        expect(decision.warnings.map((warning) => warning.policyId)).toEqual(
          [...reference.violations, ...reference.warnings]
            .sort((left, right) => POLICIES.findIndex((p) => p.id === left.policyId) - POLICIES.findIndex((p) => p.id === right.policyId))
            .map((violation) => violation.policyId),
        );
      }),
      RUNS,
    );
  });

  it('reports violations in policy order', () => {
    const order = new Map(POLICIES.map((policy, index) => [policy.id, index]));
    fc.assert(
      fc.property(actionArb, (action) => {
        const decision = engines.deny.evaluateAuto(action);
        for (const list of [decision.violations, decision.warnings]) {
          const positions = list.map((violation) => order.get(violation.policyId) ?? -1);
          expect(positions).toEqual([...positions].sort((left, right) => left - right));
        }
      }),
      RUNS,
    );
  });
});

describe('the fixed policy set decides known actions', () => {
  const engines = ENGINES.default;
  // Anchors for the properties above: if every action were silently allowed, or
  // every one denied, the consistency properties would still hold.
  const cases: readonly { readonly action: Action; readonly verdict: string; readonly ids: readonly string[] }[] = [
    {
      action: {
        tool: 'payments.transfer',
        arguments: { amount: 250, currency: 'EUR' },
        context: { limits: { maxAmount: 5000 } },
      },
      verdict: 'allow',
      ids: [],
    },
    {
      action: {
        tool: 'payments.transfer',
        arguments: { amount: 7500, currency: { code: 'GBP' } },
        context: { limits: { maxAmount: 10000 } },
      },
      verdict: 'escalate',
      ids: ['pay.review'],
    },
    {
      action: { tool: 'payments.refund', arguments: { amount: '500', currency: 'USD' }, context: { limits: { maxAmount: 10000 } } },
      verdict: 'deny',
      ids: ['pay.amount'],
    },
    { action: { tool: 'database.dropTable' }, verdict: 'deny', ids: ['db.drop'] },
    { action: { tool: 'database.restore', context: { user: { roles: ['dev', 'dba'] } } }, verdict: 'allow', ids: [] },
    {
      action: { tool: 'database.backup', context: { user: { roles: ['root', 'admin'] } } },
      verdict: 'escalate',
      ids: ['roles.no-root'],
    },
    { action: { tool: 'files.read', arguments: { path: '/SRV/a/b/C.TXT' } }, verdict: 'allow', ids: [] },
    { action: { tool: 'files.write', arguments: { path: '/etc/passwd' } }, verdict: 'deny', ids: ['files.path'] },
    { action: { tool: 'a.b', arguments: { x: -1, y: 'top secret' } }, verdict: 'deny', ids: ['secrets'] },
    { action: { tool: 'a.b', arguments: { x: -1, y: 'k' }, context: { secret: 'k' } }, verdict: 'deny', ids: ['secrets'] },
    { action: { tool: 'a.b', arguments: { x: 1, y: 'top secret' } }, verdict: 'allow', ids: [] },
    { action: { tool: 't', arguments: { status: 'deleted' } }, verdict: 'deny', ids: ['status.not-deleted'] },
    // A number is not `neq` a string (type mismatch), and it exists: neither alternative holds.
    { action: { tool: 't', arguments: { status: 3 } }, verdict: 'deny', ids: ['status.not-deleted'] },
    { action: { tool: 't', arguments: { status: 'active' } }, verdict: 'allow', ids: [] },
    {
      action: JSON.parse('{"tool":"t","arguments":{"constructor":1,"__proto__":{"polluted":true}}}') as Action,
      verdict: 'escalate',
      ids: ['constructor.key', 'proto.key'],
    },
    {
      action: { tool: 't', arguments: { confirmed: false }, context: { mode: { strict: true } } },
      verdict: 'deny',
      ids: ['strict.confirm'],
    },
    {
      action: { tool: 't', arguments: { target: 'b' }, context: { blocked: ['a', 'b'], min: 'a', forbidden: 'z' } },
      verdict: 'escalate',
      ids: ['blocked.ref'],
    },
    {
      action: { tool: 't', arguments: { target: 'c' }, context: { blocked: ['a', 'b'], min: 'a', forbidden: 'z' } },
      verdict: 'allow',
      ids: [],
    },
    {
      action: {
        tool: 'shop.cart/add',
        arguments: {
          items: [
            { qty: 2, sku: 'ABC-1', prototype: 0 },
            { qty: 1, sku: 'x' },
          ],
        },
      },
      verdict: 'allow',
      ids: ['sku.format'],
    },
    {
      action: { tool: 'shop.cart/add', arguments: { items: [{ qty: 0, sku: 'ABC-1', prototype: 0 }] } },
      verdict: 'deny',
      ids: ['items.every'],
    },
    {
      action: { tool: 't', arguments: { date: '2019-12-31' }, context: { today: '2024-01-01' } },
      verdict: 'allow',
      ids: ['dates.window'],
    },
  ];

  it.each(cases.map((entry, index) => [index, entry] as const))('case %i', (_index, { action, verdict, ids }) => {
    const decision = engines.deny.evaluateAuto(action);
    expect(decision.errors).toEqual([]);
    const found = new Set([...decision.violations, ...decision.warnings].map((violation) => violation.policyId));
    expect([...found].sort()).toEqual([...ids].sort());
    expect(decision.verdict).toBe(verdict);
  });
});
