import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, ComparisonDefinition, Decision, PolicyDefinition, PredicateDefinition, Violation } from '../../../src/index.js';

/**
 * Operators and policy keys as the README ("Policies", "Predicates", "Paths",
 * "Decisions") describes them: what each violation says, which effect wins, and
 * which policies apply to which tool.
 */

async function decide(policies: PolicyDefinition[], action: Action): Promise<Decision> {
  const engine = await createEngine({ policies });
  return engine.evaluateAuto(action);
}

/** The only violation of one policy asserting `predicate`. */
async function onlyViolation(predicate: PredicateDefinition, action: Action, extra: Partial<PolicyDefinition> = {}): Promise<Violation> {
  const decision = await decide([{ id: 'p', assert: predicate, ...extra }], action);
  expect(decision.errors).toEqual([]);
  expect(decision.violations).toHaveLength(1);
  return decision.violations[0] as Violation;
}

async function passes(predicate: PredicateDefinition, action: Action): Promise<boolean> {
  const decision = await decide([{ id: 'p', assert: predicate }], action);
  expect(decision.errors).toEqual([]);
  return decision.verdict === 'allow' && decision.violations.length === 0;
}

const act = (args: Record<string, unknown>, context: Record<string, unknown> = {}, tool = 't'): Action => ({
  tool,
  arguments: args,
  context,
});

const deny = { policyId: 'p', tier: 'auto', effect: 'deny', severity: 'violation' } as const;

interface FamilyCase {
  readonly name: string;
  readonly predicate: PredicateDefinition;
  readonly failing: Action;
  readonly passing: Action;
  readonly violation: Omit<Violation, 'policyId' | 'tier' | 'effect' | 'severity'>;
}

