import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, Decision, PolicyDefinition } from '../../../src/index.js';

/**
 * Effects and modes through the engine: which verdict wins, who asked for an
 * escalation, and what monitor mode reports instead of blocking.
 */

const LIMIT: PolicyDefinition = {
  id: 'pay.limit',
  tools: ['pay'],
  assert: { field: 'arguments.amount', op: 'lte', value: 1000 },
};
const REVIEW: PolicyDefinition = {
  id: 'pay.review',
  tools: ['pay'],
  effect: 'escalate',
  assert: { field: 'arguments.amount', op: 'lte', value: 500 },
};
const SECOND_REVIEW: PolicyDefinition = {
  id: 'pay.second-review',
  tools: ['pay'],
  effect: 'escalate',
  require: ['arguments.reason'],
};
const NOTE: PolicyDefinition = {
  id: 'pay.note',
  tools: ['pay'],
  effect: 'warn',
  require: ['arguments.memo'],
};

const pay = (amount: number, extra: Record<string, unknown> = {}): Action => ({ tool: 'pay', arguments: { amount, ...extra } });

async function both(policies: PolicyDefinition[], action: Action, mode?: 'enforce' | 'monitor'): Promise<Decision> {
  const engine = await createEngine({ policies, ...(mode === undefined ? {} : { mode }) });
  const sync = engine.evaluateAuto(action);
  expect(await engine.evaluate(action)).toEqual(sync);
  return sync;
}

describe('effects: deny outranks escalate outranks warn', () => {
  it('allows with only a warning, and says so in warnings', async () => {
    const decision = await both([LIMIT, REVIEW, NOTE], pay(100));
    expect(decision).toMatchObject({ verdict: 'allow', outcome: 'allow', violations: [], escalatedBy: [] });
    expect(decision.warnings.map((warning) => warning.policyId)).toEqual(['pay.note']);
  });

  it('escalates and names every policy that asked for approval, once each, in policy order', async () => {
    const decision = await both([LIMIT, SECOND_REVIEW, REVIEW, NOTE], pay(700, { memo: 'x' }));
    expect(decision.verdict).toBe('escalate');
    expect(decision.outcome).toBe('escalate');
    expect(decision.escalatedBy).toEqual(['pay.second-review', 'pay.review']);
    expect(decision.violations.map((violation) => violation.policyId)).toEqual(['pay.second-review', 'pay.review']);
  });

  it('denies when a deny policy fails too, and still says who asked for approval', async () => {
    const decision = await both([LIMIT, REVIEW], pay(5000, { memo: 'x' }));
    expect(decision.verdict).toBe('deny');
    expect(decision.escalatedBy).toEqual(['pay.review']);
    expect(decision.violations.map((violation) => violation.effect)).toEqual(['deny', 'escalate']);
  });
});

describe('monitor mode on the engine', () => {
  it('allows a violating action and reports it as wouldDeny', async () => {
    const decision = await both([LIMIT, REVIEW], pay(5000), 'monitor');
    expect(decision.verdict).toBe('allow');
    expect(decision.outcome).toBe('would_deny');
    expect(decision.violations).toEqual([]);
    expect(decision.escalatedBy).toEqual([]);
    expect(decision.wouldDeny.map((violation) => violation.policyId)).toEqual(['pay.limit']);
    expect(decision.wouldEscalate.map((violation) => violation.policyId)).toEqual(['pay.review']);
  });

  it('reports would_escalate when only an escalate policy objects', async () => {
    const decision = await both([LIMIT, REVIEW], pay(700), 'monitor');
    expect(decision).toMatchObject({ verdict: 'allow', outcome: 'would_escalate', wouldDeny: [] });
    expect(decision.wouldEscalate).toHaveLength(1);
  });

  it('keeps warnings as warnings', async () => {
    const decision = await both([NOTE], pay(1), 'monitor');
    expect(decision).toMatchObject({ verdict: 'allow', outcome: 'allow', wouldDeny: [], wouldEscalate: [] });
    expect(decision.warnings).toHaveLength(1);
  });

  it('does not block an action that cannot be evaluated, and reports would_deny', async () => {
    const engine = await createEngine({ policies: [LIMIT], mode: 'monitor' });
    const decision = engine.evaluateAuto({ tool: 42 } as unknown as Action);
    expect(decision.verdict).toBe('allow');
    expect(decision.outcome).toBe('would_deny');
    expect(decision.errors.map((error) => error.code)).toEqual(['INVALID_ACTION']);
  });

  it('fails open for a monitored error only as far as onError allows: with onError allow it is plain allow', async () => {
    const engine = await createEngine({ policies: [LIMIT], mode: 'monitor', onError: 'allow' });
    expect(engine.evaluateAuto({ tool: 42 } as unknown as Action).outcome).toBe('allow');
  });

  it('is exposed as engine.mode and defaults to enforce', async () => {
    expect((await createEngine({ policies: [] })).mode).toBe('enforce');
    expect((await createEngine({ policies: [], mode: 'monitor' })).mode).toBe('monitor');
  });

  it('rejects an unknown mode', async () => {
    await expect(createEngine({ policies: [], mode: 'audit' as 'monitor' })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      details: { option: 'mode', actual: 'audit' },
    });
  });
});

