import { describe, expect, it } from 'vitest';
import { createEngine, TierguardError } from '../../../src/index.js';
import type {
  Action,
  ComparisonExplanation,
  CompoundExplanation,
  EngineOptions,
  Explanation,
  NotExplanation,
  PolicyDefinition,
  PolicyExplanation,
  PredicateExplanation,
} from '../../../src/index.js';
import { sourcesFor } from '../enforcement/support.js';

/** `engine.explain` on a real engine: what each policy read, compared and found, and the decision evaluate gives. */

async function explain(policies: PolicyDefinition[], action: unknown, options: Partial<EngineOptions> = {}): Promise<Explanation> {
  const engine = await createEngine({ policies, ...options });
  const explanation = await engine.explain(action as Action);
  // Whatever else is tested: the decision is evaluate's, and the explanation agrees with it.
  expect(explanation.decision).toEqual(await engine.evaluate(action as Action));
  expect(explanation.policies.map((policy) => policy.note)).toEqual(explanation.policies.map(() => undefined));
  return explanation;
}

function policy(explanation: Explanation, id: string): PolicyExplanation {
  const found = explanation.policies.find((candidate) => candidate.policyId === id);
  if (found === undefined) throw new Error(`no policy ${id} in the explanation`);
  return found;
}

function comparison(node: PredicateExplanation | undefined): ComparisonExplanation {
  if (node?.kind !== 'comparison') throw new Error(`expected a comparison, got ${node?.kind}`);
  return node;
}

function compound(node: PredicateExplanation | undefined): CompoundExplanation {
  if (node?.kind !== 'all' && node?.kind !== 'any') throw new Error(`expected all or any, got ${node?.kind}`);
  return node;
}

function negation(node: PredicateExplanation | undefined): NotExplanation {
  if (node?.kind !== 'not') throw new Error(`expected not, got ${node?.kind}`);
  return node;
}

const AMOUNT: PolicyDefinition = {
  id: 'pay.amount',
  tools: ['refunds.*', 'payments.*'],
  require: ['arguments.amount'],
  assert: {
    all: [
      { field: 'arguments.amount', op: 'gt', value: 0 },
      { field: 'arguments.amount', op: 'lte', value: 10000 },
      { field: 'arguments.amount', op: 'lte', valueRef: 'context.limits.maxAmount' },
    ],
  },
};

