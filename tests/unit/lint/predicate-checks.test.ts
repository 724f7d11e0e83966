import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine.js';
import type { ToolDescription } from '../../../src/mcp/gateway/check-tool-schemas.js';
import type { ComparisonDefinition, JsonValue, PolicyDefinition, PredicateDefinition } from '../../../src/types.js';
import { findingsOf, where } from './support.js';
import { predicateTrees } from '../../support/predicate-trees.js';

/** `when` and `assert` predicates that can never hold: decided from the predicates, the tools patterns and the tool schemas. */

const when = (predicate: PredicateDefinition, tools?: readonly string[]): PolicyDefinition => ({
  id: 'p',
  ...(tools === undefined ? {} : { tools }),
  when: predicate,
});
const x = (op: ComparisonDefinition['op'], value?: JsonValue): ComparisonDefinition => ({
  field: 'arguments.x',
  op,
  ...(value === undefined ? {} : { value }),
});
const neverApplies = (policy: PolicyDefinition, tools?: readonly ToolDescription[]): string | undefined =>
  findingsOf('never-applies', [policy], tools === undefined ? {} : { tools })[0]?.message;

describe('never-applies', () => {
  it('reports bounds with nothing between them, as an error at /when', () => {
    const [finding] = findingsOf('never-applies', [when({ all: [x('gt', 10), x('lt', 5)] })]);
    expect(finding).toMatchObject({ severity: 'error', pointer: '/when' });
    expect(finding?.message).toBe(
      'policy "p": its when can never hold, so the policy never applies: arguments.x > 10 (/when/all/0) and arguments.x < 5 (/when/all/1) leave no value between them',
    );
    expect(neverApplies(when({ all: [x('gte', 5), x('lt', 5)] }))).toBeDefined();
    expect(neverApplies(when({ all: [x('gte', 'b'), x('lte', 'a')] }))).toBeDefined();
    expect(neverApplies(when({ all: [x('gte', 5), x('lte', 5)] }))).toBeUndefined();
  });

  it('reports in [], kinds no value has at once, and a value eq pins down that another comparison rules out', () => {
    expect(neverApplies(when(x('in', [])))).toContain('arguments.x in [] (/when) holds for no value');
    expect(neverApplies(when({ all: [x('gt', 5), x('regex', 'a')] }))).toContain('no value is both');
    expect(neverApplies(when({ all: [x('eq', 5), x('eq', '5')] }))).toBeDefined();
    expect(neverApplies(when({ all: [x('eq', 3), x('gt', 5)] }))).toContain('leaves only 3, which arguments.x > 5 (/when/all/1) rules out');
    expect(neverApplies(when({ all: [x('eq', 'a'), x('neq', 'a')] }))).toBeDefined();
    expect(neverApplies(when({ all: [x('in', ['a', 'b']), x('not_in', ['b', 'a', 'c'])] }))).toContain('excludes every value');
    expect(neverApplies(when({ all: [x('in', [1, 2]), x('gt', 5)] }))).toBeDefined();
    expect(neverApplies(when({ all: [x('glob', 'a*'), x('eq', 'b')] }))).toBeDefined();
  });

  it('reads not, nested all and any: a predicate and its negation, every alternative failing', () => {
    expect(neverApplies(when({ all: [x('exists'), { not: x('exists') }] }))).toContain('and its negation');
    expect(neverApplies(when({ all: [x('gt', 10), { not: { any: [x('lt', 0), x('gt', 5)] } }] }))).toBeDefined();
    expect(neverApplies(when({ all: [x('gt', 10), { any: [x('lt', 5), x('eq', 3)] }] }))).toContain('no alternative of /when/all/1');
    expect(neverApplies(when({ all: [x('gt', 10), { any: [x('lt', 5), x('eq', 30)] }] }))).toBeUndefined();
    expect(neverApplies(when({ all: [{ all: [x('gt', 10)] }, { not: { not: x('lt', 10) } }] }))).toBeDefined();
  });

  it('claims nothing of what a missing field or another field can satisfy', () => {
    expect(neverApplies(when({ all: [{ not: x('gt', 5) }, { not: x('lte', 5) }] }))).toBeUndefined();
    expect(neverApplies(when({ all: [x('gt', 10), { field: 'arguments.y', op: 'lt', value: 5 }] }))).toBeUndefined();
    expect(neverApplies(when({ all: [x('gt', 10), { field: 'arguments.x', op: 'lt', valueRef: 'context.max' }] }))).toBeUndefined();
    expect(
      neverApplies(
        when({
          all: [
            { field: '$.arguments.x[*]', op: 'gt', value: 10 },
            { field: '$.arguments.x[*]', op: 'lt', value: 5, quantifier: 'any' },
          ],
        }),
      ),
    ).toBeUndefined();
    // An array is in a list when one of its elements is: ["a", 5] passes both.
    expect(neverApplies(when({ all: [x('in', ['a']), x('in', [5])] }))).toBeUndefined();
  });

  it('reports a tool the when names that the tools patterns leave out: the policy conflicts with itself', () => {
    const self = when({ field: 'tool', op: 'eq', value: 'orders.create' }, ['payments.*']);
    expect(neverApplies(self)).toContain(`leaves only "orders.create", which the policy's tools (payments.*) rules out`);
    expect(neverApplies(when({ field: 'tool', op: 'in', value: ['a', 'b'] }, ['c', 'd*']))).toBeDefined();
    expect(neverApplies(when({ field: 'tool', op: 'eq', value: 'payments.refund' }, ['payments.*']))).toBeUndefined();
  });

  it('reports a value the tool schemas rule out: eq against the type or the enum of every tool the policy selects', () => {
    const tools: ToolDescription[] = [
      { name: 'pay', inputSchema: { type: 'object', properties: { amount: { type: 'integer' }, currency: { enum: ['EUR', 'USD'] } } } },
      { name: 'refund', inputSchema: { type: 'object', properties: { amount: { type: 'number' } } } },
    ];
    const amount = (op: ComparisonDefinition['op'], value: JsonValue, on: readonly string[]): PolicyDefinition =>
      when({ field: 'arguments.amount', op, value }, on);
    expect(neverApplies(amount('eq', '5', ['pay']), tools)).toContain(`tool "pay"'s inputSchema (type integer) takes a number`);
    expect(neverApplies(amount('eq', 2.5, ['pay']), tools)).toBeDefined();
    expect(neverApplies(amount('eq', 2.5, ['pay', 'refund']), tools)).toBeUndefined();
    expect(neverApplies(amount('regex', '^1', ['*']), tools)).toContain('the inputSchemas of its 2 tools');
    expect(neverApplies(when({ field: 'arguments.currency', op: 'eq', value: 'GBP' }, ['pay']), tools)).toContain('one of "EUR", "USD"');
    expect(neverApplies(when({ field: 'arguments.currency', op: 'eq', value: 'EUR' }, ['pay']), tools)).toBeUndefined();
    // Without the schemas there is no such fact.
    expect(neverApplies(amount('eq', '5', ['pay']))).toBeUndefined();
    // A default or a mask writes the policy's own value before any when reads it, whatever the schema says.
    const masks: PolicyDefinition = { id: 'masks', tools: ['pay'], rewrite: [{ op: 'mask_field', field: 'arguments.amount', value: '5' }] };
    expect(findingsOf('never-applies', [masks, amount('eq', '5', ['pay'])], { tools })).toEqual([]);
  });
});

