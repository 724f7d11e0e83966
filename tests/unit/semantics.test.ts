import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEngine, isTierguardError, TierguardError } from '../../src/index.js';
import { parseJson } from '../../src/bundle/read-json.js';
import type { Action, Decision, EngineOptions, JsonValue, Operator, PolicyDefinition, PredicateDefinition } from '../../src/index.js';

/**
 * One block per row of the README "Semantics" table, named after the row. Each
 * block checks both sides of the rule: where it holds and where it does not.
 */

type Options = Omit<EngineOptions, 'policies'>;

/** The decision of one policy asserting `predicate` on `action`. */
async function decideOne(predicate: PredicateDefinition, action: Action, options: Options = {}): Promise<Decision> {
  const engine = await createEngine({ policies: [{ id: 'p', assert: predicate }], ...options });
  return engine.evaluateAuto(action);
}

/** True when `predicate` holds for `action` (no violation, no error); false when it is violated. */
async function holds(predicate: PredicateDefinition, action: Action): Promise<boolean> {
  const decision = await decideOne(predicate, action);
  expect(decision.errors).toEqual([]);
  if (decision.verdict === 'allow') {
    expect(decision.violations).toEqual([]);
    return true;
  }
  expect(decision.verdict).toBe('deny');
  expect(decision.violations.length).toBeGreaterThan(0);
  return false;
}

const act = (args: Record<string, unknown>, context: Record<string, unknown> = {}): Action => ({
  tool: 't',
  arguments: args,
  context,
});

/** One comparison per operator, each of which holds for `arguments.x = 5` or `"abc"` as noted. */
const EVERY_OPERATOR: readonly PredicateDefinition[] = [
  { field: 'arguments.x', op: 'eq', value: 1 },
  { field: 'arguments.x', op: 'neq', value: 1 },
  { field: 'arguments.x', op: 'gt', value: 1 },
  { field: 'arguments.x', op: 'gte', value: 1 },
  { field: 'arguments.x', op: 'lt', value: 1 },
  { field: 'arguments.x', op: 'lte', value: 1 },
  { field: 'arguments.x', op: 'in', value: [1] },
  { field: 'arguments.x', op: 'not_in', value: [1] },
  { field: 'arguments.x', op: 'regex', value: '.*' },
  { field: 'arguments.x', op: 'glob', value: '*' },
  { field: 'arguments.x', op: 'exists' },
];

const opName = (predicate: PredicateDefinition): string => ('op' in predicate ? predicate.op : '?');

describe('Semantics: Missing field', () => {
  it.each(EVERY_OPERATOR.map((predicate) => [opName(predicate), predicate] as const))(
    '%s over a missing field is false, and `not` of it is true',
    async (_name, predicate) => {
      expect(await holds(predicate, act({}))).toBe(false);
      expect(await holds(predicate, { tool: 't' })).toBe(false);
      expect(await holds({ not: predicate }, act({}))).toBe(true);
    },
  );

  it('the same comparisons hold or fail normally once the field is present', async () => {
    const present = act({ x: 5 });
    const results = await Promise.all(EVERY_OPERATOR.map((predicate) => holds(predicate, present)));
    // eq, neq, gt, gte, lt, lte, in, not_in, regex (string only), glob (string only), exists
    expect(results).toEqual([false, true, true, true, false, false, false, true, false, false, true]);
  });

  it('a missing field is reported at its path with no actual', async () => {
    const decision = await decideOne({ field: 'arguments.x', op: 'neq', value: 1 }, act({}));
    expect(decision.violations).toHaveLength(1);
    expect(decision.violations[0]?.path).toEqual(['arguments', 'x']);
    expect(decision.violations[0] !== undefined && 'actual' in decision.violations[0]).toBe(false);
  });
});

describe('Semantics: Missing `valueRef`', () => {
  const REF_OPERATORS: readonly PredicateDefinition[] = [
    { field: 'arguments.x', op: 'eq', valueRef: 'context.ref' },
    { field: 'arguments.x', op: 'neq', valueRef: 'context.ref' },
    { field: 'arguments.x', op: 'gt', valueRef: 'context.ref' },
    { field: 'arguments.x', op: 'gte', valueRef: 'context.ref' },
    { field: 'arguments.x', op: 'lt', valueRef: 'context.ref' },
    { field: 'arguments.x', op: 'lte', valueRef: 'context.ref' },
    { field: 'arguments.x', op: 'in', valueRef: 'context.ref' },
    { field: 'arguments.x', op: 'not_in', valueRef: 'context.ref' },
  ];

  it.each(REF_OPERATORS.map((predicate) => [opName(predicate), predicate] as const))(
    '%s with a missing valueRef is false, and `not` of it is true',
    async (_name, predicate) => {
      expect(await holds(predicate, act({ x: 5 }, {}))).toBe(false);
      expect(await holds(predicate, act({ x: 5 }))).toBe(false);
      expect(await holds(predicate, { tool: 't', arguments: { x: 5 } })).toBe(false);
      expect(await holds({ not: predicate }, act({ x: 5 }, {}))).toBe(true);
    },
  );

  it('with the reference present the comparison is decided by its value', async () => {
    const scalar = act({ x: 5 }, { ref: 5 });
    const list = act({ x: 5 }, { ref: [5, 6] });
    expect(await holds(REF_OPERATORS[0] as PredicateDefinition, scalar)).toBe(true); // eq
    expect(await holds(REF_OPERATORS[1] as PredicateDefinition, scalar)).toBe(false); // neq
    expect(await holds(REF_OPERATORS[2] as PredicateDefinition, act({ x: 5 }, { ref: 4 }))).toBe(true); // gt
    expect(await holds(REF_OPERATORS[3] as PredicateDefinition, scalar)).toBe(true); // gte
    expect(await holds(REF_OPERATORS[4] as PredicateDefinition, scalar)).toBe(false); // lt
    expect(await holds(REF_OPERATORS[5] as PredicateDefinition, scalar)).toBe(true); // lte
    expect(await holds(REF_OPERATORS[6] as PredicateDefinition, list)).toBe(true); // in
    expect(await holds(REF_OPERATORS[7] as PredicateDefinition, list)).toBe(false); // not_in
  });

  it('a null reference is a value, not a missing one', async () => {
    expect(await holds({ field: 'arguments.x', op: 'eq', valueRef: 'context.ref' }, act({ x: null }, { ref: null }))).toBe(true);
  });
});