const FAMILIES: readonly FamilyCase[] = [
  {
    name: 'eq with a value',
    predicate: { field: 'arguments.currency', op: 'eq', value: 'EUR' },
    failing: act({ currency: 'USD' }),
    passing: act({ currency: 'EUR' }),
    violation: {
      constraint: 'eq',
      path: ['arguments', 'currency'],
      expected: 'EUR',
      actual: 'USD',
      message: 'arguments.currency must equal "EUR" (got "USD")',
    },
  },
  {
    name: 'eq with a valueRef',
    predicate: { field: 'arguments.currency', op: 'eq', valueRef: 'context.account.currency' },
    failing: act({ currency: 'USD' }, { account: { currency: 'EUR' } }),
    passing: act({ currency: 'EUR' }, { account: { currency: 'EUR' } }),
    violation: {
      constraint: 'eq',
      path: ['arguments', 'currency'],
      expected: 'EUR',
      actual: 'USD',
      message: 'arguments.currency must equal context.account.currency = "EUR" (got "USD")',
    },
  },
  {
    name: 'eq with an object value',
    predicate: { field: 'arguments.target', op: 'eq', value: { env: 'dev', region: 'eu' } },
    failing: act({ target: { env: 'prod', region: 'eu' } }),
    passing: act({ target: { region: 'eu', env: 'dev' } }),
    violation: {
      constraint: 'eq',
      path: ['arguments', 'target'],
      expected: { env: 'dev', region: 'eu' },
      actual: { env: 'prod', region: 'eu' },
      message: 'arguments.target must equal {"env":"dev","region":"eu"} (got {"env":"prod","region":"eu"})',
    },
  },
  {
    name: 'neq with a value',
    predicate: { field: 'arguments.to', op: 'neq', value: 'attacker' },
    failing: act({ to: 'attacker' }),
    passing: act({ to: 'friend' }),
    violation: {
      constraint: 'neq',
      path: ['arguments', 'to'],
      expected: 'attacker',
      actual: 'attacker',
      message: 'arguments.to must not equal "attacker" (got "attacker")',
    },
  },
  {
    name: 'neq with a valueRef',
    predicate: { field: 'arguments.to', op: 'neq', valueRef: 'arguments.from' },
    failing: act({ to: 'acc-1', from: 'acc-1' }),
    passing: act({ to: 'acc-2', from: 'acc-1' }),
    violation: {
      constraint: 'neq',
      path: ['arguments', 'to'],
      expected: 'acc-1',
      actual: 'acc-1',
      message: 'arguments.to must not equal arguments.from = "acc-1" (got "acc-1")',
    },
  },
  {
    name: 'gt with a value',
    predicate: { field: 'arguments.qty', op: 'gt', value: 0 },
    failing: act({ qty: 0 }),
    passing: act({ qty: 1 }),
    violation: {
      constraint: 'gt',
      path: ['arguments', 'qty'],
      expected: 0,
      actual: 0,
      message: 'arguments.qty must be greater than 0 (got 0)',
    },
  },
  {
    name: 'gte with a value',
    predicate: { field: 'arguments.qty', op: 'gte', value: 1 },
    failing: act({ qty: 0.5 }),
    passing: act({ qty: 1 }),
    violation: {
      constraint: 'gte',
      path: ['arguments', 'qty'],
      expected: 1,
      actual: 0.5,
      message: 'arguments.qty must be at least 1 (got 0.5)',
    },
  },
  {
    name: 'lt with a value',
    predicate: { field: 'arguments.qty', op: 'lt', value: 10 },
    failing: act({ qty: 10 }),
    passing: act({ qty: 9 }),
    violation: {
      constraint: 'lt',
      path: ['arguments', 'qty'],
      expected: 10,
      actual: 10,
      message: 'arguments.qty must be less than 10 (got 10)',
    },
  },
  {
    name: 'lte with a value',
    predicate: { field: 'arguments.qty', op: 'lte', value: 10 },
    failing: act({ qty: 11 }),
    passing: act({ qty: 10 }),
    violation: {
      constraint: 'lte',
      path: ['arguments', 'qty'],
      expected: 10,
      actual: 11,
      message: 'arguments.qty must be at most 10 (got 11)',
    },
  },
  {
    name: 'lte with a valueRef (the README example)',
    predicate: { field: 'arguments.amount', op: 'lte', valueRef: 'context.limits.maxAmount' },
    failing: { tool: 'payments.transfer', arguments: { amount: 25000, currency: 'EUR' }, context: { limits: { maxAmount: 5000 } } },
    passing: { tool: 'payments.transfer', arguments: { amount: 5000, currency: 'EUR' }, context: { limits: { maxAmount: 5000 } } },
    violation: {
      constraint: 'lte',
      path: ['arguments', 'amount'],
      expected: 5000,
      actual: 25000,
      message: 'arguments.amount must be at most context.limits.maxAmount = 5000 (got 25000)',
    },
  },
  {
    name: 'gte with a string valueRef',
    predicate: { field: 'arguments.date', op: 'gte', valueRef: 'context.today' },
    failing: act({ date: '2024-04-30' }, { today: '2024-05-01' }),
    passing: act({ date: '2024-05-01' }, { today: '2024-05-01' }),
    violation: {
      constraint: 'gte',
      path: ['arguments', 'date'],
      expected: '2024-05-01',
      actual: '2024-04-30',
      message: 'arguments.date must be at least context.today = "2024-05-01" (got "2024-04-30")',
    },
  },
  {
    name: 'in with a value',
    predicate: { field: 'arguments.currency', op: 'in', value: ['EUR', 'USD'] },
    failing: act({ currency: 'GBP' }),
    passing: act({ currency: 'USD' }),
    violation: {
      constraint: 'in',
      path: ['arguments', 'currency'],
      expected: ['EUR', 'USD'],
      actual: 'GBP',
      message: 'arguments.currency must be one of ["EUR","USD"] (got "GBP")',
    },
  },
  {
    name: 'in with a valueRef',
    predicate: { field: 'arguments.currency', op: 'in', valueRef: 'context.allowed' },
    failing: act({ currency: 'GBP' }, { allowed: ['EUR'] }),
    passing: act({ currency: 'EUR' }, { allowed: ['EUR'] }),
    violation: {
      constraint: 'in',
      path: ['arguments', 'currency'],
      expected: ['EUR'],
      actual: 'GBP',
      message: 'arguments.currency must be one of context.allowed = ["EUR"] (got "GBP")',
    },
  },
  {
    name: 'not_in with a value',
    predicate: { field: 'arguments.country', op: 'not_in', value: ['KP', 'IR'] },
    failing: act({ country: 'KP' }),
    passing: act({ country: 'FR' }),
    violation: {
      constraint: 'not_in',
      path: ['arguments', 'country'],
      expected: ['KP', 'IR'],
      actual: 'KP',
      message: 'arguments.country must not be one of ["KP","IR"] (got "KP")',
    },
  },
  {
    name: 'not_in with a valueRef',
    predicate: { field: 'arguments.country', op: 'not_in', valueRef: 'context.embargoed' },
    failing: act({ country: 'IR' }, { embargoed: ['KP', 'IR'] }),
    passing: act({ country: 'FR' }, { embargoed: ['KP', 'IR'] }),
    violation: {
      constraint: 'not_in',
      path: ['arguments', 'country'],
      expected: ['KP', 'IR'],
      actual: 'IR',
      message: 'arguments.country must not be one of context.embargoed = ["KP","IR"] (got "IR")',
    },
  },
  {
    name: 'regex with a value and flags',
    predicate: { field: 'arguments.email', op: 'regex', value: '@example\\.com$', flags: 'i' },
    failing: act({ email: 'a@evil.com' }),
    passing: act({ email: 'a@EXAMPLE.com' }),
    violation: {
      constraint: 'regex',
      path: ['arguments', 'email'],
      expected: '@example\\.com$',
      actual: 'a@evil.com',
      message: 'arguments.email must match regex /@example\\.com$/i (got "a@evil.com")',
    },
  },
  {
    name: 'glob with a value',
    predicate: { field: 'arguments.path', op: 'glob', value: '/tmp/**' },
    failing: act({ path: '/etc/passwd' }),
    passing: act({ path: '/tmp/a/b.txt' }),
    violation: {
      constraint: 'glob',
      path: ['arguments', 'path'],
      expected: '/tmp/**',
      actual: '/etc/passwd',
      message: 'arguments.path must match glob "/tmp/**" (got "/etc/passwd")',
    },
  },
  {
    name: 'regex on a number (no coercion)',
    predicate: { field: 'arguments.code', op: 'regex', value: '^[0-9]+$' },
    failing: act({ code: 123 }),
    passing: act({ code: '123' }),
    violation: {
      constraint: 'regex',
      path: ['arguments', 'code'],
      expected: '^[0-9]+$',
      actual: 123,
      message: 'arguments.code must match regex /^[0-9]+$/ (got 123, a number)',
    },
  },
];