describe('which policies apply', () => {
  it('names the tools pattern that matched, and says when none does', async () => {
    const explanation = await explain(
      [AMOUNT, { id: 'crm.only', tools: ['crm.*'] }, { id: 'everywhere', assert: { field: 'tool', op: 'exists' } }],
      {
        tool: 'payments.transfer',
        arguments: { amount: 5 },
        context: { limits: { maxAmount: 10 } },
      },
    );
    expect(explanation.tool).toBe('payments.transfer');
    expect(policy(explanation, 'pay.amount').tools).toEqual({
      patterns: ['refunds.*', 'payments.*'],
      matched: 'payments.*',
      result: 'pass',
    });
    expect(policy(explanation, 'pay.amount').status).toBe('passed');
    expect(policy(explanation, 'crm.only')).toMatchObject({
      status: 'not-applicable',
      reason: 'its tools do not select the tool',
      tools: { patterns: ['crm.*'], result: 'fail' },
    });
    expect(policy(explanation, 'crm.only').tools?.matched).toBeUndefined();
    expect(policy(explanation, 'everywhere').tools).toEqual({ result: 'pass' });
  });

  it('shows a when that does not hold, and leaves the checks after it unread', async () => {
    const explanation = await explain(
      [
        {
          id: 'big.review',
          when: {
            all: [
              { field: 'arguments.amount', op: 'gt', value: 100 },
              { field: 'arguments.currency', op: 'eq', value: 'EUR' },
            ],
          },
          require: ['arguments.approver'],
          assert: { field: 'arguments.approver', op: 'neq', valueRef: 'context.user' },
        },
      ],
      { tool: 't', arguments: { amount: 50, currency: 'EUR' } },
    );
    const review = policy(explanation, 'big.review');
    expect(review).toMatchObject({ status: 'not-applicable', reason: 'its when does not hold' });
    const when = compound(review.when);
    expect(when.result).toBe('fail');
    // The evaluation stops at the first part that fails; the explanation does not read further.
    expect(when.parts.map((part) => part.result)).toEqual(['fail', 'skipped']);
    expect(comparison(when.parts[0]).values).toEqual([{ path: ['arguments', 'amount'], value: 50, result: 'fail' }]);
    expect(comparison(when.parts[1]).values).toEqual([]);
    expect(review.require).toEqual([{ field: 'arguments.approver', result: 'skipped', values: [] }]);
    expect(review.assert?.result).toBe('skipped');
  });

  it('lists advisory, engine-only and response policies as not evaluated, and bindings as never run on actions', async () => {
    const policies: PolicyDefinition[] = [
      { id: 'guide', severity: 'advisory', title: 'A guide', tools: ['t'] },
      { id: 'opa.only', enforcement: [{ engine: 'opa', policy: '../engine-policies/s3.rego', query: 'data.s3.deny' }] },
      {
        id: 'opa.and.assert',
        assert: { field: 'arguments.x', op: 'exists' },
        enforcement: [{ engine: 'opa', policy: '../engine-policies/s3.rego', query: 'data.s3.deny' }],
      },
      { id: 'out.strip', on: 'response', rewrite: [{ op: 'remove_field', field: 'result.secret' }] },
    ];
    const explanation = await explain(policies, { tool: 't', arguments: { x: 1 } }, { sources: sourcesFor(policies) });
    expect(policy(explanation, 'guide')).toMatchObject({
      status: 'not-evaluated',
      reason: 'advisory: guidance only, never evaluated',
      severity: 'advisory',
    });
    const binding = { engine: 'opa', policy: '../engine-policies/s3.rego', result: 'skipped' };
    expect(policy(explanation, 'opa.only')).toMatchObject({ status: 'not-evaluated', enforcement: [binding] });
    expect(policy(explanation, 'opa.only').reason).toContain('judges artifacts');
    expect(policy(explanation, 'opa.and.assert')).toMatchObject({ status: 'passed', enforcement: [binding] });
    expect(policy(explanation, 'out.strip')).toMatchObject({ status: 'not-evaluated', phase: 'response' });
    expect(policy(explanation, 'out.strip').reason).toContain('evaluateResponse');
    expect(explanation.decision.verdict).toBe('allow');
  });
});