describe('Semantics: Type mismatch', () => {
  it.each([
    ['eq', 500, false],
    ['neq', 500, false],
    ['gt', 100, false],
    ['gte', 500, false],
    ['lt', 1000, false],
    ['lte', 500, false],
  ] as const)('"500" %s %s is %s: never coerced', async (op, value, expected) => {
    expect(await holds({ field: 'arguments.amount', op, value }, act({ amount: '500' }))).toBe(expected);
    // The same comparison through valueRef.
    expect(await holds({ field: 'arguments.amount', op, valueRef: 'context.n' }, act({ amount: '500' }, { n: value }))).toBe(expected);
    // And the other way round: a number against a string.
    expect(await holds({ field: 'arguments.amount', op, value: String(value) }, act({ amount: value }))).toBe(expected);
  });

  it.each([
    ['eq', 500, true],
    ['neq', 400, true],
    ['neq', 500, false],
    ['gt', 100, true],
    ['gte', 500, true],
    ['lt', 1000, true],
    ['lte', 500, true],
    ['lte', 499, false],
  ] as const)('500 %s %s is %s with matching types', async (op, value, expected) => {
    expect(await holds({ field: 'arguments.amount', op, value }, act({ amount: 500 }))).toBe(expected);
  });

  it('other kinds do not mix either: booleans, null, numbers, strings, arrays', async () => {
    expect(await holds({ field: 'arguments.v', op: 'eq', value: 1 }, act({ v: true }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op: 'neq', value: 1 }, act({ v: true }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op: 'eq', value: 0 }, act({ v: false }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op: 'eq', value: '' }, act({ v: null }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op: 'neq', value: '' }, act({ v: null }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op: 'eq', value: '1' }, act({ v: [1] }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op: 'neq', value: 'x' }, act({ v: 'y' }))).toBe(true);
    expect(await holds({ field: 'arguments.v', op: 'in', value: [500] }, act({ v: '500' }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op: 'in', value: ['500'] }, act({ v: 500 }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op: 'in', value: [500] }, act({ v: 500 }))).toBe(true);
  });

  it('the violation says the actual value was of another type', async () => {
    const decision = await decideOne({ field: 'arguments.amount', op: 'gt', value: 0 }, act({ amount: '500' }));
    expect(decision.violations[0]?.actual).toBe('500');
    expect(decision.violations[0]?.message).toBe('arguments.amount must be greater than 0 (got "500", a string)');
  });
});

describe('Semantics: Strings in `gt` `gte` `lt` `lte`', () => {
  it.each([
    ['2024-03-01', 'gt', '2024-02-29', true],
    ['2024-03-01', 'lt', '2024-02-29', false],
    ['2024-03-01T10:00:00Z', 'gt', '2024-03-01T09:59:59Z', true],
    ['2023-12-31', 'gte', '2024-01-01', false],
    ['2024-01-01', 'gte', '2024-01-01', true],
    ['2024-01-01', 'lte', '2024-01-01', true],
    ['2024-01-01', 'lt', '2024-01-01', false],
    ['Z', 'lt', 'a', true], // code unit order: uppercase before lowercase
    ['10', 'lt', '9', true], // strings, not numbers
    ['abc', 'gt', 'ab', true], // a prefix sorts first
    ['', 'lt', 'a', true],
    // By UTF-16 code unit U+FFFF sorts after U+1F600 (surrogates D83D DE00); by code point it would not.
    ['\uffff', 'gt', '\u{1f600}', true],
    ['\u{1f600}', 'lt', '\uffff', true],
  ] as const)('%j %s %j is %s', async (actual, op, value, expected) => {
    expect(await holds({ field: 'arguments.d', op, value }, act({ d: actual }))).toBe(expected);
    expect(await holds({ field: 'arguments.d', op, valueRef: 'context.d' }, act({ d: actual }, { d: value }))).toBe(expected);
  });

  it.each(['gt', 'gte', 'lt', 'lte'] as const)('a string never compares with a number under %s', async (op) => {
    expect(await holds({ field: 'arguments.d', op, value: 2000 }, act({ d: '2024' }))).toBe(false);
    expect(await holds({ field: 'arguments.d', op, value: '2000' }, act({ d: 2024 }))).toBe(false);
    expect(await holds({ field: 'arguments.d', op, valueRef: 'context.d' }, act({ d: '2024' }, { d: 2000 }))).toBe(false);
    expect(await holds({ field: 'arguments.d', op, valueRef: 'context.d' }, act({ d: 2024 }, { d: '2000' }))).toBe(false);
  });
});

