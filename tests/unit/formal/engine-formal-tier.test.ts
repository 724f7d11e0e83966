import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FormalTier } from '../../../src/formal/formal-tier.js';
import { TierguardError, createEngine } from '../../../src/index.js';
import type { Action, PolicyDefinition } from '../../../src/index.js';

/** An auto policy that denies amounts over 100, and a formal policy that requires a currency, both on `pay`. */
const AUTO: PolicyDefinition = { id: 'auto.max', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } };
const FORMAL: PolicyDefinition = {
  id: 'formal.currency',
  tools: ['pay'],
  shape: { properties: [{ path: 'arguments.currency', minCount: 1 }] },
};
const BOTH_BAD: Action = { tool: 'pay', kind: 'tools/call', arguments: { amount: 500 } };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('order of the tiers', () => {
  it('short-circuits by default: the formal tier is skipped when the auto tier already denied', async () => {
    const spy = vi.spyOn(FormalTier.prototype, 'evaluate');
    const engine = await createEngine({ policies: [FORMAL, AUTO] });
    const decision = await engine.evaluate(BOTH_BAD);
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map(({ policyId, tier }) => ({ policyId, tier }))).toEqual([{ policyId: 'auto.max', tier: 'auto' }]);
    expect(spy).not.toHaveBeenCalled();
  });

  it('with shortCircuit: false, both tiers report, in policy order whichever tier found them', async () => {
    const formalFirst = await createEngine({ policies: [FORMAL, AUTO], shortCircuit: false });
    expect(
      (await formalFirst.evaluate(BOTH_BAD)).violations.map(({ policyId, tier, constraint }) => ({ policyId, tier, constraint })),
    ).toEqual([
      { policyId: 'formal.currency', tier: 'formal', constraint: 'sh:MinCountConstraintComponent' },
      { policyId: 'auto.max', tier: 'auto', constraint: 'lte' },
    ]);
    const autoFirst = await createEngine({ policies: [AUTO, FORMAL], shortCircuit: false });
    expect((await autoFirst.evaluate(BOTH_BAD)).violations.map(({ policyId }) => policyId)).toEqual(['auto.max', 'formal.currency']);
  });

  it('runs the formal tier after an auto tier that passed, or that only warned', async () => {
    const warnOnly: PolicyDefinition = { ...AUTO, id: 'auto.warn', effect: 'warn' };
    const engine = await createEngine({ policies: [warnOnly, FORMAL] });
    const decision = await engine.evaluate(BOTH_BAD);
    expect(decision.verdict).toBe('deny');
    expect(decision.warnings.map(({ policyId }) => policyId)).toEqual(['auto.warn']);
    expect(decision.violations.map(({ policyId }) => policyId)).toEqual(['formal.currency']);
  });
});

describe('the formal tier runs only where a formal policy applies', () => {
  it('is not called for a tool no formal policy covers, and is called for one it covers', async () => {
    const spy = vi.spyOn(FormalTier.prototype, 'evaluate');
    const engine = await createEngine({
      policies: [FORMAL, { id: 'other', tools: ['read'], assert: { field: 'tool', op: 'eq', value: 'read' } }],
    });
    expect((await engine.evaluate({ tool: 'read', arguments: {} })).verdict).toBe('allow');
    expect(spy).not.toHaveBeenCalled();
    const decision = await engine.evaluate({ tool: 'pay', arguments: { amount: 1 } });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[1]).toBe('pay');
    expect(decision.violations.map(({ policyId }) => policyId)).toEqual(['formal.currency']);
  });

  it('a formal policy whose `when` does not hold contributes nothing', async () => {
    const conditional: PolicyDefinition = { ...FORMAL, when: { field: 'arguments.amount', op: 'gt', value: 10 } };
    const engine = await createEngine({ policies: [conditional] });
    expect(await engine.evaluate({ tool: 'pay', arguments: { amount: 5 } })).toMatchObject({
      verdict: 'allow',
      violations: [],
      warnings: [],
      errors: [],
    });
    expect((await engine.evaluate({ tool: 'pay', arguments: { amount: 50 } })).violations).toEqual([
      expect.objectContaining({
        policyId: 'formal.currency',
        constraint: 'sh:MinCountConstraintComponent',
        path: ['arguments', 'currency'],
      }),
    ]);
  });

  it('evaluateAuto never runs the formal tier, and a shape that applies is not evaluated, never passed', async () => {
    const spy = vi.spyOn(FormalTier.prototype, 'evaluate');
    const engine = await createEngine({ policies: [FORMAL] });
    const decision = engine.evaluateAuto({ tool: 'pay', arguments: { amount: 1 } });
    expect(decision).toMatchObject({ verdict: 'deny', violations: [] });
    expect(decision.errors).toEqual([
      {
        code: 'EVALUATION_FAILED',
        policyId: 'formal.currency',
        message:
          'policy "formal.currency": evaluateAuto does not run the formal tier, and this policy\'s checks include shape: use evaluate',
      },
    ]);
    expect(spy).not.toHaveBeenCalled();
    expect((await engine.evaluate({ tool: 'pay', arguments: { amount: 1 } })).verdict).toBe('deny');
  });

  it('evaluateAuto follows onError for a shape it cannot run, and judges what no shape covers', async () => {
    const open = await createEngine({ policies: [FORMAL], onError: 'allow' });
    expect(open.evaluateAuto({ tool: 'pay', arguments: { amount: 1 } })).toMatchObject({
      verdict: 'allow',
      errors: [{ policyId: 'formal.currency' }],
    });
    const throwing = await createEngine({ policies: [FORMAL], onError: 'throw' });
    expect(() => throwing.evaluateAuto({ tool: 'pay', arguments: {} })).toThrow(/evaluateAuto does not run the formal tier/);
    const closed = await createEngine({ policies: [FORMAL] });
    expect(closed.evaluateAuto({ tool: 'refund', arguments: {} })).toMatchObject({ verdict: 'allow', errors: [] });
  });

  it('evaluateAuto reports only the shapes whose when holds, and none once the auto tier denied', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'cap', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } },
        { ...FORMAL, when: { field: 'arguments.currency', op: 'exists' } },
      ],
    });
    expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 1 } })).toMatchObject({ verdict: 'allow', errors: [] });
    expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 1, currency: 'x' } }).errors).toHaveLength(1);
    expect(engine.evaluateAuto({ tool: 'pay', arguments: { amount: 500, currency: 'x' } })).toMatchObject({ verdict: 'deny', errors: [] });
  });
});