describe('each check', () => {
  it('reads every part of a failed assertion, with the value, the operand and the finding the decision holds', async () => {
    const explanation = await explain([AMOUNT], {
      tool: 'payments.transfer',
      arguments: { amount: 25000 },
      context: { limits: { maxAmount: 5000 } },
    });
    const amount = policy(explanation, 'pay.amount');
    expect(amount).toMatchObject({ status: 'violated', reason: 'it denies', effect: 'deny', mode: 'enforce' });
    expect(amount.require).toEqual([
      { field: 'arguments.amount', result: 'pass', values: [{ path: ['arguments', 'amount'], value: 25000, result: 'pass' }] },
    ]);
    const assertion = compound(amount.assert);
    expect(assertion.parts.map((part) => part.result)).toEqual(['pass', 'fail', 'fail']);
    expect(comparison(assertion.parts[0]).operand).toEqual({ value: 0 });
    expect(comparison(assertion.parts[2]).operand).toEqual({
      valueRef: 'context.limits.maxAmount',
      path: ['context', 'limits', 'maxAmount'],
      value: 5000,
    });
    expect(comparison(assertion.parts[0]).findings).toBeUndefined();
    const messages = assertion.parts.flatMap((part) => (part.findings ?? []).map((finding) => finding.message));
    expect(messages).toEqual(explanation.decision.violations.map((violation) => violation.message));
    expect(messages).toEqual([
      'arguments.amount must be at most 10000 (got 25000)',
      'arguments.amount must be at most context.limits.maxAmount = 5000 (got 25000)',
    ]);
    expect(amount.findings).toEqual(explanation.decision.violations);
  });

  it('reports a missing valueRef and a missing field as missing', async () => {
    const explanation = await explain([AMOUNT], { tool: 'payments.transfer', arguments: { amount: 1 } });
    const reference = comparison(compound(policy(explanation, 'pay.amount').assert).parts[2]);
    expect(reference.operand).toEqual({ valueRef: 'context.limits.maxAmount', path: ['context', 'limits', 'maxAmount'], missing: true });
    expect(reference.result).toBe('fail');

    const missing = await explain([AMOUNT], { tool: 'payments.transfer', arguments: {} });
    const amount = policy(missing, 'pay.amount');
    expect(amount.require).toEqual([
      {
        field: 'arguments.amount',
        result: 'fail',
        values: [{ path: ['arguments', 'amount'], missing: true, result: 'fail' }],
        findings: [{ path: ['arguments', 'amount'], message: 'arguments.amount is required' }],
      },
    ]);
    // Only checked once every required field is present.
    expect(compound(amount.assert).result).toBe('skipped');
  });

  it('explains an any as one finding, after reading every alternative', async () => {
    const explanation = await explain(
      [
        {
          id: 'unit',
          assert: {
            any: [
              { field: 'arguments.unit', op: 'eq', value: 'C' },
              {
                all: [
                  { field: 'arguments.unit', op: 'eq', value: 'K' },
                  { field: 'arguments.temp', op: 'gte', value: 0 },
                ],
              },
            ],
          },
        },
      ],
      { tool: 't', arguments: { unit: 'F', temp: -1 } },
    );
    const assertion = compound(policy(explanation, 'unit').assert);
    expect(assertion.result).toBe('fail');
    // Explaining the failure reads the inner all to its end.
    expect(compound(assertion.parts[1]).parts.map((part) => part.result)).toEqual(['fail', 'fail']);
    expect(assertion.findings?.map((finding) => finding.message)).toEqual([explanation.decision.violations[0]?.message]);
    expect(assertion.parts.every((part) => part.findings === undefined)).toBe(true);
  });

  it('stops an any that holds at the alternative that holds', async () => {
    const explanation = await explain(
      [
        {
          id: 'unit',
          assert: {
            any: [
              { field: 'arguments.unit', op: 'eq', value: 'C' },
              { field: 'arguments.temp', op: 'gte', value: 0 },
            ],
          },
        },
      ],
      { tool: 't', arguments: { unit: 'C' } },
    );
    expect(compound(policy(explanation, 'unit').assert).parts.map((part) => part.result)).toEqual(['pass', 'skipped']);
  });

  it('explains not with the value that made the inner predicate hold', async () => {
    const explanation = await explain(
      [{ id: 'no.root', assert: { not: { field: '$.context.roles[*]', op: 'eq', value: 'root', quantifier: 'any' } } }],
      { tool: 't', context: { roles: ['dev', 'root', 'ops'] } },
    );
    const assertion = negation(policy(explanation, 'no.root').assert);
    expect(assertion.result).toBe('fail');
    expect(comparison(assertion.part).values.map((value) => value.result)).toEqual(['fail', 'pass', 'skipped']);
    expect(assertion.findings).toEqual([
      { path: ['context', 'roles', 1], message: 'must not hold: $.context.roles[*] == "root" ($.context.roles[*] is "root")' },
    ]);
    expect(assertion.findings?.[0]?.message).toBe(explanation.decision.violations[0]?.message);
  });

  it('lists each value a JSONPath yields, bounded, and every failing one as a finding', async () => {
    const items = Array.from({ length: 30 }, (_, index) => ({ qty: index % 7 === 3 ? 0 : 1 }));
    const explanation = await explain([{ id: 'qty', assert: { field: '$.arguments.items[*].qty', op: 'gte', value: 1 } }], {
      tool: 't',
      arguments: { items },
    });
    const qty = comparison(policy(explanation, 'qty').assert);
    expect(qty.values).toHaveLength(20);
    expect(qty.valuesOmitted).toBe(10);
    expect(qty.values[3]).toEqual({ path: ['arguments', 'items', 3, 'qty'], value: 0, result: 'fail' });
    // Explained, so read to the end: every failing value is a violation, as in the decision.
    expect(qty.findings?.map((finding) => finding.path)).toEqual(explanation.decision.violations.map((violation) => violation.path));
    expect(qty.findings).toHaveLength(4);
  });

  it('shows a policy with nothing to check as violated whenever it applies', async () => {
    const explanation = await explain(
      [
        {
          id: 'review',
          effect: 'escalate',
          when: { field: 'arguments.amount', op: 'gt', value: 5000 },
          message: 'needs approval ({actual})',
        },
      ],
      { tool: 't', arguments: { amount: 7000 } },
    );
    const review = policy(explanation, 'review');
    expect(review).toMatchObject({ status: 'violated', reason: 'a human must approve' });
    expect(review.applies).toEqual({ result: 'fail', findings: [{ path: ['arguments', 'amount'], message: 'needs approval (7000)' }] });
    expect(explanation.decision.verdict).toBe('escalate');
  });

  it('marks the check that could not be evaluated, and the policy as an error', async () => {
    const explanation = await explain(
      [
        {
          id: 'name',
          assert: {
            all: [
              { field: 'arguments.n', op: 'gt', value: 0 },
              { field: 'arguments.name', op: 'regex', value: '^a' },
            ],
          },
        },
      ],
      { tool: 't', arguments: { n: 1, name: 'a'.repeat(20) } },
      { limits: { maxStringLength: 10 } },
    );
    const name = policy(explanation, 'name');
    expect(name.status).toBe('error');
    expect(compound(name.assert).result).toBe('error');
    expect(compound(name.assert).parts[1]).toMatchObject({ result: 'error', error: expect.stringContaining('maxStringLength') as unknown });
    expect(name.errors).toEqual(explanation.decision.errors);
    expect(explanation.decision.verdict).toBe('deny');
  });
});