describe('Semantics: `null`', () => {
  it('eq null holds for null and for nothing else', async () => {
    const isNull: PredicateDefinition = { field: 'arguments.v', op: 'eq', value: null };
    expect(await holds(isNull, act({ v: null }))).toBe(true);
    expect(await holds(isNull, act({}))).toBe(false);
    expect(await holds(isNull, act({ v: 0 }))).toBe(false);
    expect(await holds(isNull, act({ v: '' }))).toBe(false);
    expect(await holds(isNull, act({ v: false }))).toBe(false);
    expect(await holds(isNull, act({ v: 'null' }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op: 'neq', value: null }, act({ v: null }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op: 'in', value: [null] }, act({ v: null }))).toBe(true);
  });

  it('exists treats null as absent', async () => {
    const present: PredicateDefinition = { field: 'arguments.v', op: 'exists' };
    expect(await holds(present, act({ v: null }))).toBe(false);
    expect(await holds({ not: present }, act({ v: null }))).toBe(true);
    expect(await holds(present, act({ v: 0 }))).toBe(true);
    expect(await holds(present, act({ v: false }))).toBe(true);
    expect(await holds(present, act({ v: '' }))).toBe(true);
  });

  it('require treats null as absent', async () => {
    const engine = await createEngine({ policies: [{ id: 'p', require: ['arguments.v'] }] });
    const nullDecision = engine.evaluateAuto(act({ v: null }));
    expect(nullDecision.verdict).toBe('deny');
    expect(nullDecision.violations.map(({ constraint, path }) => ({ constraint, path }))).toEqual([
      { constraint: 'require', path: ['arguments', 'v'] },
    ]);
    expect(engine.evaluateAuto(act({ v: 0 })).verdict).toBe('allow');
    expect(engine.evaluateAuto(act({ v: '' })).verdict).toBe('allow');
    expect(engine.evaluateAuto(act({})).verdict).toBe('deny');
  });
});

describe('Semantics: NaN', () => {
  const COMPARISONS = EVERY_OPERATOR.filter((predicate) => !('op' in predicate) || predicate.op !== 'exists');

  it.each(COMPARISONS.map((predicate) => [opName(predicate), predicate] as const))(
    'NaN as the field: %s is false',
    async (_name, predicate) => {
      expect(await holds(predicate, act({ x: Number.NaN }))).toBe(false);
    },
  );

  it('NaN as the field: exists holds, since it asks only whether a value is there', async () => {
    expect(await holds({ field: 'arguments.x', op: 'exists' }, act({ x: Number.NaN }))).toBe(true);
  });

  it.each(['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const)('NaN as the valueRef: %s is false', async (op) => {
    expect(await holds({ field: 'arguments.x', op, valueRef: 'context.ref' }, act({ x: 1 }, { ref: Number.NaN }))).toBe(false);
    expect(await holds({ field: 'arguments.x', op, valueRef: 'context.ref' }, act({ x: Number.NaN }, { ref: Number.NaN }))).toBe(false);
  });

  it('NaN is in no list and inside no equal array', async () => {
    expect(await holds({ field: 'arguments.x', op: 'in', valueRef: 'context.ref' }, act({ x: Number.NaN }, { ref: [Number.NaN] }))).toBe(
      false,
    );
    expect(await holds({ field: 'arguments.x', op: 'eq', valueRef: 'context.ref' }, act({ x: [Number.NaN] }, { ref: [Number.NaN] }))).toBe(
      false,
    );
  });

  it('a real number next to it still compares', async () => {
    expect(await holds({ field: 'arguments.x', op: 'neq', value: 1 }, act({ x: 2 }))).toBe(true);
    expect(await holds({ field: 'arguments.x', op: 'gte', value: 1 }, act({ x: 1 }))).toBe(true);
  });
});

describe('Semantics: Infinity, -Infinity', () => {
  it.each([
    [Infinity, 'gt', 10, true],
    [Infinity, 'lte', 10000, false],
    [Infinity, 'gt', Number.MAX_VALUE, true],
    [Infinity, 'gte', Number.MAX_VALUE, true],
    [Infinity, 'lt', Number.MAX_VALUE, false],
    [Infinity, 'eq', 10, false],
    [Infinity, 'neq', 10, true],
    [-Infinity, 'lt', -Number.MAX_VALUE, true],
    [-Infinity, 'gt', 0, false],
    [-Infinity, 'gte', -Number.MAX_VALUE, false],
    [-Infinity, 'lte', -10, true],
  ] as const)('%s %s %s is %s', async (actual, op, value, expected) => {
    expect(await holds({ field: 'arguments.n', op, value }, act({ n: actual }))).toBe(expected);
  });

  it('JSON text past the double range (1e400) is Infinity, and is beyond every bound', async () => {
    const action = parseJson('{"tool":"t","arguments":{"n":1e400,"m":-1e400}}', 'action.json') as Action;
    expect(await holds({ field: 'arguments.n', op: 'lte', value: 10000 }, action)).toBe(false);
    expect(await holds({ field: 'arguments.m', op: 'gte', value: -10000 }, action)).toBe(false);
  });

  it('through valueRef, Infinity is a number like any other', async () => {
    const ref = (op: 'eq' | 'gt' | 'lt', n: number, limit: number): Promise<boolean> =>
      holds({ field: 'arguments.n', op, valueRef: 'context.limit' }, act({ n }, { limit }));
    expect(await ref('lt', 1e308, Infinity)).toBe(true);
    expect(await ref('gt', 1e308, Infinity)).toBe(false);
    expect(await ref('eq', Infinity, Infinity)).toBe(true);
    expect(await ref('eq', -Infinity, Infinity)).toBe(false);
    expect(await ref('gt', 0, -Infinity)).toBe(true);
  });

  it('a violation renders Infinity readably', async () => {
    const decision = await decideOne({ field: 'arguments.n', op: 'lte', value: 10000 }, act({ n: Infinity }));
    expect(decision.violations[0]?.actual).toBe(Infinity);
    expect(decision.violations[0]?.message).toBe('arguments.n must be at most 10000 (got Infinity)');
  });
});

