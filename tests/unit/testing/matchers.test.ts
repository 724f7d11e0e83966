import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, Decision, Engine, PolicyDefinition } from '../../../src/index.js';
import { tierguardMatchers } from '../../../src/testing/index.js';

expect.extend(tierguardMatchers);

const POLICIES = [
  { id: 'payments.limit', assert: { field: 'arguments.amount', op: 'lte', value: 1000 } },
  { id: 'payments.review', effect: 'escalate', assert: { field: 'arguments.amount', op: 'lte', value: 500 } },
  { id: 'payments.note', effect: 'warn', require: ['arguments.note'] },
  // A message without the path, so a formatted path in a failure comes from the matcher.
  {
    id: 'orders.sku',
    tools: ['order'],
    assert: { field: 'arguments.items[0].sku', op: 'regex', value: '^[A-Z]+$' },
    message: 'SKU {actual} is not upper case',
  },
] as const;

let engine: Engine;
let errorEngine: Engine;
const decide = (action: Action): Decision => engine.evaluateAuto(action);

/** The message of the assertion error `assertion` throws; fails the test when it does not throw. */
function failure(assertion: () => void): string {
  try {
    assertion();
  } catch (error) {
    return (error as Error).message;
  }
  return expect.unreachable('the assertion passed');
}

beforeAll(async () => {
  engine = await createEngine({ policies: POLICIES });
  errorEngine = await createEngine({
    policies: [{ id: 'names.prefix', assert: { field: 'arguments.name', op: 'regex', value: '^a' } }],
    limits: { maxStringLength: 8 },
  });
});

