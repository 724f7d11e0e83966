import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, Decision, Engine } from '../../../src/index.js';
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
