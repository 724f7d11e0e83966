import { describe, expect, it } from 'vitest';
import type { Action, PolicyDefinition } from '../../src/index.js';
import { TierguardError, createEngine } from '../../src/index.js';

const EQ_ONE: PolicyDefinition = { id: 'p', assert: { field: 'arguments.x', op: 'eq', value: 1 } };

function actionWith(descriptors: PropertyDescriptorMap): Action {
  return { tool: 't', arguments: Object.defineProperties({}, descriptors) };
}

describe('hostile values that once escaped or failed open', () => {
  it('a thrown Proxy whose getPrototypeOf throws is an EVALUATION_FAILED error, not an escape', async () => {
    const engine = await createEngine({ policies: [EQ_ONE] });
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('trap');
        },
      },
    );
    // Not enumerable: the action's size check does not read it, the policy does.
    const decision = engine.evaluateAuto(
      actionWith({
        x: {
          enumerable: false,
          get: () => {
            // Hostile code throws what it likes, not only Errors: that is the point here.
            // eslint-disable-next-line @typescript-eslint/only-throw-error
            throw hostile;
          },
        },
      }),
    );
    expect(decision.verdict).toBe('deny');
    expect(decision.errors.map(({ code, policyId }) => ({ code, policyId }))).toEqual([{ code: 'EVALUATION_FAILED', policyId: 'p' }]);
  });

  it('a getter that answers differently when the failure is explained still denies', async () => {
    const engine = await createEngine({ policies: [EQ_ONE] });
    let reads = 0;
    const decision = engine.evaluateAuto(actionWith({ x: { enumerable: true, get: () => ((reads += 1) <= 2 ? 2 : 1) } }));
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toEqual([expect.objectContaining({ policyId: 'p', constraint: 'assert', path: [] })]);
  });

  it('a getter that throws while the formal tier converts the action is an error for the policy', async () => {
    const engine = await createEngine({ policies: [{ id: 'f', shape: { properties: [{ path: 'a', minCount: 1 }] } }] });
    let reads = 0;
    const action = Object.defineProperty({ tool: 't' }, 'a', {
      enumerable: true,
      get: () => {
        reads += 1;
        if (reads > 1) throw new Error('boom');
        return 1;
      },
    }) as Action;
    const decision = await engine.evaluate(action);
    expect(decision.verdict).toBe('deny');
    expect(decision.errors).toEqual([expect.objectContaining({ code: 'EVALUATION_FAILED', policyId: 'f' })]);
  });

  it('a Proxy or getter policy definition is INVALID_POLICY, never a DOMException', async () => {
    for (const policy of [
      new Proxy({ id: 'p' }, {}),
      Object.defineProperty({}, 'id', {
        enumerable: true,
        get: () => {
          throw new Error('x');
        },
      }),
    ]) {
      const error: unknown = await createEngine({ policies: [policy as PolicyDefinition] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TierguardError);
      expect((error as TierguardError).code).toBe('INVALID_POLICY');
      expect((error as TierguardError).message).toMatch(/cannot be read as JSON data/);
    }
  });

  it('validates and versions its own copy: a getter cannot answer one way to validation and another to the compiler', async () => {
    let reads = 0;
    const shifty = Object.defineProperty({ id: 'p' }, 'assert', {
      enumerable: true,
      get: () => ((reads += 1) === 1 ? { field: 'a', op: 'eq', value: 1 } : { field: 'a', op: 'bogus' }),
    }) as PolicyDefinition;
    const engine = await createEngine({ policies: [shifty] });
    expect(reads).toBe(1);
    expect(engine.evaluateAuto({ tool: 't', a: 1 }).verdict).toBe('allow');
    expect(engine.evaluateAuto({ tool: 't', a: 2 }).verdict).toBe('deny');
  });

  it('a regex holding a lone surrogate is refused at compile time in both tiers', async () => {
    const lone = JSON.parse('"\\ud800"') as string;
    await expect(createEngine({ policies: [{ id: 'r', assert: { field: 's', op: 'regex', value: lone } }] })).rejects.toThrow(
      /lone UTF-16 surrogate/,
    );
    await expect(createEngine({ policies: [{ id: 'f', shape: { properties: [{ path: 's', pattern: lone }] } }] })).rejects.toThrow(
      /lone UTF-16 surrogate/,
    );
  });

  it('a JSONPath filter hidden in a union is refused at compile time', async () => {
    await expect(createEngine({ policies: [{ id: 'j', assert: { field: '$.a[0,?(@.b)]', op: 'exists' } }] })).rejects.toThrow(
      /script or filter expression/,
    );
  });

  it('an array hole equals nothing and is not read through Array.prototype', async () => {
    const engine = await createEngine({ policies: [{ id: 'h', assert: { field: 'xs', op: 'eq', value: [5, 1] } }] });
    // eslint-disable-next-line no-sparse-arrays
    expect(engine.evaluateAuto({ tool: 't', xs: [, 1] }).verdict).toBe('deny');
    expect(engine.evaluateAuto({ tool: 't', xs: [5, 1] }).verdict).toBe('allow');
  });

  it('a key under an array that is not an index keeps its name in the violation path', async () => {
    const engine = await createEngine({ policies: [{ id: 'q', require: ['arguments.items.sku'] }] });
    expect(engine.evaluateAuto({ tool: 't', arguments: { items: [{ sku: 'a' }] } }).violations[0]?.path).toEqual([
      'arguments',
      'items',
      'sku',
    ]);
  });

  it('a Date or Map in the action is omitted from the graph like null, so minCount fails', async () => {
    const engine = await createEngine({ policies: [{ id: 'f', shape: { properties: [{ path: 'd', minCount: 1 }] } }] });
    expect((await engine.evaluate({ tool: 't', d: new Date(0) })).verdict).toBe('deny');
    expect((await engine.evaluate({ tool: 't', d: new Map() })).verdict).toBe('deny');
    expect((await engine.evaluate({ tool: 't', d: {} })).verdict).toBe('allow');
  });

  it('a value checked through sh:node more than 50 times is still checked every time, never taken to conform', async () => {
    // rdf-validate-shacl stops checking a (value, shape) pair after 50 sh:node
    // checks in one validation and takes it to conform: line 61 then passed an
    // `or` whose two alternatives it fails, after 60 lines that passed the second.
    const either: PolicyDefinition = {
      id: 'lines',
      shape: {
        properties: [
          {
            path: 'arguments.lines',
            or: [{ properties: [{ path: 'sku', node: { pattern: '^ok' } }] }, { properties: [{ path: 'approved', minCount: 1 }] }],
          },
        ],
      },
    };
    const engine = await createEngine({ policies: [either] });
    const lines = [...Array.from({ length: 60 }, () => ({ sku: 'bad', approved: true })), { sku: 'bad' }];
    const decision = await engine.evaluate({ tool: 't', arguments: { lines } });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map(({ constraint, path }) => ({ constraint, path }))).toEqual([
      { constraint: 'sh:OrConstraintComponent', path: ['arguments', 'lines', 60] },
    ]);
    // And every value that fails is reported, not the first 51.
    const each = await createEngine({
      policies: [
        {
          id: 'tags',
          shape: { properties: [{ path: 'arguments.items', node: { properties: [{ path: 'tag', node: { pattern: '^ok' } }] } }] },
        },
      ],
    });
    const items = Array.from({ length: 60 }, () => ({ tag: 'bad' }));
    expect((await each.evaluate({ tool: 't', arguments: { items } })).violations).toHaveLength(60);
  });

  it('a shape pattern longer than limits.maxPatternLength is refused, as in the auto tier', async () => {
    const error: unknown = await createEngine({
      policies: [{ id: 'f', shape: { properties: [{ path: 's', pattern: 'a'.repeat(20) }] } }],
      limits: { maxPatternLength: 10 },
    }).catch((caught: unknown) => caught);
    expect((error as TierguardError).message).toBe('policy "f" /shape/properties/0/pattern: must be a pattern of at most 10 characters');
  });

  it('a tool name longer than limits.maxStringLength is LIMIT_EXCEEDED before any glob reads it', async () => {
    const engine = await createEngine({ policies: [{ id: 'g', tools: ['*a*a*b'] }], limits: { maxStringLength: 100 } });
    const decision = engine.evaluateAuto({ tool: 'a'.repeat(101) });
    expect(decision.verdict).toBe('deny');
    expect(decision.errors.map(({ code }) => code)).toEqual(['LIMIT_EXCEEDED']);
    expect(engine.evaluateAuto({ tool: 'a'.repeat(100) }).verdict).toBe('allow');
  });
});