describe('never-applies on hostile predicates', () => {
  it('stays bounded on thousands of disjunctions, deciding what it can before trying alternatives', () => {
    const anys = Array.from({ length: 2_000 }, (_, index) => ({ any: [x('gt', index), { field: 'arguments.y', op: 'lt', value: index }] }));
    expect(neverApplies(when({ all: [x('in', []), ...anys] } as PredicateDefinition))).toContain('holds for no value');
    // Satisfiable, or too costly to tell: either way no claim.
    expect(neverApplies(when({ all: [x('gt', 5), ...anys] } as PredicateDefinition))).toBeUndefined();
  });
});

describe('always-violated', () => {
  it('reports an assert that can never hold where the when does, as a warning at /assert', () => {
    const policy: PolicyDefinition = { id: 'p', when: x('gt', 100), assert: x('lt', 50) };
    const [finding] = findingsOf('always-violated', [policy]);
    expect(finding).toMatchObject({ severity: 'warning', pointer: '/assert' });
    expect(finding?.message).toContain('every action it applies to violates it: arguments.x > 100 (/when) and arguments.x < 50 (/assert)');
    expect(where(findingsOf('always-violated', [{ id: 'q', assert: x('in', []) }]))).toEqual(['q /assert']);
    expect(findingsOf('always-violated', [{ id: 'r', when: x('gt', 100), assert: x('lt', 500) }])).toEqual([]);
  });

  it('leaves a policy that never applies to never-applies alone', () => {
    const policy: PolicyDefinition = { id: 'p', when: x('in', []), assert: x('in', []) };
    expect(findingsOf('always-violated', [policy])).toEqual([]);
    expect(findingsOf('never-applies', [policy])).toHaveLength(1);
  });
});

