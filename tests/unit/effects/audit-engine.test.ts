import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, AuditEvent, PolicyDefinition } from '../../../src/index.js';
import { thrownBy } from '../../support/thrown-by.js';

/** The engine's audit events: one per decision, with what happened and nothing it should not hold. */

const LIMIT: PolicyDefinition = { id: 'pay.limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 1000 } };
const REVIEW: PolicyDefinition = {
  id: 'pay.review',
  tools: ['pay'],
  effect: 'escalate',
  assert: { field: 'arguments.amount', op: 'lte', value: 500 },
};
const SHAPE: PolicyDefinition = {
  id: 'pay.currency-shape',
  tools: ['pay'],
  shape: { properties: [{ path: 'arguments.currency', minCount: 1, in: ['EUR', 'USD'] }] },
};

async function recording(
  policies: PolicyDefinition[],
  mode?: 'monitor',
): Promise<{ events: AuditEvent[]; engine: Awaited<ReturnType<typeof createEngine>> }> {
  const events: AuditEvent[] = [];
  const engine = await createEngine({ policies, onDecision: (event) => events.push(event), ...(mode === undefined ? {} : { mode }) });
  return { events, engine };
}

describe('onDecision', () => {
  it('receives one event per decision from evaluate, evaluateAuto and evaluateResponse', async () => {
    const { events, engine } = await recording([LIMIT]);
    await engine.evaluate({ tool: 'pay', arguments: { amount: 1 } });
    engine.evaluateAuto({ tool: 'pay', arguments: { amount: 1 } });
    await engine.evaluateResponse({ tool: 'pay', arguments: { amount: 1 } }, { ok: true });
    expect(events.map((event) => event.phase)).toEqual(['request', 'request', 'response']);
  });

  it('says what was decided: tool, kind, digest, verdict, outcome, policies, violations, version and timings', async () => {
    const { events, engine } = await recording([LIMIT, REVIEW, SHAPE]);
    const decision = await engine.evaluate(
      { tool: 'pay', kind: 'tools/call', arguments: { amount: 5000, currency: 'GBP' } },
      {
        labels: { method: 'tools/call', requestId: 7 },
      },
    );
    expect(events).toHaveLength(1);
    const [event] = events as [AuditEvent];
    expect(event).toMatchObject({
      phase: 'request',
      tool: 'pay',
      kind: 'tools/call',
      verdict: 'deny',
      outcome: 'deny',
      policyIds: ['pay.limit', 'pay.review'],
      escalatedBy: ['pay.review'],
      policyVersion: engine.version,
      labels: { method: 'tools/call', requestId: 7 },
    });
    // The formal tier was short-circuited by the auto-tier deny.
    expect(event.violations.map((violation) => violation.policyId)).toEqual(['pay.limit', 'pay.review']);
    expect(event.violations).toEqual(decision.violations);
    expect(event.actionDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Date.parse(event.time)).not.toBeNaN();
    expect(event.durationMs.total).toBeGreaterThanOrEqual(event.durationMs.auto);
    expect(event.durationMs.formal).toBe(0);
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it('times the formal tier when it runs', async () => {
    const { events, engine } = await recording([SHAPE]);
    await engine.evaluate({ tool: 'pay', arguments: { amount: 5, currency: 'GBP' } });
    const [event] = events as [AuditEvent];
    expect(event.violations.map((violation) => violation.tier)).toEqual(['formal']);
    expect(event.durationMs.formal).toBeGreaterThan(0);
    expect(event.durationMs.total).toBeGreaterThanOrEqual(event.durationMs.formal);
  });

  it('says would_deny in monitor mode', async () => {
    const { events, engine } = await recording([LIMIT], 'monitor');
    const decision = engine.evaluateAuto({ tool: 'pay', arguments: { amount: 5000 } });
    expect(decision.verdict).toBe('allow');
    expect(events[0]).toMatchObject({ verdict: 'allow', outcome: 'would_deny', policyIds: ['pay.limit'], violations: [] });
    expect(events[0]?.wouldDeny.map((violation) => violation.policyId)).toEqual(['pay.limit']);
  });

  it('records an action that cannot be evaluated with tool null and the error', async () => {
    const { events, engine } = await recording([LIMIT]);
    engine.evaluateAuto({ tool: 7 } as unknown as Action);
    expect(events[0]).toMatchObject({ tool: null, verdict: 'deny', errors: [{ code: 'INVALID_ACTION' }] });
  });

  it('gives the same digest to the same action and a different one to a changed action', async () => {
    const { events, engine } = await recording([LIMIT]);
    engine.evaluateAuto({ tool: 'pay', arguments: { amount: 1, currency: 'EUR' } });
    engine.evaluateAuto({ arguments: { currency: 'EUR', amount: 1 }, tool: 'pay' });
    engine.evaluateAuto({ tool: 'pay', arguments: { amount: 2, currency: 'EUR' } });
    expect(events[0]?.actionDigest).toBe(events[1]?.actionDigest);
    expect(events[2]?.actionDigest).not.toBe(events[0]?.actionDigest);
  });

  it('withholds the decision when the handler throws: AUDIT_FAILED, never an unaudited decision', async () => {
    const engine = await createEngine({
      policies: [LIMIT],
      onDecision: () => {
        throw new Error('disk full');
      },
    });
    expect(thrownBy(() => engine.evaluateAuto({ tool: 'pay', arguments: { amount: 1 } }))).toMatchObject({
      code: 'AUDIT_FAILED',
      message: expect.stringContaining('disk full') as unknown,
    });
    await expect(engine.evaluate({ tool: 'pay', arguments: { amount: 1 } })).rejects.toMatchObject({ code: 'AUDIT_FAILED' });
  });

  it('rejects an onDecision that is not a function', async () => {
    await expect(createEngine({ policies: [], onDecision: 'log' as unknown as () => void })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      details: { option: 'onDecision' },
    });
  });
});