describe('operator families: violation fields', () => {
  it.each(FAMILIES.map((item) => [item.name, item] as const))('%s', async (_name, { predicate, failing, passing, violation }) => {
    expect(await onlyViolation(predicate, failing)).toEqual({ ...deny, ...violation });
    expect(await passes(predicate, passing)).toBe(true);
  });

  it('exists: a missing field has no actual', async () => {
    const predicate: PredicateDefinition = { field: 'arguments.reason', op: 'exists' };
    const violation = await onlyViolation(predicate, act({}));
    expect(violation).toEqual({
      ...deny,
      constraint: 'exists',
      path: ['arguments', 'reason'],
      message: 'arguments.reason is required (got missing)',
    });
    expect('actual' in violation).toBe(false);
    expect(await passes(predicate, act({ reason: 'audit' }))).toBe(true);
  });

  it('exists: a null field is reported with the null it found', async () => {
    const violation = await onlyViolation({ field: 'arguments.reason', op: 'exists' }, act({ reason: null }));
    expect(violation.constraint).toBe('exists');
    expect(violation.path).toEqual(['arguments', 'reason']);
    expect(violation.actual).toBeNull();
  });

  it.each<[string, ComparisonDefinition, string]>([
    ['eq', { field: 'arguments.currency', op: 'eq', value: 'EUR' }, 'arguments.currency must equal "EUR" (got missing)'],
    ['lte', { field: 'arguments.amount', op: 'lte', value: 10 }, 'arguments.amount must be at most 10 (got missing)'],
    ['in', { field: 'arguments.currency', op: 'in', value: ['EUR'] }, 'arguments.currency must be one of ["EUR"] (got missing)'],
    ['glob', { field: 'arguments.path', op: 'glob', value: '*' }, 'arguments.path must match glob "*" (got missing)'],
  ])('%s over a missing field: actual is absent and the message says missing', async (_op, predicate, message) => {
    const violation = await onlyViolation(predicate, act({}));
    expect('actual' in violation).toBe(false);
    expect(violation.message).toBe(message);
    expect(violation.path).toEqual(predicate.field.split('.'));
  });

  it('a missing valueRef: the comparison fails and nothing was read for expected', async () => {
    const violation = await onlyViolation(
      { field: 'arguments.amount', op: 'lte', valueRef: 'context.limits.maxAmount' },
      act({ amount: 1 }),
    );
    expect(violation.constraint).toBe('lte');
    expect(violation.actual).toBe(1);
    expect(violation.expected).toBeUndefined();
    expect(violation.message).toBe('arguments.amount must be at most context.limits.maxAmount = missing (got 1)');
  });
});