describe('tierguard/testing matchers on real decisions', () => {
  it('allow: toAllow passes, the others fail', () => {
    const decision = decide({ tool: 'pay', arguments: { amount: 10, note: 'rent' } });
    expect(decision).toAllow();
    expect(decision).not.toDeny();
    expect(decision).not.toEscalate();
    expect(decision).not.toBeDeniedBy('payments.limit');
    const message = failure(() => expect(decision).toDeny());
    expect(message).toContain('expect(decision).toDeny()');
    expect(message).toContain('expected the decision to deny, but its verdict is allow');
    expect(message).toContain('violations: none');
    expect(message).toContain('warnings: none');
    expect(message).toContain('errors: none');
  });

  it('warn only: toAllow passes and .not.toAllow shows the warnings', () => {
    const decision = decide({ tool: 'pay', arguments: { amount: 10 } });
    expect(decision).toAllow();
    const message = failure(() => expect(decision).not.toAllow());
    expect(message).toContain('expect(decision).not.toAllow()');
    expect(message).toContain('expected the decision not to allow, but its verdict is allow');
    expect(message).toContain('warnings (1):');
    expect(message).toContain('policy "payments.note" at arguments.note: arguments.note is required [warn]');
  });

  it('deny: toDeny and toBeDeniedBy pass; toAllow fails showing every violation', () => {
    const decision = decide({ tool: 'pay', arguments: { amount: 5000 } });
    expect(decision).toDeny();
    expect(decision).toBeDeniedBy('payments.limit');
    expect(decision).not.toAllow();
    expect(decision).not.toEscalate();
    const message = failure(() => expect(decision).toAllow());
    expect(message).toContain('expected the decision to allow, but its verdict is deny');
    expect(message).toContain('verdict: deny');
    expect(message).toContain('violations (2):');
    for (const violation of decision.violations) {
      expect(message).toContain(violation.policyId);
      expect(message).toContain(violation.message);
    }
    expect(message).toContain('policy "payments.limit" at arguments.amount: arguments.amount must be at most 1000 (got 5000) [deny]');
    expect(message).toContain('policy "payments.review" at arguments.amount: arguments.amount must be at most 500 (got 5000) [escalate]');
    expect(message).toContain('warnings (1):');
  });

  it('formats the path of each violation as a policy writes it', () => {
    const decision = decide({ tool: 'order', arguments: { amount: 1, note: 'n', items: [{ sku: 'ab' }] } });
    const message = failure(() => expect(decision).toAllow());
    expect(message).toContain('policy "orders.sku" at arguments.items[0].sku: SKU "ab" is not upper case [deny]');
  });

  it('toBeDeniedBy fails for a policy that only escalates, and names the policies that denied', () => {
    const decision = decide({ tool: 'pay', arguments: { amount: 5000 } });
    expect(decision).not.toBeDeniedBy('payments.review');
    expect(decision).not.toBeDeniedBy('no.such.policy');
    const message = failure(() => expect(decision).toBeDeniedBy('payments.review'));
    expect(message).toContain('expect(decision).toBeDeniedBy("payments.review")');
    expect(message).toContain(
      'expected the decision to be denied by policy "payments.review", but it was denied by policy "payments.limit"',
    );
    expect(message).toContain('policy "payments.review" at arguments.amount');
    const negated = failure(() => expect(decision).not.toBeDeniedBy('payments.limit'));
    expect(negated).toContain('expected the decision not to be denied by policy "payments.limit", but a deny violation names it');
  });

  it('escalate: toEscalate passes; toBeDeniedBy fails on the verdict', () => {
    const decision = decide({ tool: 'pay', arguments: { amount: 700, note: 'big' } });
    expect(decision).toEscalate();
    expect(decision).not.toAllow();
    expect(decision).not.toDeny();
    expect(decision).not.toBeDeniedBy('payments.review');
    const message = failure(() => expect(decision).toBeDeniedBy('payments.review'));
    expect(message).toContain('expected the decision to be denied by policy "payments.review", but its verdict is escalate');
    expect(message).toContain('policy "payments.review" at arguments.amount: arguments.amount must be at most 500 (got 700) [escalate]');
    const negated = failure(() => expect(decision).not.toEscalate());
    expect(negated).toContain('expected the decision not to escalate, but its verdict is escalate');
  });

  it('a deny from evaluation errors: toDeny passes, toBeDeniedBy fails and the message shows the errors', () => {
    const decision = errorEngine.evaluateAuto({ tool: 't', arguments: { name: 'a'.repeat(20) } });
    expect(decision.errors).toHaveLength(1);
    expect(decision).toDeny();
    const message = failure(() => expect(decision).toBeDeniedBy('names.prefix'));
    expect(message).toContain('but it was denied by evaluation errors');
    expect(message).toContain('errors (1):');
    expect(message).toContain(`LIMIT_EXCEEDED in policy "names.prefix": ${decision.errors[0]?.message ?? ''}`);
  });

  it('works as asymmetric matchers', () => {
    const allowed = decide({ tool: 'pay', arguments: { amount: 1, note: 'n' } });
    const denied = decide({ tool: 'pay', arguments: { amount: 5000 } });
    expect([allowed, denied]).toEqual([expect.toAllow(), expect.toBeDeniedBy('payments.limit')]);
    expect([allowed, denied]).toEqual([expect.not.toDeny(), expect.not.toAllow()]);
    expect(denied).not.toEqual(expect.toAllow());
  });

  it('accepts a decision that went through JSON', () => {
    const decision = JSON.parse(JSON.stringify(decide({ tool: 'pay', arguments: { amount: 5000 } }))) as unknown;
    expect(decision).toBeDeniedBy('payments.limit');
  });
});