describe('rewrites', () => {
  it('runs them in rewrite order, each when on the action as the rewrites before it left it', async () => {
    const explanation = await explain(
      [
        {
          id: 'late',
          priority: 0,
          when: { field: 'arguments.limit', op: 'exists' },
          rewrite: [{ op: 'cap_value', field: 'arguments.limit', value: 50 }],
        },
        { id: 'early', priority: 5, rewrite: [{ op: 'set_default', field: 'arguments.limit', value: 80 }] },
        { id: 'check', assert: { field: 'arguments.limit', op: 'lte', value: 50 } },
      ],
      { tool: 'search', arguments: {} },
    );
    const late = policy(explanation, 'late');
    expect(late.rewrite).toMatchObject({
      result: 'pass',
      rewrites: [{ policyId: 'late', op: 'cap_value', path: ['arguments', 'limit'], value: 50, applied: true }],
    });
    // Its rewrites saw the default the higher priority set; its checks see the capped value.
    expect(comparison(late.rewrite?.when).values[0]?.value).toBe(80);
    expect(comparison(late.when).values[0]?.value).toBe(50);
    expect(policy(explanation, 'early').rewrite?.rewrites).toEqual([
      { policyId: 'early', op: 'set_default', path: ['arguments', 'limit'], value: 80, applied: true },
    ]);
    expect(comparison(policy(explanation, 'check').assert).values[0]?.value).toBe(50);
    expect(explanation.decision.verdict).toBe('allow');
  });

  it('shows a monitored rewrite as proposed, and a value of the wrong type as its finding', async () => {
    const explanation = await explain(
      [
        { id: 'cap', mode: 'monitor', rewrite: [{ op: 'cap_value', field: 'arguments.limit', value: 10 }] },
        { id: 'cap.other', tools: ['other'], rewrite: [{ op: 'cap_value', field: 'arguments.count', value: 10 }] },
        { id: 'cap.size', rewrite: [{ op: 'cap_value', field: 'arguments.size', value: 10 }] },
      ],
      { tool: 't', arguments: { limit: 99, size: 'big' } },
    );
    expect(policy(explanation, 'cap')).toMatchObject({
      status: 'passed',
      mode: 'monitor',
      reason: 'it proposes rewrites, which a monitored policy never applies',
    });
    expect(policy(explanation, 'cap').rewrite?.rewrites).toEqual([
      { policyId: 'cap', op: 'cap_value', path: ['arguments', 'limit'], value: 10, applied: false },
    ]);
    expect(policy(explanation, 'cap.other').rewrite).toEqual({ result: 'skipped', rewrites: [] });
    const size = policy(explanation, 'cap.size');
    expect(size.status).toBe('violated');
    expect(size.rewrite?.result).toBe('fail');
    expect(size.rewrite?.findings?.map((finding) => finding.message)).toEqual([explanation.decision.violations[0]?.message]);
  });
});