// The values and constants of the property: numbers around the bounds, strings around each other, and the other kinds.
const CONSTANTS: readonly JsonValue[] = [0, 5, 10, 'a', 'b', null, true];
const VALUES: readonly (JsonValue | undefined)[] = [
  undefined,
  -1,
  0,
  3,
  5,
  7,
  10,
  11,
  'a',
  'ab',
  'b',
  'c',
  null,
  true,
  false,
  [5],
  ['a', 10],
  [],
  {},
];

const comparison: fc.Arbitrary<ComparisonDefinition> = fc.oneof(
  fc
    .record({
      field: fc.constantFrom('arguments.x', 'arguments.y'),
      op: fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte'),
      value: fc.constantFrom(...CONSTANTS),
    })
    .filter((c) => !['gt', 'gte', 'lt', 'lte'].includes(c.op) || typeof c.value === 'number' || typeof c.value === 'string'),
  fc.record({
    field: fc.constantFrom('arguments.x', 'arguments.y'),
    op: fc.constantFrom('in', 'not_in'),
    value: fc.subarray([...CONSTANTS]),
  }),
  fc.record({ field: fc.constantFrom('arguments.x', 'arguments.y'), op: fc.constant('exists') }),
  fc.record({ field: fc.constantFrom('arguments.x'), op: fc.constant('regex'), value: fc.constantFrom('^a', 'b$') }),
);

const predicate: fc.Arbitrary<PredicateDefinition> = predicateTrees(comparison);

describe('never-applies is sound: what it claims, the engine agrees with', () => {
  it('a when it says never holds applies to no action built from the values around its constants', async () => {
    await fc.assert(
      // Conjunctions at the top half of the time: that is where contradictions are.
      fc.asyncProperty(fc.oneof(predicate, fc.record({ all: fc.array(predicate, { minLength: 2, maxLength: 4 }) })), async (condition) => {
        const policy: PolicyDefinition = { id: 'p', when: condition };
        if (findingsOf('never-applies', [policy]).length === 0) return;
        // The policy asserts nothing: wherever it applies it denies.
        const engine = await createEngine({ policies: [policy] });
        for (const xValue of VALUES) {
          for (const yValue of VALUES) {
            const args = { ...(xValue === undefined ? {} : { x: xValue }), ...(yValue === undefined ? {} : { y: yValue }) };
            expect(engine.evaluateAuto({ tool: 't', arguments: args }).verdict, JSON.stringify(args)).toBe('allow');
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