describe('violation paths', () => {
  const items = act({ items: [{ qty: 1 }, { qty: 20 }], map: { '1': { qty: 30 } } });

  it.each([
    ['arguments.items[1].qty', ['arguments', 'items', 1, 'qty']],
    ['arguments.items.1.qty', ['arguments', 'items', 1, 'qty']],
    ['$.arguments.items[1].qty', ['arguments', 'items', 1, 'qty']],
    ['$.arguments.items[*].qty', ['arguments', 'items', 1, 'qty']],
    ['$..qty', ['arguments', 'items', 1, 'qty']],
    ['arguments.map.1.qty', ['arguments', 'map', '1', 'qty']],
    ['arguments.map["1"].qty', ['arguments', 'map', '1', 'qty']],
  ] as const)('%s points at %j, with numbers only for array indices', async (field, path) => {
    const decision = await decide([{ id: 'p', assert: { field, op: 'lte', value: 10 } }], items);
    expect(decision.violations.map((violation) => violation.path)).toEqual(
      field === '$..qty' ? [path, ['arguments', 'map', '1', 'qty']] : [path],
    );
  });

  it('a bracket-quoted key is one segment', async () => {
    const violation = await onlyViolation(
      { field: 'context.headers["x-api.key"]', op: 'eq', value: 'k' },
      { tool: 't', context: { headers: { 'x-api.key': 'other' } } },
    );
    expect(violation.path).toEqual(['context', 'headers', 'x-api.key']);
    expect(violation.actual).toBe('other');
  });

  it('a missing element of an existing array is still pointed at with a numeric index', async () => {
    const violation = await onlyViolation({ field: 'arguments.items[5].qty', op: 'exists' }, items);
    expect(violation.path).toEqual(['arguments', 'items', 5, 'qty']);
  });

  it('a required element of an existing array is pointed at with a numeric index', async () => {
    const decision = await decide([{ id: 'p', require: ['arguments.items[0].sku'] }], items);
    expect(decision.violations.map((violation) => violation.path)).toEqual([['arguments', 'items', 0, 'sku']]);
  });
});