describe('values a rewrite hides', () => {
  it('withholds a masked value and the message that quotes it, as an audit event does', async () => {
    const explanation = await explain(
      [
        { id: 'mask', rewrite: [{ op: 'mask_field', field: 'arguments.password' }] },
        { id: 'length', assert: { field: 'arguments.password', op: 'regex', value: '^.{12,}$' } },
      ],
      { tool: 't', arguments: { password: 'hunter2' } },
    );
    const length = policy(explanation, 'length');
    expect(comparison(length.assert).values).toEqual([{ path: ['arguments', 'password'], redacted: true, result: 'fail' }]);
    expect(comparison(length.assert).findings?.[0]?.message).toBe('length: regex failed at arguments.password (value redacted)');
    expect(length.findings[0]).not.toHaveProperty('actual');
    expect(JSON.stringify(explanation.policies)).not.toContain('hunter2');
  });

  it('withholds what a monitored rewrite only proposed to hide, wherever it is read', async () => {
    const explanation = await explain(
      [
        { id: 'mask', mode: 'monitor', rewrite: [{ op: 'mask_field', field: 'context.token' }] },
        { id: 'echo', assert: { field: 'arguments.echo', op: 'eq', valueRef: 'context.token' } },
        { id: 'seen', when: { field: 'context.token', op: 'exists' }, assert: { field: 'arguments.ok', op: 'eq', value: true } },
      ],
      { tool: 't', arguments: { echo: 'nope', ok: false }, context: { token: 'tok-secret-123' } },
    );
    const echo = comparison(policy(explanation, 'echo').assert);
    expect(echo.operand).toEqual({ valueRef: 'context.token', path: ['context', 'token'], redacted: true });
    expect(comparison(policy(explanation, 'seen').when).values[0]).toEqual({ path: ['context', 'token'], redacted: true, result: 'pass' });
    expect(JSON.stringify(explanation.policies)).not.toContain('tok-secret-123');
    // The decision itself is evaluate's, unredacted, as `evaluate` returns it.
    expect(explanation.decision.action.context).toEqual({ token: 'tok-secret-123' });
  });
});

describe('the formal tier', () => {
  const SHAPED: PolicyDefinition[] = [
    { id: 'auto.deny', tools: ['orders.*'], assert: { field: 'arguments.ok', op: 'eq', value: true } },
    {
      id: 'order.shape',
      tools: ['orders.create'],
      shape: { properties: [{ path: 'arguments.total', minCount: 1, datatype: 'decimal', maxInclusive: 100 }] },
    },
  ];

  it("shows the shape's verdict and the results the decision holds", async () => {
    const explanation = await explain(SHAPED, { tool: 'orders.create', arguments: { ok: true, total: 500 } });
    const shape = policy(explanation, 'order.shape');
    expect(shape.status).toBe('violated');
    expect(shape.formal).toMatchObject({ sources: ['shape'], result: 'fail' });
    expect(shape.formal?.findings?.map((finding) => finding.message)).toEqual(
      explanation.decision.violations.map((violation) => violation.message),
    );
    const passing = await explain(SHAPED, { tool: 'orders.create', arguments: { ok: true, total: 5 } });
    expect(policy(passing, 'order.shape')).toMatchObject({ status: 'passed', formal: { result: 'pass' } });
  });

  it('says the shape was not checked when the auto tier already denied, and checks it without shortCircuit', async () => {
    const action = { tool: 'orders.create', arguments: { ok: false, total: 500 } };
    const skipped = policy(await explain(SHAPED, action), 'order.shape');
    expect(skipped).toMatchObject({
      status: 'not-evaluated',
      formal: { result: 'skipped', reason: 'the auto tier had already denied (shortCircuit)' },
    });
    const checked = policy(await explain(SHAPED, action, { shortCircuit: false }), 'order.shape');
    expect(checked).toMatchObject({ status: 'violated', formal: { result: 'fail' } });
  });
});