describe('Semantics: `-0`', () => {
  it.each<[Operator, JsonValue, boolean]>([
    ['eq', 0, true],
    ['neq', 0, false],
    ['gte', 0, true],
    ['lte', 0, true],
    ['lt', 0, false],
    ['gt', 0, false],
    ['in', [0], true],
    ['not_in', [0], false],
  ])('-0 %s %j is %s', async (op, value, expected) => {
    expect(await holds({ field: 'arguments.n', op, value }, act({ n: -0 }))).toBe(expected);
  });

  it('0 equals -0 through valueRef and inside arrays and objects', async () => {
    expect(await holds({ field: 'arguments.n', op: 'eq', valueRef: 'context.z' }, act({ n: 0 }, { z: -0 }))).toBe(true);
    expect(await holds({ field: 'arguments.n', op: 'neq', valueRef: 'context.z' }, act({ n: 0 }, { z: -0 }))).toBe(false);
    expect(await holds({ field: 'arguments.n', op: 'eq', value: [0, { a: 0 }] }, act({ n: [-0, { a: -0 }] }))).toBe(true);
    expect(await holds({ field: 'arguments.n', op: 'in', valueRef: 'context.z' }, act({ n: 0 }, { z: [-0] }))).toBe(true);
    expect(await holds({ field: 'arguments.n', op: 'eq', value: 0 }, act({ n: 1e-300 }))).toBe(false);
  });
});

describe('Semantics: `eq` on objects and arrays', () => {
  const value = { a: 1, b: { c: [1, 2], d: null }, e: 'x' };

  it('objects are equal with the same keys in any order and equal values', async () => {
    const reordered = { e: 'x', b: { d: null, c: [1, 2] }, a: 1 };
    expect(await holds({ field: 'arguments.o', op: 'eq', value }, act({ o: reordered }))).toBe(true);
    expect(await holds({ field: 'arguments.o', op: 'neq', value }, act({ o: reordered }))).toBe(false);
    expect(await holds({ field: 'arguments.o', op: 'eq', valueRef: 'context.o' }, act({ o: reordered }, { o: value }))).toBe(true);
  });

  it.each([
    ['a different nested value', { a: 1, b: { c: [1, 3], d: null }, e: 'x' }],
    ['an extra key', { a: 1, b: { c: [1, 2], d: null }, e: 'x', f: 1 }],
    ['a missing key', { a: 1, b: { c: [1, 2], d: null } }],
    ['a missing nested null key', { a: 1, b: { c: [1, 2] }, e: 'x' }],
    ['a coerced value', { a: '1', b: { c: [1, 2], d: null }, e: 'x' }],
    ['an array element order', { a: 1, b: { c: [2, 1], d: null }, e: 'x' }],
  ])('objects differing by %s are not equal', async (_why, other) => {
    expect(await holds({ field: 'arguments.o', op: 'eq', value }, act({ o: other }))).toBe(false);
    expect(await holds({ field: 'arguments.o', op: 'neq', value }, act({ o: other }))).toBe(true);
  });

  it('arrays compare element by element', async () => {
    expect(await holds({ field: 'arguments.a', op: 'eq', value: [1, 'x', [true]] }, act({ a: [1, 'x', [true]] }))).toBe(true);
    expect(await holds({ field: 'arguments.a', op: 'eq', value: [1, 2] }, act({ a: [2, 1] }))).toBe(false);
    expect(await holds({ field: 'arguments.a', op: 'eq', value: [1, 2] }, act({ a: [1, 2, 3] }))).toBe(false);
    expect(await holds({ field: 'arguments.a', op: 'eq', value: [] }, act({ a: [] }))).toBe(true);
    expect(await holds({ field: 'arguments.a', op: 'eq', value: [] }, act({ a: {} }))).toBe(false);
    expect(await holds({ field: 'arguments.a', op: 'eq', value: { 0: 1 } }, act({ a: [1] }))).toBe(false);
    expect(await holds({ field: 'arguments.a', op: 'neq', value: [] }, act({ a: {} }))).toBe(false);
  });
});

describe('Semantics: Array field with `in`', () => {
  const inAdmin: PredicateDefinition = { field: 'context.user.roles', op: 'in', value: ['admin'] };
  const roles = (list: unknown): Action => ({ tool: 't', context: { user: { roles: list } } });

  it('is true when at least one element is in the list', async () => {
    expect(await holds(inAdmin, roles(['dev', 'admin']))).toBe(true);
    expect(await holds(inAdmin, roles(['admin']))).toBe(true);
    expect(await holds({ field: 'context.user.roles', op: 'in', value: ['admin', 'dba'] }, roles(['dba', 'x']))).toBe(true);
    expect(
      await holds(
        { field: 'context.user.roles', op: 'in', valueRef: 'context.allowed' },
        {
          tool: 't',
          context: { user: { roles: ['dev', 'admin'] }, allowed: ['admin'] },
        },
      ),
    ).toBe(true);
  });

  it('is false when no element is, and an empty array is in nothing', async () => {
    expect(await holds(inAdmin, roles(['dev', 'ops']))).toBe(false);
    expect(await holds(inAdmin, roles([]))).toBe(false);
    expect(await holds({ field: 'context.user.roles', op: 'in', value: [] }, roles([]))).toBe(false);
    expect(await holds(inAdmin, roles(['Admin']))).toBe(false);
  });

  it('elements are compared as elements, not the array as a whole', async () => {
    expect(await holds({ field: 'arguments.a', op: 'in', value: [['x', 'y']] }, act({ a: ['x', 'y'] }))).toBe(false);
    expect(await holds({ field: 'arguments.a', op: 'in', value: [['x', 'y']] }, act({ a: [['x', 'y']] }))).toBe(true);
    expect(await holds({ field: 'arguments.a', op: 'in', value: [{ k: 1 }] }, act({ a: [{ k: 1 }, 2] }))).toBe(true);
  });

  it('the violation points at the array', async () => {
    const decision = await decideOne(inAdmin, roles(['dev']));
    expect(decision.violations.map(({ constraint, path, actual }) => ({ constraint, path, actual }))).toEqual([
      { constraint: 'in', path: ['context', 'user', 'roles'], actual: ['dev'] },
    ]);
  });
});