describe('message templates', () => {
  const template = '{policy}|{tool}|{field}|{op}|{expected}|{actual}';

  it('fills every placeholder for a literal comparison', async () => {
    const violation = await onlyViolation(
      { field: 'arguments.amount', op: 'lte', value: 5000 },
      act({ amount: 25000 }, {}, 'payments.transfer'),
      { message: template },
    );
    expect(violation.message).toBe('p|payments.transfer|arguments.amount|lte|5000|25000');
    expect(violation.expected).toBe(5000);
    expect(violation.actual).toBe(25000);
  });

  it('uses the value read through valueRef as {expected}', async () => {
    const violation = await onlyViolation(
      { field: 'arguments.amount', op: 'lte', valueRef: 'context.limits.maxAmount' },
      act({ amount: 25000 }, { limits: { maxAmount: 5000 } }),
      { message: 'over {expected} by policy {policy}' },
    );
    expect(violation.message).toBe('over 5000 by policy p');
  });

  it('renders strings and lists as JSON and a missing value as missing', async () => {
    const violation = await onlyViolation({ field: 'arguments.currency', op: 'in', value: ['EUR', 'USD'] }, act({}), {
      message: template,
    });
    expect(violation.message).toBe('p|t|arguments.currency|in|["EUR","USD"]|missing');
    const found = await onlyViolation({ field: 'arguments.currency', op: 'eq', value: 'EUR' }, act({ currency: 'GBP' }), {
      message: '{actual} is not {expected}',
    });
    expect(found.message).toBe('"GBP" is not "EUR"');
  });

  it('repeats placeholders and keeps the rest of the text as written', async () => {
    const violation = await onlyViolation({ field: 'arguments.x', op: 'eq', value: 1 }, act({ x: 2 }), {
      message: '{field}: {field} ({op}) -- no braces {here',
    });
    expect(violation.message).toBe('arguments.x: arguments.x (eq) -- no braces {here');
  });

  it('applies to require and applies violations too', async () => {
    const required = await decide([{ id: 'r', require: ['arguments.x'], message: '{policy} needs {field} ({op})' }], act({}));
    expect(required.violations.map((violation) => violation.message)).toEqual(['r needs arguments.x (require)']);
    const forbidden = await decide(
      [{ id: 'f', tools: ['db.drop*'], message: '{policy} blocks {tool} ({op})' }],
      act({}, {}, 'db.dropTable'),
    );
    expect(forbidden.violations.map((violation) => violation.message)).toEqual(['f blocks db.dropTable (applies)']);
  });
});

describe('compound predicates', () => {
  it('any: one violation for the alternatives together', async () => {
    const violation = await onlyViolation(
      {
        any: [
          { field: 'arguments.a', op: 'eq', value: 1 },
          { field: 'arguments.b', op: 'eq', value: 1 },
        ],
      },
      act({ a: 2, b: 3 }),
    );
    expect(violation).toEqual({
      ...deny,
      constraint: 'any',
      path: ['arguments', 'a'],
      expected: '(arguments.a == 1 or arguments.b == 1)',
      actual: 2,
      message: 'none of the alternatives held: arguments.a must equal 1 (got 2); or arguments.b must equal 1 (got 3)',
    });
    expect(
      await passes(
        {
          any: [
            { field: 'arguments.a', op: 'eq', value: 1 },
            { field: 'arguments.b', op: 'eq', value: 1 },
          ],
        },
        act({ b: 1 }),
      ),
    ).toBe(true);
  });

  it('not: the violation points at the negated field', async () => {
    const violation = await onlyViolation({ not: { field: 'arguments.to', op: 'in', value: ['x'] } }, act({ to: 'x' }));
    expect(violation).toMatchObject({ ...deny, constraint: 'not', path: ['arguments', 'to'], actual: 'x' });
    expect(violation.message).toContain('arguments.to in ["x"]');
    expect(await passes({ not: { field: 'arguments.to', op: 'in', value: ['x'] } }, act({ to: 'y' }))).toBe(true);
  });

  it('all: each failing part is its own violation', async () => {
    const decision = await decide(
      [
        {
          id: 'p',
          assert: {
            all: [
              { field: 'arguments.a', op: 'eq', value: 1 },
              { field: 'arguments.b', op: 'eq', value: 1 },
              { field: 'arguments.c', op: 'eq', value: 1 },
            ],
          },
        },
      ],
      act({ a: 2, b: 1, c: 3 }),
    );
    expect(decision.violations.map(({ constraint, path }) => [constraint, path])).toEqual([
      ['eq', ['arguments', 'a']],
      ['eq', ['arguments', 'c']],
    ]);
  });
});

