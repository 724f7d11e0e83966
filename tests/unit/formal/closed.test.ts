import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, ShapeDefinition } from '../../../src/index.js';

/** A closed shape at the action root naming only dotted paths under `arguments` and `context.user`. */
const ROOT_CLOSED: ShapeDefinition = {
  closed: true,
  properties: [
    { path: 'arguments.amount', minCount: 1 },
    { path: 'context.user.id', minCount: 1 },
  ],
};

async function decide(shape: ShapeDefinition, action: Action) {
  const engine = await createEngine({ policies: [{ id: 'closed', tools: ['t'], shape }] });
  return engine.evaluate(action);
}

describe('closed', () => {
  it('always allows tool and kind at the action root, and the first segments of dotted paths', async () => {
    const action: Action = {
      tool: 't',
      kind: 'tools/call',
      arguments: { amount: 1, note: 'x' },
      context: { user: { id: 'u', name: 'n' } },
    };
    expect(await decide(ROOT_CLOSED, action)).toMatchObject({ verdict: 'allow', violations: [], errors: [] });
  });

  it('reports an extra key at the root at its path, with its value', async () => {
    const decision = await decide(ROOT_CLOSED, {
      tool: 't',
      kind: 'tools/call',
      arguments: { amount: 1 },
      context: { user: { id: 'u' } },
      sudo: true,
    });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toEqual([
      {
        policyId: 'closed',
        tier: 'formal',
        constraint: 'sh:ClosedConstraintComponent',
        path: ['sudo'],
        message: 'sudo is not allowed: the shape is closed',
        expected: 'only declared keys',
        actual: true,
        effect: 'deny',
        severity: 'violation',
      },
    ]);
  });

  it('reports every extra key, each at its own path, in a nested closed shape', async () => {
    const shape: ShapeDefinition = {
      properties: [{ path: 'arguments.lines', node: { closed: true, properties: [{ path: 'sku' }, { path: 'price.amount' }] } }],
    };
    const ok = await decide(shape, { tool: 't', arguments: { lines: [{ sku: 'a', price: { amount: 1, currency: 'EUR' } }] } });
    expect(ok.verdict).toBe('allow');
    const decision = await decide(shape, { tool: 't', arguments: { lines: [{ sku: 'a' }, { sku: 'b', qty: 2, tool: 'x' }] } });
    expect(decision.violations.map(({ constraint, path, actual }) => ({ constraint, path, actual }))).toEqual([
      { constraint: 'sh:ClosedConstraintComponent', path: ['arguments', 'lines', 1, 'qty'], actual: 2 },
      { constraint: 'sh:ClosedConstraintComponent', path: ['arguments', 'lines', 1, 'tool'], actual: 'x' },
    ]);
  });

  // Values that put nothing in the graph (null, empty arrays) and values that once did not (Infinity, NaN):
  // the key is there all the same, and a closed shape names the keys it allows.
  const EXTRA_VALUES: readonly (readonly [string, unknown])[] = [
    ['null', null],
    ['[]', []],
    ['[null]', [null]],
    ['[[]]', [[]]],
    ['[[null], []]', [[null], []]],
    ['Infinity (1e400 in JSON text)', (JSON.parse('{ "x": 1e400 }') as { x: number }).x],
    ['-Infinity', -Infinity],
    ['NaN', Number.NaN],
    ['{}', {}],
  ];

  it.each(EXTRA_VALUES)('refuses an extra key at the root holding %s, at its path, with its value', async (_name, value) => {
    const decision = await decide(ROOT_CLOSED, {
      tool: 't',
      kind: 'tools/call',
      arguments: { amount: 1 },
      context: { user: { id: 'u' } },
      extra: value,
    });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toEqual([
      {
        policyId: 'closed',
        tier: 'formal',
        constraint: 'sh:ClosedConstraintComponent',
        path: ['extra'],
        message: 'extra is not allowed: the shape is closed',
        expected: 'only declared keys',
        actual: value,
        effect: 'deny',
        severity: 'violation',
      },
    ]);
  });

  it.each(EXTRA_VALUES)('refuses an extra key holding %s in a nested closed shape, in every element', async (_name, value) => {
    const shape: ShapeDefinition = { properties: [{ path: 'arguments.lines', node: { closed: true, properties: [{ path: 'sku' }] } }] };
    const decision = await decide(shape, { tool: 't', arguments: { lines: [{ sku: 'a' }, { sku: 'b', extra: value }] } });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map(({ constraint, path, actual }) => ({ constraint, path, actual }))).toEqual([
      { constraint: 'sh:ClosedConstraintComponent', path: ['arguments', 'lines', 1, 'extra'], actual: value },
    ]);
  });

  it('still allows declared keys, and tool and kind, whose value is null or empty', async () => {
    const action: Action = { tool: 't', kind: null as unknown as string, arguments: { amount: [] }, context: { user: { id: null } } };
    expect(await decide({ ...ROOT_CLOSED, properties: [{ path: 'arguments.amount' }, { path: 'context.user.id' }] }, action)).toMatchObject(
      {
        verdict: 'allow',
        violations: [],
        errors: [],
      },
    );
    const nested: ShapeDefinition = {
      properties: [{ path: 'arguments', node: { closed: true, properties: [{ path: 'a' }, { path: 'b' }] } }],
    };
    expect((await decide(nested, { tool: 't', arguments: { a: null, b: [[]] } })).verdict).toBe('allow');
  });

  it('does not constrain keys when closed is false or absent', async () => {
    const open: ShapeDefinition = { ...ROOT_CLOSED, closed: false };
    expect((await decide(open, { tool: 't', arguments: { amount: 1 }, context: { user: { id: 'u' } }, sudo: true })).verdict).toBe('allow');
  });
});