describe('tierguard/testing matchers on values that are not decisions', () => {
  const NOT_DECISIONS: readonly [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a string', 'allow'],
    ['an object without a verdict', { violations: [] }],
    ['an unknown verdict', { verdict: 'maybe', violations: [], warnings: [], errors: [] }],
    ['violations that are not an array', { verdict: 'allow', violations: {}, warnings: [], errors: [] }],
    [
      'a violation without a path',
      { verdict: 'deny', violations: [{ policyId: 'p', message: 'm', effect: 'deny' }], warnings: [], errors: [] },
    ],
    ['an error without a code', { verdict: 'deny', violations: [], warnings: [], errors: [{ message: 'm' }] }],
    ['rewrites that are not an array', { verdict: 'allow', violations: [], warnings: [], errors: [], rewrites: 'x', escalatedBy: [] }],
    [
      'a rewrite without applied',
      {
        verdict: 'allow',
        violations: [],
        warnings: [],
        errors: [],
        rewrites: [{ policyId: 'p', op: 'cap_value', path: ['a'] }],
        escalatedBy: [],
      },
    ],
    ['escalatedBy holding a number', { verdict: 'allow', violations: [], warnings: [], errors: [], rewrites: [], escalatedBy: [1] }],
  ];

  it.each(NOT_DECISIONS)('fails on %s, with and without .not', (_name, value) => {
    for (const assertion of [
      () => expect(value).toAllow(),
      () => expect(value).not.toAllow(),
      () => expect(value).toDeny(),
      () => expect(value).not.toDeny(),
      () => expect(value).toEscalate(),
      () => expect(value).not.toEscalate(),
      () => expect(value).toBeDeniedBy('p'),
      () => expect(value).not.toBeDeniedBy('p'),
      () => expect(value).toBeEscalatedBy('p'),
      () => expect(value).not.toBeEscalatedBy('p'),
      () => expect(value).toWarn(),
      () => expect(value).not.toWarn('p'),
      () => expect(value).toRewrite(),
      () => expect(value).not.toRewrite('a.b'),
      () => expect(value).toHaveViolationAt('a'),
      () => expect(value).not.toHaveViolationAt([]),
    ]) {
      expect(failure(assertion)).toContain('expected a tierguard Decision');
    }
  });

  it('says where a decision is malformed', () => {
    const message = failure(() => expect({ verdict: 'deny', violations: [], warnings: [], errors: [{ message: 'm' }] }).toDeny());
    expect(message).toContain('but its errors[0] is not an EvaluationError');
    expect(failure(() => expect(42).toAllow())).toContain('but received 42: no verdict of allow, deny or escalate');
  });

  it('tells the user to await a pending evaluation', async () => {
    const pending = engine.evaluate({ tool: 'pay', arguments: { amount: 1 } });
    // Typed to return the Promise (vitest's documented `Matchers<T>` shape), which is how linters flag this mistake.
    const forgotAwait = (): void => void expect(pending).toAllow();
    expect(failure(forgotAwait)).toContain('received a Promise: await engine.evaluate(action) first');
    await expect(pending).resolves.toAllow();
  });

  it('never throws from the matcher itself, even on hostile values or without a context', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const value of [hostile, revoked]) {
      for (const isNot of [false, true]) {
        const result = tierguardMatchers.toAllow.call({ isNot }, value);
        expect(result.pass).toBe(isNot);
        expect(result.message()).toContain('reading the received value threw');
      }
    }
    const unbound = tierguardMatchers.toDeny;
    expect(unbound.call(undefined as never, { verdict: 'deny', violations: [], warnings: [], errors: [] }).pass).toBe(true);
  });

  it('fails toBeDeniedBy without a policy id string', () => {
    const decision = decide({ tool: 'pay', arguments: { amount: 5000 } });
    for (const assertion of [
      // @ts-expect-error: the policy id is required
      () => expect(decision).toBeDeniedBy(),
      // @ts-expect-error: the policy id is a string
      () => expect(decision).not.toBeDeniedBy(1),
    ]) {
      expect(failure(assertion)).toContain('expected a policy id string');
    }
  });
});