describe('the action and the engine', () => {
  it('explains a refused action: no policy saw it', async () => {
    const deep = { tool: 't', a: { b: { c: { d: { e: { f: { g: 1 } } } } } } };
    for (const action of [null, [1], { tool: 7 }, deep, { tool: 'x'.repeat(300) }]) {
      const explanation = await explain([AMOUNT, { id: 'guide', severity: 'advisory' }], action, {
        limits: { maxDepth: 6, maxStringLength: 200 },
      });
      expect(explanation.refused).toEqual(explanation.decision.errors[0]);
      expect(explanation.policies.map((entry) => entry.status)).toEqual(['not-evaluated', 'not-evaluated']);
      expect(policy(explanation, 'pay.amount').reason).toBe('the action was refused before any policy saw it');
      expect(policy(explanation, 'guide').reason).toBe('advisory: guidance only, never evaluated');
      expect(explanation.decision.verdict).toBe('deny');
    }
  });

  it('reads only own properties, as evaluation does', async () => {
    const action = JSON.parse('{"tool":"t","arguments":{"__proto__":{"admin":true}}}') as Action;
    const explanation = await explain(
      [
        { id: 'proto', assert: { field: 'arguments.constructor', op: 'exists' } },
        { id: 'own', assert: { field: 'arguments["__proto__"].admin', op: 'eq', value: true } },
      ],
      action,
    );
    expect(comparison(policy(explanation, 'proto').assert).values).toEqual([
      { path: ['arguments', 'constructor'], missing: true, result: 'fail' },
    ]);
    expect(comparison(policy(explanation, 'own').assert).values).toEqual([
      { path: ['arguments', '__proto__', 'admin'], value: true, result: 'pass' },
    ]);
  });

  it("carries the engine's mode onto every policy", async () => {
    const explanation = await explain([AMOUNT], { tool: 'payments.x', arguments: { amount: -1 } }, { mode: 'monitor' });
    expect(explanation.mode).toBe('monitor');
    expect(policy(explanation, 'pay.amount')).toMatchObject({
      mode: 'monitor',
      status: 'violated',
      reason: 'it would deny, but it is monitored',
    });
    expect(explanation.decision.outcome).toBe('would_deny');
  });

  it('throws where evaluate throws, under onError throw', async () => {
    const engine = await createEngine({
      policies: [{ id: 'r', assert: { field: 'a', op: 'regex', value: 'x' } }],
      onError: 'throw',
      limits: { maxStringLength: 2 },
    });
    await expect(engine.explain({ tool: 't', a: 'xxxx' })).rejects.toBeInstanceOf(TierguardError);
    await expect(engine.evaluate({ tool: 't', a: 'xxxx' })).rejects.toBeInstanceOf(TierguardError);
  });

  it('emits no audit event', async () => {
    const events: unknown[] = [];
    const engine = await createEngine({ policies: [AMOUNT], onDecision: (event) => events.push(event) });
    await engine.explain({ tool: 'payments.x', arguments: { amount: 1 } });
    expect(events).toEqual([]);
  });

  it('says so when the action reads differently the second time, and keeps the decision', async () => {
    let explaining = false;
    const action = {
      tool: 't',
      arguments: {
        get amount(): number {
          return explaining ? 50_000 : 5;
        },
      },
    };
    const engine = await createEngine({ policies: [{ id: 'cap', assert: { field: 'arguments.amount', op: 'lte', value: 100 } }] });
    // explain evaluates synchronously up to its first await; this runs before it reads the action again.
    queueMicrotask(() => (explaining = true));
    const explanation = await engine.explain(action);
    expect(explanation.decision.verdict).toBe('allow');
    expect(policy(explanation, 'cap')).toMatchObject({ status: 'passed', findings: [] });
    expect(comparison(policy(explanation, 'cap').assert).result).toBe('fail');
    expect(policy(explanation, 'cap').note).toContain('read the action differently');
  });
});