describe('effects', () => {
  const failing = (id: string, effect?: 'deny' | 'escalate' | 'warn'): PolicyDefinition => ({
    id,
    ...(effect === undefined ? {} : { effect }),
    assert: { field: 'arguments.ok', op: 'eq', value: true },
  });
  const bad = act({ ok: false });

  it('deny is the default effect', async () => {
    const decision = await decide([failing('d')], bad);
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map(({ effect, severity }) => [effect, severity])).toEqual([['deny', 'violation']]);
  });

  it('escalate alone escalates', async () => {
    const decision = await decide([failing('e', 'escalate')], bad);
    expect(decision.verdict).toBe('escalate');
    expect(decision.violations.map(({ policyId, effect, severity }) => [policyId, effect, severity])).toEqual([
      ['e', 'escalate', 'violation'],
    ]);
    expect(decision.warnings).toEqual([]);
  });

  it('deny outranks escalate, in either order', async () => {
    for (const policies of [
      [failing('e', 'escalate'), failing('d', 'deny')],
      [failing('d', 'deny'), failing('e', 'escalate')],
    ]) {
      const decision = await decide(policies, bad);
      expect(decision.verdict).toBe('deny');
      expect(decision.violations.map((violation) => violation.policyId)).toEqual(policies.map((policy) => policy.id));
    }
  });

  it('warn goes to warnings and never blocks', async () => {
    const alone = await decide([failing('w', 'warn')], bad);
    expect(alone.verdict).toBe('allow');
    expect(alone.violations).toEqual([]);
    expect(alone.warnings).toEqual([
      {
        policyId: 'w',
        tier: 'auto',
        constraint: 'eq',
        path: ['arguments', 'ok'],
        expected: true,
        actual: false,
        message: 'arguments.ok must equal true (got false)',
        effect: 'warn',
        severity: 'warning',
      },
    ]);

    const withEscalate = await decide([failing('w', 'warn'), failing('e', 'escalate')], bad);
    expect(withEscalate.verdict).toBe('escalate');
    expect(withEscalate.violations.map((violation) => violation.policyId)).toEqual(['e']);
    expect(withEscalate.warnings.map((violation) => violation.policyId)).toEqual(['w']);

    const withDeny = await decide([failing('d'), failing('w', 'warn')], bad);
    expect(withDeny.verdict).toBe('deny');
    expect(withDeny.violations.map((violation) => violation.policyId)).toEqual(['d']);
    expect(withDeny.warnings.map((violation) => violation.policyId)).toEqual(['w']);
  });

  it('passing policies of every effect allow', async () => {
    const decision = await decide([failing('d'), failing('e', 'escalate'), failing('w', 'warn')], act({ ok: true }));
    expect(decision).toMatchObject({ verdict: 'allow', violations: [], warnings: [], errors: [] });
  });
});

describe('when', () => {
  const policy: PolicyDefinition = {
    id: 'p',
    when: { field: 'arguments.amount', op: 'gt', value: 1000 },
    assert: { field: 'arguments.currency', op: 'eq', value: 'EUR' },
  };

  it('the policy applies only when `when` holds', async () => {
    expect((await decide([policy], act({ amount: 500, currency: 'USD' }))).verdict).toBe('allow');
    expect((await decide([policy], act({ amount: 1000, currency: 'USD' }))).verdict).toBe('allow');
    expect((await decide([policy], act({ amount: 2000, currency: 'EUR' }))).verdict).toBe('allow');
    const applies = await decide([policy], act({ amount: 2000, currency: 'USD' }));
    expect(applies.verdict).toBe('deny');
    expect(applies.violations.map(({ constraint, path }) => [constraint, path])).toEqual([['eq', ['arguments', 'currency']]]);
  });

  it('a `when` over a missing field does not hold, and its `not` does', async () => {
    expect((await decide([policy], act({ currency: 'USD' }))).verdict).toBe('allow');
    const negated: PolicyDefinition = { ...policy, when: { not: { field: 'arguments.amount', op: 'gt', value: 1000 } } };
    expect((await decide([negated], act({ currency: 'USD' }))).verdict).toBe('deny');
    expect((await decide([negated], act({ amount: 5000, currency: 'USD' }))).verdict).toBe('allow');
  });

  it('`when` gates `require` too', async () => {
    const required: PolicyDefinition = { id: 'p', when: { field: 'arguments.kind', op: 'eq', value: 'wire' }, require: ['arguments.iban'] };
    expect((await decide([required], act({ kind: 'card' }))).verdict).toBe('allow');
    expect((await decide([required], act({ kind: 'wire' }))).verdict).toBe('deny');
    expect((await decide([required], act({ kind: 'wire', iban: 'DE00' }))).verdict).toBe('allow');
  });
});