describe('tierguard/testing matchers for escalations, warnings, rewrites and paths', () => {
  const REVIEW_POLICIES: PolicyDefinition[] = [
    { id: 'payments.review', effect: 'escalate', assert: { field: 'arguments.amount', op: 'lte', value: 500 } },
    { id: 'payments.second-review', effect: 'escalate', assert: { field: 'arguments.amount', op: 'lte', value: 600 } },
    { id: 'payments.limit', assert: { field: 'arguments.amount', op: 'lte', value: 1000 } },
    { id: 'payments.note', effect: 'warn', require: ['arguments.note'] },
    { id: 'payments.currency', effect: 'warn', assert: { field: 'arguments.currency', op: 'in', value: ['EUR'] } },
    {
      id: 'search.limit',
      tools: ['search'],
      rewrite: [
        { op: 'set_default', field: 'arguments.limit', value: 20 },
        { op: 'cap_value', field: 'arguments.limit', value: 100 },
      ],
    },
    { id: 'search.mask', tools: ['search'], mode: 'monitor', rewrite: [{ op: 'mask_field', field: 'arguments.token' }] },
    { id: 'orders.sku', tools: ['order'], assert: { field: 'arguments.items[1].sku', op: 'regex', value: '^[A-Z]+$' } },
  ];
  let reviews: Engine;
  const review = (action: Action): Decision => reviews.evaluateAuto(action);

  beforeAll(async () => {
    reviews = await createEngine({ policies: REVIEW_POLICIES });
  });

  it('toBeEscalatedBy passes for each policy that asked for approval, and names them when it fails', () => {
    const decision = review({ tool: 'pay', arguments: { amount: 700, note: 'n', currency: 'EUR' } });
    expect(decision.escalatedBy).toEqual(['payments.review', 'payments.second-review']);
    expect(decision).toBeEscalatedBy('payments.review');
    expect(decision).toBeEscalatedBy('payments.second-review');
    expect(decision).not.toBeEscalatedBy('payments.limit');
    const message = failure(() => expect(decision).toBeEscalatedBy('payments.limit'));
    expect(message).toContain('expect(decision).toBeEscalatedBy("payments.limit")');
    expect(message).toContain(
      'expected the decision to be escalated by policy "payments.limit", but approval was asked by policy "payments.review", policy "payments.second-review"',
    );
    expect(message).toContain('verdict: escalate (approval asked by policy "payments.review", policy "payments.second-review")');
    const negated = failure(() => expect(decision).not.toBeEscalatedBy('payments.review'));
    expect(negated).toContain('expect(decision).not.toBeEscalatedBy("payments.review")');
    expect(negated).toContain('expected the decision not to be escalated by policy "payments.review", but it asked for approval');
  });

  it('toBeEscalatedBy fails when a deny outranks the escalation, and says so', () => {
    const decision = review({ tool: 'pay', arguments: { amount: 5000, note: 'n', currency: 'EUR' } });
    expect(decision.verdict).toBe('deny');
    expect(decision.escalatedBy).toContain('payments.review');
    expect(decision).not.toBeEscalatedBy('payments.review');
    const message = failure(() => expect(decision).toBeEscalatedBy('payments.review'));
    expect(message).toContain(
      'expected the decision to be escalated by policy "payments.review", but its verdict is deny (policy "payments.review" asked for approval, but a deny outranks an escalation)',
    );
    const allowed = review({ tool: 'pay', arguments: { amount: 1, note: 'n', currency: 'EUR' } });
    expect(failure(() => expect(allowed).toBeEscalatedBy('payments.review'))).toContain(
      'expected the decision to be escalated by policy "payments.review", but its verdict is allow',
    );
  });

  it('toWarn passes with any warning, or with one from the named policy', () => {
    const decision = review({ tool: 'pay', arguments: { amount: 1, currency: 'USD' } });
    expect(decision).toAllow();
    expect(decision).toWarn();
    expect(decision).toWarn('payments.note');
    expect(decision).toWarn('payments.currency');
    expect(decision).not.toWarn('payments.limit');
    const message = failure(() => expect(decision).toWarn('payments.limit'));
    expect(message).toContain('expect(decision).toWarn("payments.limit")');
    expect(message).toContain(
      'expected a warning from policy "payments.limit", but the warnings come from policy "payments.note", policy "payments.currency"',
    );
    expect(message).toContain('policy "payments.note" at arguments.note: arguments.note is required [warn]');
    const negated = failure(() => expect(decision).not.toWarn());
    expect(negated).toContain(
      'expected the decision not to warn, but it has 2 warning(s) from policy "payments.note", policy "payments.currency"',
    );
    expect(failure(() => expect(decision).not.toWarn('payments.note'))).toContain(
      'expected no warning from policy "payments.note", but it warned',
    );
  });

  it('toWarn fails on a decision without warnings; a deny is not a warning', () => {
    const decision = review({ tool: 'pay', arguments: { amount: 5000, note: 'n', currency: 'EUR' } });
    expect(decision).not.toWarn();
    expect(failure(() => expect(decision).toWarn())).toContain('expected the decision to warn, but it has no warnings');
    expect(failure(() => expect(decision).toWarn('payments.limit'))).toContain(
      'expected a warning from policy "payments.limit", but the decision has no warnings',
    );
  });

  it('toRewrite passes for an applied rewrite, at its path as a dot-path or as segments', () => {
    const decision = review({ tool: 'search', arguments: { limit: 500, token: 'secret' } });
    expect(decision).toRewrite();
    expect(decision).toRewrite('arguments.limit');
    expect(decision).toRewrite(['arguments', 'limit']);
    expect(decision).toRewrite('arguments["limit"]');
    expect(decision).not.toRewrite('arguments.query');
    const message = failure(() => expect(decision).toRewrite('arguments.query'));
    expect(message).toContain('expect(decision).toRewrite("arguments.query")');
    expect(message).toContain(
      'expected a rewrite at arguments.query, but the rewrites applied are policy "search.limit" cap_value at arguments.limit',
    );
    expect(message).toContain('rewrites (2):');
    expect(message).toContain('policy "search.limit" cap_value at arguments.limit = 100 [applied]');
    expect(message).toContain('policy "search.mask" mask_field at arguments.token = "***" [proposed by a monitored policy, not applied]');
    const negated = failure(() => expect(decision).not.toRewrite('arguments.limit'));
    expect(negated).toContain('expected no rewrite at arguments.limit, but policy "search.limit" cap_value at arguments.limit applied');
  });

  it("toRewrite does not count a monitored policy's proposal, and says it is one", () => {
    const decision = review({ tool: 'search', arguments: { limit: 10, token: 'secret' } });
    expect(decision.rewrites.map(({ policyId, applied }) => [policyId, applied])).toEqual([['search.mask', false]]);
    expect(decision).not.toRewrite();
    expect(decision).not.toRewrite('arguments.token');
    const message = failure(() => expect(decision).toRewrite('arguments.token'));
    expect(message).toContain(
      'expected a rewrite at arguments.token, but no rewrite was applied (policy "search.mask" mask_field at arguments.token: proposed by a monitored policy, not applied)',
    );
    const unrewritten = review({ tool: 'pay', arguments: { amount: 1, note: 'n', currency: 'EUR' } });
    expect(failure(() => expect(unrewritten).toRewrite())).toContain('expected a rewrite, but no rewrite was applied');
    expect(failure(() => expect(unrewritten).toRewrite())).toContain('rewrites: none');
  });

  it('toHaveViolationAt finds a violation by its path, array indices included', () => {
    const decision = review({ tool: 'order', arguments: { amount: 1, note: 'n', currency: 'EUR', items: [{ sku: 'A' }, { sku: 'b' }] } });
    expect(decision).toHaveViolationAt('arguments.items[1].sku');
    expect(decision).toHaveViolationAt('arguments.items.1.sku');
    expect(decision).toHaveViolationAt(['arguments', 'items', 1, 'sku']);
    expect(decision).not.toHaveViolationAt('arguments.items[0].sku');
    expect(decision).not.toHaveViolationAt('arguments.items');
    expect(decision).not.toHaveViolationAt([]);
    const message = failure(() => expect(decision).toHaveViolationAt('arguments.items[0].sku'));
    expect(message).toContain('expect(decision).toHaveViolationAt("arguments.items[0].sku")');
    expect(message).toContain('expected a violation at arguments.items[0].sku, but its violations are at arguments.items[1].sku');
    const negated = failure(() => expect(decision).not.toHaveViolationAt(['arguments', 'items', 1, 'sku']));
    expect(negated).toContain('expect(decision).not.toHaveViolationAt(["arguments","items",1,"sku"])');
    expect(negated).toContain('expected no violation at arguments.items[1].sku, but policy "orders.sku" reports one');
  });

  it('toHaveViolationAt does not count a warning, and points at toWarn', () => {
    const decision = review({ tool: 'pay', arguments: { amount: 1, currency: 'EUR' } });
    expect(decision).not.toHaveViolationAt('arguments.note');
    expect(failure(() => expect(decision).toHaveViolationAt('arguments.note'))).toContain(
      'expected a violation at arguments.note, but the decision has no violations (a warning is there: assert warnings with toWarn)',
    );
  });

  it('the new matchers work as asymmetric matchers and on a decision that went through JSON', () => {
    const escalated = review({ tool: 'pay', arguments: { amount: 700, note: 'n', currency: 'EUR' } });
    const rewritten = review({ tool: 'search', arguments: { limit: 500 } });
    const warned = review({ tool: 'pay', arguments: { amount: 1, currency: 'EUR' } });
    expect([escalated, rewritten, warned]).toEqual([
      expect.toBeEscalatedBy('payments.review'),
      expect.toRewrite('arguments.limit'),
      expect.toWarn('payments.note'),
    ]);
    expect([escalated, warned]).toEqual([expect.toHaveViolationAt('arguments.amount'), expect.not.toHaveViolationAt('arguments.amount')]);
    const copied = JSON.parse(JSON.stringify([escalated, rewritten])) as unknown[];
    expect(copied[0]).toBeEscalatedBy('payments.review');
    expect(copied[0]).toHaveViolationAt(['arguments', 'amount']);
    expect(copied[1]).toRewrite(['arguments', 'limit']);
  });

  it('fails without a usable argument, with and without .not', () => {
    const decision = review({ tool: 'search', arguments: { limit: 500 } });
    const cases: [() => void, string][] = [
      // @ts-expect-error: the policy id is required
      [() => expect(decision).toBeEscalatedBy(), 'expected a policy id string, but received missing'],
      // @ts-expect-error: the policy id is a string
      [() => expect(decision).not.toWarn(7), 'expected a policy id string, but received 7'],
      // @ts-expect-error: the path is required
      [() => expect(decision).toHaveViolationAt(), 'expected a path into the action'],
      [() => expect(decision).not.toRewrite('$.arguments.limit'), 'received the JSONPath "$.arguments.limit": name the concrete path'],
      [() => expect(decision).toRewrite('arguments..limit'), '"arguments..limit" is not one: empty segment at offset 10'],
      [() => expect(decision).not.toHaveViolationAt(''), 'is not one: path is empty'],
      // @ts-expect-error: a segment is a key or an index
      [() => expect(decision).not.toHaveViolationAt(['arguments', { limit: 1 }]), 'but received ["arguments",{"limit":1}]'],
      [() => expect(decision).toHaveViolationAt(['arguments', -1]), 'but received ["arguments",-1]'],
    ];
    for (const [assertion, expected] of cases) expect(failure(assertion)).toContain(expected);
  });

  it('fails the matchers that need rewrites or escalatedBy on a decision built without them', () => {
    const handMade = { verdict: 'escalate', violations: [], warnings: [], errors: [] };
    expect(handMade).toEscalate();
    for (const [assertion, expected] of [
      [() => expect(handMade).not.toBeEscalatedBy('p'), 'but it has no escalatedBy list'],
      [() => expect(handMade).not.toRewrite(), 'but it has no rewrites list'],
    ] as const) {
      expect(failure(assertion)).toContain(
        `expected a tierguard Decision (what engine.evaluate or engine.evaluateAuto returns), ${expected}`,
      );
    }
  });

  it('never throws on a hostile path argument', () => {
    const decision = review({ tool: 'search', arguments: { limit: 500 } });
    const hostile = new Proxy(['arguments'], {
      get() {
        throw new Error('boom');
      },
    });
    for (const isNot of [false, true]) {
      const result = tierguardMatchers.toRewrite.call({ isNot }, decision, hostile);
      expect(result.pass).toBe(isNot);
      expect(result.message()).toContain('reading the path threw');
    }
  });
});