describe('monitor mode per policy', () => {
  const MONITORED_LIMIT: PolicyDefinition = { ...LIMIT, mode: 'monitor' };

  it('a monitored policy does not block while an enforced one still does', async () => {
    const enforcedToo = await both([MONITORED_LIMIT, { ...REVIEW, effect: 'deny' }], pay(5000));
    expect(enforcedToo.verdict).toBe('deny');
    expect(enforcedToo.outcome).toBe('deny');
    expect(enforcedToo.violations.map((violation) => violation.policyId)).toEqual(['pay.review']);
    expect(enforcedToo.wouldDeny.map((violation) => violation.policyId)).toEqual(['pay.limit']);
  });

  it('only the monitored policy objects: allow with would_deny', async () => {
    const decision = await both([MONITORED_LIMIT, REVIEW], pay(1200, { reason: 'r' }));
    // REVIEW is enforced and objects too (1200 > 500): it still escalates.
    expect(decision.verdict).toBe('escalate');
    const onlyMonitored = await both([MONITORED_LIMIT], pay(1200));
    expect(onlyMonitored).toMatchObject({ verdict: 'allow', outcome: 'would_deny' });
  });

  it('an explicit enforce on a policy does not override an engine in monitor mode', async () => {
    const decision = await both([{ ...LIMIT, mode: 'enforce' }], pay(5000), 'monitor');
    expect(decision).toMatchObject({ verdict: 'allow', outcome: 'would_deny' });
  });

  it('an evaluation error of a monitored policy does not block; one of an enforced policy does', async () => {
    // A regex over a string longer than maxStringLength cannot be evaluated: a policy-level error.
    const pattern: PolicyDefinition = { id: 'pay.memo', tools: ['pay'], assert: { field: 'arguments.memo', op: 'regex', value: '^ok' } };
    const action = pay(1, { memo: 'x'.repeat(100) });
    const limits = { maxStringLength: 10 };
    const monitored = (await createEngine({ policies: [{ ...pattern, mode: 'monitor' }], limits })).evaluateAuto(action);
    expect(monitored).toMatchObject({ verdict: 'allow', outcome: 'would_deny' });
    expect(monitored.errors.map((error) => [error.policyId, error.code])).toEqual([['pay.memo', 'LIMIT_EXCEEDED']]);
    const enforced = (await createEngine({ policies: [pattern], limits })).evaluateAuto(action);
    expect(enforced).toMatchObject({ verdict: 'deny', outcome: 'deny' });
  });

  it('rejects an unknown policy mode at compile time, naming the policy', async () => {
    await expect(createEngine({ policies: [{ ...LIMIT, mode: 'dry-run' as 'monitor' }] })).rejects.toMatchObject({
      code: 'INVALID_POLICY',
      message: expect.stringMatching(/pay\.limit.*\/mode/s) as unknown,
    });
  });

  it('a monitored deny does not short-circuit the formal tier', async () => {
    const formal: PolicyDefinition = {
      id: 'pay.shape',
      tools: ['pay'],
      shape: { properties: [{ path: 'arguments.currency', minCount: 1 }] },
    };
    const engine = await createEngine({ policies: [MONITORED_LIMIT, formal] });
    const decision = await engine.evaluate(pay(5000));
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map((violation) => [violation.policyId, violation.tier])).toEqual([['pay.shape', 'formal']]);
    expect(decision.wouldDeny.map((violation) => violation.policyId)).toEqual(['pay.limit']);
  });
});