describe('require', () => {
  it('null counts as missing; each missing field is one violation, in require order', async () => {
    const decision = await decide([{ id: 'p', require: ['arguments.b', 'arguments.a', 'arguments.c'] }], act({ a: null, c: 0 }));
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toEqual([
      { ...deny, constraint: 'require', path: ['arguments', 'b'], expected: 'present', message: 'arguments.b is required' },
      {
        ...deny,
        constraint: 'require',
        path: ['arguments', 'a'],
        expected: 'present',
        actual: null,
        message: 'arguments.a is required',
      },
    ]);
    expect('actual' in (decision.violations[0] as Violation)).toBe(false);
  });

  it('the assertion is explained only once every required field is present', async () => {
    const policy: PolicyDefinition = {
      id: 'p',
      require: ['arguments.amount', 'arguments.currency'],
      assert: {
        all: [
          { field: 'arguments.amount', op: 'lte', value: 100 },
          { field: 'arguments.currency', op: 'in', value: ['EUR'] },
        ],
      },
    };
    const missing = await decide([policy], act({ amount: 500 }));
    expect(missing.violations.map(({ constraint, path }) => [constraint, path])).toEqual([['require', ['arguments', 'currency']]]);
    const isNull = await decide([policy], act({ amount: 500, currency: null }));
    expect(isNull.violations.map(({ constraint, path }) => [constraint, path])).toEqual([['require', ['arguments', 'currency']]]);
    const present = await decide([policy], act({ amount: 500, currency: 'USD' }));
    expect(present.violations.map(({ constraint, path }) => [constraint, path])).toEqual([
      ['lte', ['arguments', 'amount']],
      ['in', ['arguments', 'currency']],
    ]);
    expect((await decide([policy], act({ amount: 50, currency: 'EUR' }))).verdict).toBe('allow');
  });

  it('require alone passes once every field is present', async () => {
    const decision = await decide([{ id: 'p', require: ['arguments.a', 'context.user.id'] }], act({ a: false }, { user: { id: '' } }));
    expect(decision.verdict).toBe('allow');
  });
});