describe('Semantics: Array field with `not_in`', () => {
  const notInAdmin: PredicateDefinition = { field: 'context.user.roles', op: 'not_in', value: ['admin'] };
  const roles = (list: unknown): Action => ({ tool: 't', context: { user: { roles: list } } });

  it('is true when no element is in the list, and an empty array is not_in anything', async () => {
    expect(await holds(notInAdmin, roles(['dev', 'ops']))).toBe(true);
    expect(await holds(notInAdmin, roles([]))).toBe(true);
    expect(await holds({ field: 'context.user.roles', op: 'not_in', value: [] }, roles([]))).toBe(true);
  });

  it('is false when any element is in the list', async () => {
    expect(await holds(notInAdmin, roles(['dev', 'admin']))).toBe(false);
    expect(await holds(notInAdmin, roles(['admin']))).toBe(false);
  });

  it('is the exact negation of `in` for every present value', async () => {
    const element = fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 2 }), fc.constant(null));
    const field = fc.oneof(element, fc.array(element, { maxLength: 4 }));
    const list = fc.array(element, { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(field, list, async (value, members) => {
        const action = act({ v: value });
        const isIn = await holds({ field: 'arguments.v', op: 'in', value: members }, action);
        const isNotIn = await holds({ field: 'arguments.v', op: 'not_in', value: members }, action);
        expect(isNotIn).toBe(!isIn);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Semantics: Array field with other operators', () => {
  it('eq with an array value compares the array as one value', async () => {
    expect(await holds({ field: 'arguments.tags', op: 'eq', value: ['a', 'b'] }, act({ tags: ['a', 'b'] }))).toBe(true);
    expect(await holds({ field: 'arguments.tags', op: 'eq', value: 'a' }, act({ tags: ['a'] }))).toBe(false);
    expect(await holds({ field: 'arguments.tags', op: 'neq', value: 'b' }, act({ tags: ['a'] }))).toBe(false);
    expect(await holds({ field: 'arguments.tags', op: 'neq', value: ['b'] }, act({ tags: ['a'] }))).toBe(true);
  });

  it.each([
    ['gt', 1, [5]],
    ['gte', 1, [5]],
    ['lt', 10, [5]],
    ['lte', 10, [5]],
    ['regex', '.', ['abc']],
    ['glob', '*', ['abc']],
    ['regex', 'abc', ['abc']],
    ['glob', 'abc', ['abc']],
  ] as const)('%s %j on an array field is false', async (op, value, field) => {
    expect(await holds({ field: 'arguments.v', op, value }, act({ v: field }))).toBe(false);
    expect(await holds({ field: 'arguments.v', op, value }, act({ v: field[0] }))).toBe(true);
  });

  it('a JSONPath over the elements checks every element', async () => {
    const everyAdmin: PredicateDefinition = { field: '$.context.user.roles[*]', op: 'eq', value: 'admin' };
    const roles = (list: string[]): Action => ({ tool: 't', context: { user: { roles: list } } });
    expect(await holds(everyAdmin, roles(['dev', 'admin']))).toBe(false);
    expect(await holds(everyAdmin, roles(['admin', 'admin']))).toBe(true);
    expect(await holds({ field: '$.arguments.n[*]', op: 'gt', value: 1 }, act({ n: [2, 3] }))).toBe(true);
    expect(await holds({ field: '$.arguments.n[*]', op: 'gt', value: 1 }, act({ n: [2, 1] }))).toBe(false);
  });
});

describe('Semantics: JSONPath yielding several values', () => {
  const qty = (quantifier?: 'all' | 'any'): PredicateDefinition => ({
    field: '$.arguments.items[*].qty',
    op: 'lte',
    value: 10,
    ...(quantifier === undefined ? {} : { quantifier }),
  });
  const items = (...quantities: unknown[]): Action => act({ items: quantities.map((q) => ({ qty: q })) });

  it('quantifier all (the default): every value must satisfy', async () => {
    expect(await holds(qty(), items(1, 10, 5))).toBe(true);
    expect(await holds(qty('all'), items(1, 10, 5))).toBe(true);
    expect(await holds(qty(), items(1, 20))).toBe(false);
    expect(await holds(qty('all'), items(1, 20))).toBe(false);
  });

  it('quantifier all reports each failing value at its own path', async () => {
    const decision = await decideOne(qty(), items(1, 20, 3, 30));
    expect(decision.violations.map(({ path, actual }) => ({ path, actual }))).toEqual([
      { path: ['arguments', 'items', 1, 'qty'], actual: 20 },
      { path: ['arguments', 'items', 3, 'qty'], actual: 30 },
    ]);
  });

  it('quantifier any: at least one value must satisfy', async () => {
    expect(await holds(qty('any'), items(20, 5))).toBe(true);
    expect(await holds(qty('any'), items(20, 30))).toBe(false);
    expect(await holds(qty('any'), items('5', 30))).toBe(false);
  });

  it('recursive descent collects values from every depth', async () => {
    const sku: PredicateDefinition = { field: '$..sku', op: 'regex', value: '^SKU-' };
    expect(await holds(sku, act({ sku: 'SKU-1', items: [{ sku: 'SKU-2' }, { nested: { sku: 'SKU-3' } }] }))).toBe(true);
    expect(await holds(sku, act({ sku: 'SKU-1', items: [{ sku: 'SKU-2' }, { nested: { sku: 'bad' } }] }))).toBe(false);
  });

  it('yielding no value is a missing field: false under both quantifiers, and `not` of it is true', async () => {
    for (const action of [items(), act({}), act({ items: [{ other: 1 }] })]) {
      expect(await holds(qty(), action)).toBe(false);
      expect(await holds(qty('all'), action)).toBe(false);
      expect(await holds(qty('any'), action)).toBe(false);
      expect(await holds({ not: qty() }, action)).toBe(true);
      expect(await holds({ not: qty('any') }, action)).toBe(true);
    }
  });
});

describe('Semantics: `regex`', () => {
  it('is a search: an unanchored pattern matches inside the string', async () => {
    expect(await holds({ field: 'arguments.u', op: 'regex', value: 'admin' }, act({ u: 'sysadmin' }))).toBe(true);
    expect(await holds({ field: 'arguments.u', op: 'regex', value: 'admin' }, act({ u: 'administrator' }))).toBe(true);
    expect(await holds({ field: 'arguments.u', op: 'regex', value: 'admin' }, act({ u: 'root' }))).toBe(false);
  });

  it('anchored with ^...$ it is a full match', async () => {
    const exact: PredicateDefinition = { field: 'arguments.u', op: 'regex', value: '^admin$' };
    expect(await holds(exact, act({ u: 'sysadmin' }))).toBe(false);
    expect(await holds(exact, act({ u: 'admin\n' }))).toBe(false);
    expect(await holds(exact, act({ u: 'admin' }))).toBe(true);
  });

  it.each([
    ['ADMIN', '', 'admin', false],
    ['ADMIN', 'i', 'admin', true],
    ['^b$', '', 'a\nb', false],
    ['^b$', 'm', 'a\nb', true],
    ['a.b', '', 'a\nb', false],
    ['a.b', 's', 'a\nb', true],
    ['^A.B$', 'ims', 'x\na\nb', true],
  ] as const)('/%s/%s on %j is %s', async (value, flags, input, expected) => {
    const predicate: PredicateDefinition =
      flags === '' ? { field: 'arguments.u', op: 'regex', value } : { field: 'arguments.u', op: 'regex', value, flags };
    expect(await holds(predicate, act({ u: input }))).toBe(expected);
  });

  it('patterns RE2 cannot compile are rejected when the policy is compiled, naming the policy and pointer', async () => {
    const error: unknown = await createEngine({
      policies: [{ id: 'look', assert: { field: 'arguments.u', op: 'regex', value: '(?<=a)b' } }],
    }).catch((caught: unknown) => caught);
    expect(isTierguardError(error, 'INVALID_POLICY')).toBe(true);
    expect((error as TierguardError).message).toContain('policy "look"');
    expect((error as TierguardError).message).toContain('/assert/value');
  });
});

describe('Semantics: `glob`', () => {
  it.each([
    ['*', '.env', true],
    ['*.env', '.env', true],
    ['payments.*', 'payments.transfer', true],
    ['payments.*', 'paymentsXtransfer', false],
    ['payments.*', 'payments', false],
    ['*.pdf', 'report.pdf', true],
    ['*.pdf', 'reportXpdf', false],
    ['admin', 'sysadmin', false], // a full match, not a search
    ['admin', 'admin', true],
    ['*', 'a/b', false],
    ['a/*', 'a/b/c', false],
    ['a/*', 'a/b', true],
    ['?', '/', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'a/c', false],
    ['**', 'a/b/c', true],
    ['a/**', 'a/b/c', true],
    ['a/**', 'a', true],
    ['a/**/c', 'a/c', true],
    ['a/**/c', 'a/x/y/c', true],
    ['a/**/c', 'a/x/y/d', false],
    ['/etc/**', '/etc/ssh/sshd_config', true],
    ['a**', 'ab/c', false], // `**` not a whole segment is `*`
    ['a**', 'abc', true],
    ['*.PDF', 'x.pdf', false],
    ['*.pdf', 'x.PDF', false],
  ] as const)('%j on %j is %s', async (value, input, expected) => {
    expect(await holds({ field: 'arguments.p', op: 'glob', value }, act({ p: input }))).toBe(expected);
  });

  it.each([
    ['*.PDF', 'x.pdf'],
    ['*.pdf', 'X.PDF'],
    ['Payments.*', 'payments.TRANSFER'],
  ] as const)('flags "i" ignores case: %j on %j', async (value, input) => {
    expect(await holds({ field: 'arguments.p', op: 'glob', value, flags: 'i' }, act({ p: input }))).toBe(true);
    expect(await holds({ field: 'arguments.p', op: 'glob', value }, act({ p: input }))).toBe(false);
    expect(await holds({ field: 'arguments.p', op: 'glob', value: 'x.txt', flags: 'i' }, act({ p: input }))).toBe(false);
  });
});

describe('Semantics: Strings longer than `limits.maxStringLength` under `regex` or `glob`', () => {
  const limits = { maxStringLength: 8 };
  const long = 'a'.repeat(9);
  const atLimit = 'a'.repeat(8);
  const cases: readonly [string, PredicateDefinition][] = [
    ['regex', { field: 'arguments.s', op: 'regex', value: '^b' }],
    ['glob', { field: 'arguments.s', op: 'glob', value: 'b*' }],
    ['not regex', { not: { field: 'arguments.s', op: 'regex', value: '^a' } }],
    ['not glob', { not: { field: 'arguments.s', op: 'glob', value: 'a*' } }],
  ];

  it.each(cases)('%s over a long string is an evaluation error and the default verdict is deny', async (_name, predicate) => {
    const decision = await decideOne(predicate, act({ s: long }), { limits });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toEqual([]);
    expect(decision.errors).toHaveLength(1);
    expect(decision.errors[0]?.code).toBe('LIMIT_EXCEEDED');
    expect(decision.errors[0]?.policyId).toBe('p');
    expect(decision.errors[0]?.message).toContain('maxStringLength');
  });

  it.each(cases)('%s: onError "allow" lets the remaining policies decide, and still lists the error', async (_name, predicate) => {
    const alone = await decideOne(predicate, act({ s: long }), { limits, onError: 'allow' });
    expect(alone.verdict).toBe('allow');
    expect(alone.errors.map((error) => [error.code, error.policyId])).toEqual([['LIMIT_EXCEEDED', 'p']]);

    const engine = await createEngine({
      limits,
      onError: 'allow',
      policies: [
        { id: 'p', assert: predicate },
        { id: 'q', assert: { field: 'arguments.n', op: 'lte', value: 1 } },
      ],
    });
    const withOther = engine.evaluateAuto(act({ s: long, n: 2 }));
    expect(withOther.verdict).toBe('deny');
    expect(withOther.violations.map((violation) => violation.policyId)).toEqual(['q']);
    expect(withOther.errors.map((error) => error.policyId)).toEqual(['p']);
  });

  it.each(cases)(
    '%s over a string within maxStringLength but past limits.maxRegexWork is the same error and a deny',
    async (_name, predicate) => {
      // A budget of one instruction-byte: every pattern reads less than one byte, so only the empty string is read.
      const decision = await decideOne(predicate, act({ s: atLimit }), { limits: { ...limits, maxRegexWork: 1 } });
      expect(decision.verdict).toBe('deny');
      expect(decision.violations).toEqual([]);
      expect(decision.errors).toEqual([
        expect.objectContaining({ code: 'LIMIT_EXCEEDED', policyId: 'p', message: expect.stringContaining('maxRegexWork') as string }),
      ]);
    },
  );

  it.each(cases)('%s: onError "throw" throws a LIMIT_EXCEEDED TierguardError', async (_name, predicate) => {
    const engine = await createEngine({ limits, onError: 'throw', policies: [{ id: 'p', assert: predicate }] });
    let thrown: unknown;
    try {
      engine.evaluateAuto(act({ s: long }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TierguardError);
    expect((thrown as TierguardError).code).toBe('LIMIT_EXCEEDED');
    await expect(engine.evaluate(act({ s: long }))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('a string exactly at the limit is evaluated normally', async () => {
    for (const [, predicate] of cases) {
      const decision = await decideOne(predicate, act({ s: atLimit }), { limits });
      expect(decision.errors).toEqual([]);
    }
    expect((await decideOne({ field: 'arguments.s', op: 'regex', value: '^a' }, act({ s: atLimit }), { limits })).verdict).toBe('allow');
    expect((await decideOne({ field: 'arguments.s', op: 'glob', value: 'b*' }, act({ s: atLimit }), { limits })).verdict).toBe('deny');
  });

  it('operators that read no pattern are not limited', async () => {
    const decision = await decideOne({ field: 'arguments.s', op: 'eq', value: long }, act({ s: long }), { limits });
    expect(decision).toMatchObject({ verdict: 'allow', errors: [] });
  });
});

describe('Semantics: Own properties only', () => {
  const plain = (): Action => ({ tool: 't', arguments: { items: [1, 2, 3], name: 'abc', fn: {} } });
  const INHERITED = [
    'arguments.constructor',
    'arguments.__proto__',
    'arguments.toString',
    'arguments.hasOwnProperty',
    'arguments.valueOf',
    'arguments.fn.prototype',
    'arguments.constructor.prototype',
    'arguments.constructor.name',
    'arguments.__proto__.toString',
    'arguments["__proto__"]',
    'constructor',
    '__proto__',
    'arguments.items.length',
    'arguments.items.push',
    'arguments.items["length"]',
    'arguments.name.length',
    'arguments.name.0',
    '$.arguments.constructor',
    '$.arguments.__proto__',
    '$.arguments.toString',
    '$.arguments.fn.prototype',
    '$.arguments.items.length',
    "$.arguments.items['length']",
    '$.arguments.name.length',
    '$.arguments.name[0]',
    '$..length',
    '$.constructor',
  ];

  it.each(INHERITED)('%s is missing: exists is false and `not exists` is true', async (field) => {
    expect(await holds({ field, op: 'exists' }, plain())).toBe(false);
    expect(await holds({ not: { field, op: 'exists' } }, plain())).toBe(true);
    expect(await holds({ field, op: 'neq', value: 'x' }, plain())).toBe(false);
  });

  it('an array length is not a value under eq either', async () => {
    expect(await holds({ field: 'arguments.items.length', op: 'eq', value: 3 }, plain())).toBe(false);
    expect(await holds({ field: '$.arguments.items.length', op: 'eq', value: 3 }, plain())).toBe(false);
    expect(await holds({ field: 'arguments.x', op: 'eq', valueRef: 'arguments.items.length' }, act({ x: 3, items: [1, 2, 3] }))).toBe(
      false,
    );
  });

  it('require does not accept an inherited member', async () => {
    const engine = await createEngine({ policies: [{ id: 'p', require: ['arguments.constructor', 'arguments.items.length'] }] });
    expect(engine.evaluateAuto(plain()).violations.map((violation) => violation.constraint)).toEqual(['require', 'require']);
  });

  it('an action with such own keys has them read', async () => {
    const own: Action = {
      tool: 't',
      arguments: { constructor: 'c', toString: 's', prototype: 'p', length: 4, items: [10, 20] },
    };
    expect(await holds({ field: 'arguments.constructor', op: 'eq', value: 'c' }, own)).toBe(true);
    expect(await holds({ field: 'arguments.toString', op: 'eq', value: 's' }, own)).toBe(true);
    expect(await holds({ field: 'arguments.prototype', op: 'eq', value: 'p' }, own)).toBe(true);
    expect(await holds({ field: 'arguments.length', op: 'eq', value: 4 }, own)).toBe(true);
    expect(await holds({ field: '$.arguments.constructor', op: 'eq', value: 'c' }, own)).toBe(true);
    expect(await holds({ field: '$.arguments.length', op: 'eq', value: 4 }, own)).toBe(true);
    expect(await holds({ field: 'arguments.items.1', op: 'eq', value: 20 }, own)).toBe(true);
    expect(await holds({ field: 'arguments.items[1]', op: 'eq', value: 20 }, own)).toBe(true);
  });

  it('an own __proto__ key from JSON.parse is read like any other key', async () => {
    const action = JSON.parse('{"tool":"t","arguments":{"__proto__":{"admin":true,"role":"root"}}}') as Action;
    expect(Object.prototype.hasOwnProperty.call(action.arguments, '__proto__')).toBe(true);
    expect(await holds({ field: 'arguments.__proto__.admin', op: 'eq', value: true }, action)).toBe(true);
    expect(await holds({ field: 'arguments["__proto__"].role', op: 'eq', value: 'root' }, action)).toBe(true);
    expect(await holds({ field: 'arguments.__proto__', op: 'eq', value: { role: 'root', admin: true } }, action)).toBe(true);
    expect(await holds({ field: 'arguments.__proto__', op: 'exists' }, action)).toBe(true);
    expect(await holds({ field: '$.arguments.__proto__.role', op: 'eq', value: 'root' }, action)).toBe(true);
    // The own key does not leak into other objects.
    expect(await holds({ field: 'arguments.admin', op: 'exists' }, action)).toBe(false);
    expect(await holds({ field: 'context.__proto__.admin', op: 'exists' }, action)).toBe(false);
  });

  it('evaluation does not pollute Object.prototype', async () => {
    const action = JSON.parse('{"tool":"t","arguments":{"__proto__":{"polluted":true}}}') as Action;
    await holds({ field: 'arguments.__proto__.polluted', op: 'eq', value: true }, action);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('Semantics: Order', () => {
  const policies: PolicyDefinition[] = [
    {
      id: 'first',
      tools: ['x.*'],
      require: ['arguments.z', 'arguments.a', 'arguments.m'],
    },
    {
      id: 'second',
      assert: {
        all: [
          { field: 'arguments.b', op: 'eq', value: 1 },
          {
            any: [
              { field: 'arguments.c', op: 'eq', value: 1 },
              { field: 'arguments.d', op: 'eq', value: 1 },
            ],
          },
          {
            all: [
              { field: 'arguments.e', op: 'eq', value: 1 },
              { field: 'arguments.f', op: 'eq', value: 1 },
            ],
          },
          { not: { field: 'arguments.g', op: 'eq', value: 0 } },
          { field: '$.arguments.list[*]', op: 'eq', value: 1 },
        ],
      },
    },
    { id: 'third', tools: ['x.y'], effect: 'escalate', assert: { field: 'arguments.h', op: 'eq', value: 1 } },
    { id: 'fourth', tools: ['x.*', 'x.y'], require: ['arguments.i'], assert: { field: 'arguments.j', op: 'eq', value: 1 } },
    { id: 'fifth', tools: ['**'], assert: { field: 'arguments.k', op: 'exists' } },
  ];
  const action: Action = {
    tool: 'x.y',
    arguments: { b: 2, c: 2, d: 2, e: 2, f: 2, g: 0, h: 2, list: [1, 2, 1, 3] },
  };
  const expected = [
    ['first', ['arguments', 'z']],
    ['first', ['arguments', 'a']],
    ['first', ['arguments', 'm']],
    ['second', ['arguments', 'b']],
    ['second', ['arguments', 'c']],
    ['second', ['arguments', 'e']],
    ['second', ['arguments', 'f']],
    ['second', ['arguments', 'g']],
    ['second', ['arguments', 'list', 1]],
    ['second', ['arguments', 'list', 3]],
    ['third', ['arguments', 'h']],
    ['fourth', ['arguments', 'i']],
    ['fifth', ['arguments', 'k']],
  ];

  it('policy order, then require order, then depth-first through the assertion', async () => {
    const engine = await createEngine({ policies });
    const decision = engine.evaluateAuto(action);
    expect(decision.violations.map((violation) => [violation.policyId, violation.path])).toEqual(expected);
    expect(decision.violations.map((violation) => violation.constraint)).toEqual([
      'require',
      'require',
      'require',
      'eq',
      'any',
      'eq',
      'eq',
      'not',
      'eq',
      'eq',
      'eq',
      'require',
      'exists',
    ]);
  });

  it('the order given wins over the order of the tools index (globs, exact names, every tool)', async () => {
    const engine = await createEngine({ policies: [...policies].reverse() });
    const decision = engine.evaluateAuto(action);
    expect([...new Set(decision.violations.map((violation) => violation.policyId))]).toEqual([
      'fifth',
      'fourth',
      'third',
      'second',
      'first',
    ]);
  });

  it('the same policies and action give the same decision on every run', async () => {
    const first = (await createEngine({ policies })).evaluateAuto(action);
    const other = await createEngine({ policies: structuredClone(policies) });
    for (let run = 0; run < 5; run += 1) {
      expect(other.evaluateAuto(structuredClone(action))).toEqual(first);
      expect(await other.evaluate(structuredClone(action))).toEqual(first);
    }
  });
});