describe('determinism and order across formal policies', () => {
  const first: PolicyDefinition = {
    id: 'z.first',
    tools: ['pay'],
    shape: {
      properties: [
        {
          path: 'arguments.lines',
          node: {
            properties: [
              { path: 'sku', pattern: '^[A-Z]+$' },
              { path: 'qty', minInclusive: 1 },
            ],
          },
        },
      ],
    },
  };
  const second: PolicyDefinition = {
    id: 'a.second',
    tools: ['pay'],
    shape: { properties: [{ path: 'arguments.currency', minCount: 1, in: ['EUR'] }] },
  };
  const action: Action = {
    tool: 'pay',
    arguments: {
      lines: [
        { sku: 'ok', qty: 0 },
        { sku: 'OK', qty: 1 },
        { sku: 'no', qty: -1 },
      ],
    },
  };

  it('gives deep-equal decisions for the same action', async () => {
    const engine = await createEngine({ policies: [first, second] });
    const once = await engine.evaluate(action);
    const twice = await engine.evaluate(action);
    expect(twice).toEqual(once);
    expect(once.violations.length).toBe(5);
    const rebuilt = await createEngine({ policies: [first, second] });
    expect(await rebuilt.evaluate(action)).toEqual(once);
  });

  it('orders violations by policy order', async () => {
    const forward = await (await createEngine({ policies: [first, second] })).evaluate(action);
    expect(forward.violations.map(({ policyId }) => policyId)).toEqual(['z.first', 'z.first', 'z.first', 'z.first', 'a.second']);
    const backward = await (await createEngine({ policies: [second, first] })).evaluate(action);
    expect(backward.violations.map(({ policyId }) => policyId)).toEqual(['a.second', 'z.first', 'z.first', 'z.first', 'z.first']);
  });

  it('keeps policy order between generated shapes and a shapesFile policy', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tierguard-order-'));
    try {
      const file = join(directory, 'file.ttl');
      writeFileSync(
        file,
        `@prefix sh: <http://www.w3.org/ns/shacl#>. @prefix tg: <urn:tierguard:>. @prefix key: <urn:tierguard:key:>.
tg:S a sh:NodeShape; sh:targetClass tg:Action; sh:property [ sh:path (key:arguments key:memo); sh:minCount 1 ].\n`,
      );
      const fromFile: PolicyDefinition = { id: 'm.file', tools: ['pay'], shapesFile: file };
      const engine = await createEngine({ policies: [second, fromFile, first] });
      const decision = await engine.evaluate(action);
      expect(decision.violations.map(({ policyId }) => policyId)).toEqual([
        'a.second',
        'm.file',
        'z.first',
        'z.first',
        'z.first',
        'z.first',
      ]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('errors inside the formal tier', () => {
  it("reject evaluate with a TierguardError under onError 'throw'", async () => {
    const engine = await createEngine({
      policies: [{ id: 'long', tools: ['t'], shape: { properties: [{ path: 'arguments.x', pattern: 'a' }] } }],
      limits: { maxStringLength: 4 },
      onError: 'throw',
    });
    await expect(engine.evaluate({ tool: 't', arguments: { x: 'aaaa' } })).resolves.toMatchObject({ verdict: 'allow' });
    const error: unknown = await engine.evaluate({ tool: 't', arguments: { x: 'aaaaa' } }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TierguardError);
    expect((error as TierguardError).code).toBe('LIMIT_EXCEEDED');
    expect((error as TierguardError).message).toContain('policy "long"');
  });
});