describe('a policy with neither require nor assert', () => {
  it('forbids the tools it names outright', async () => {
    const policy: PolicyDefinition = { id: 'no-drop', tools: ['database.drop*'] };
    const decision = await decide([policy], { tool: 'database.dropTable', arguments: { name: 'users' } });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toEqual([
      {
        policyId: 'no-drop',
        tier: 'auto',
        constraint: 'applies',
        path: ['tool'],
        expected: ['database.drop*'],
        actual: 'database.dropTable',
        message: 'no-drop forbids database.dropTable',
        effect: 'deny',
        severity: 'violation',
      },
    ]);
    expect((await decide([policy], { tool: 'database.read' })).verdict).toBe('allow');
  });

  it('escalates above a threshold, pointing at the field of `when`', async () => {
    const policy: PolicyDefinition = {
      id: 'big-payment',
      tools: ['payments.*'],
      effect: 'escalate',
      when: { field: 'arguments.amount', op: 'gt', value: 5000 },
    };
    const decision = await decide([policy], act({ amount: 25000 }, {}, 'payments.transfer'));
    expect(decision.verdict).toBe('escalate');
    expect(decision.violations).toHaveLength(1);
    expect(decision.violations[0]).toMatchObject({
      policyId: 'big-payment',
      constraint: 'applies',
      path: ['arguments', 'amount'],
      actual: 25000,
      effect: 'escalate',
      severity: 'violation',
    });
    expect((await decide([policy], act({ amount: 5000 }, {}, 'payments.transfer'))).verdict).toBe('allow');
    expect((await decide([policy], act({}, {}, 'payments.transfer'))).verdict).toBe('allow');
    expect((await decide([policy], act({ amount: 25000 }, {}, 'crm.update'))).verdict).toBe('allow');
  });

  it('without tools or when it applies to every action', async () => {
    const decision = await decide([{ id: 'lockdown' }], { tool: 'anything.at/all' });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map(({ constraint, path, actual }) => [constraint, path, actual])).toEqual([
      ['applies', ['tool'], 'anything.at/all'],
    ]);
  });
});

describe('tools', () => {
  /** True when a policy with these tools applies to `tool` (it forbids outright, so applying means deny). */
  const appliesTo = async (tools: string[] | undefined, tool: string): Promise<boolean> => {
    const decision = await decide([{ id: 'p', ...(tools === undefined ? {} : { tools }) }], { tool });
    return decision.verdict === 'deny';
  };

  it.each([
    ['payments.transfer', true],
    ['payments.refund', true],
    ['payments.', true],
    ['paymentsXtransfer', false],
    ['payments/x', false],
    ['payments.a/b', false],
    ['payments', false],
    ['PAYMENTS.transfer', false],
    ['xpayments.transfer', false],
    ['payments.transfer ', true],
  ] as const)('payments.* on %j applies: %s', async (tool, expected) => {
    expect(await appliesTo(['payments.*'], tool)).toBe(expected);
  });

  it.each([
    ['db.drop', true],
    ['db.dropx', false],
    ['db.dro', false],
    ['DB.DROP', false],
    ['xdb.drop', false],
  ] as const)('the exact name db.drop on %j applies: %s', async (tool, expected) => {
    expect(await appliesTo(['db.drop'], tool)).toBe(expected);
  });

  it('several patterns select the union, and a tool matching two of them is reported once', async () => {
    const tools = ['db.drop', 'fs/**', 'payments.*', 'payments.transfer'];
    expect(await appliesTo(tools, 'db.drop')).toBe(true);
    expect(await appliesTo(tools, 'fs/a/b')).toBe(true);
    expect(await appliesTo(tools, 'fs')).toBe(true);
    expect(await appliesTo(tools, 'fsx')).toBe(false);
    expect(await appliesTo(tools, 'crm.update')).toBe(false);
    const decision = await decide([{ id: 'p', tools }], { tool: 'payments.transfer' });
    expect(decision.violations).toHaveLength(1);
  });

  it('braces and classes select tools as globs', async () => {
    expect(await appliesTo(['{db,fs}.write'], 'fs.write')).toBe(true);
    expect(await appliesTo(['{db,fs}.write'], 'crm.write')).toBe(false);
    expect(await appliesTo(['v[0-9].call'], 'v2.call')).toBe(true);
    expect(await appliesTo(['v[0-9].call'], 'vx.call')).toBe(false);
  });

  it.each(['payments.transfer', 'a', '', 'x/y/z', '*', 'ünïcödé'])('a policy without tools applies to %j', async (tool) => {
    expect(await appliesTo(undefined, tool)).toBe(true);
  });

  it('a policy whose tools do not match is not evaluated at all', async () => {
    const decision = await decide(
      [{ id: 'p', tools: ['payments.*'], assert: { field: 'arguments.amount', op: 'lte', value: 1 } }],
      act({ amount: 1000 }, {}, 'crm.update'),
    );
    expect(decision).toMatchObject({ verdict: 'allow', violations: [], warnings: [], errors: [] });
  });
});
