import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ShapeDefinition, Violation } from '../../../src/index.js';
import { TierguardError, createEngine } from '../../../src/index.js';
import { atX, decideShape } from './support.js';

/**
 * One row per key of a shape definition: the key enforced on a real action
 * through `createEngine(...).evaluate`, with a passing action and a failing one
 * whose violation is checked field by field.
 */
interface KeyCase {
  readonly key: string;
  readonly shape: ShapeDefinition;
  readonly pass: Record<string, unknown>;
  readonly fail: Record<string, unknown>;
  readonly violation: Omit<Violation, 'policyId' | 'tier' | 'effect' | 'severity'>;
}

/** The pair keys compare a property with a sibling key in the same object: here `arguments.a` and `arguments.b`. */
const pair = (key: 'equals' | 'disjoint' | 'lessThan' | 'lessThanOrEquals'): ShapeDefinition => ({
  properties: [{ path: 'arguments', node: { properties: [{ path: 'a', [key]: 'b' }] } }],
});

const CASES: readonly KeyCase[] = [
  {
    key: 'minCount',
    shape: atX({ minCount: 2 }),
    pass: { x: [1, 2] },
    fail: { x: [1] },
    violation: {
      constraint: 'sh:MinCountConstraintComponent',
      path: ['arguments', 'x'],
      expected: 2,
      actual: 1,
      message: 'arguments.x needs at least 2 value(s) (got 1)',
    },
  },
  {
    key: 'maxCount',
    shape: atX({ maxCount: 1 }),
    pass: { x: [1] },
    fail: { x: [1, 2] },
    violation: {
      constraint: 'sh:MaxCountConstraintComponent',
      path: ['arguments', 'x'],
      expected: 1,
      actual: 2,
      message: 'arguments.x allows at most 1 value(s) (got 2)',
    },
  },
  {
    key: 'datatype',
    shape: atX({ datatype: 'string' }),
    pass: { x: 'five' },
    fail: { x: 5 },
    violation: {
      constraint: 'sh:DatatypeConstraintComponent',
      path: ['arguments', 'x'],
      expected: 'string',
      actual: 5,
      message: 'arguments.x must be of type "string" (got 5)',
    },
  },
  {
    key: 'pattern',
    shape: atX({ pattern: '^[A-Z]{3}-[0-9]{4}$' }),
    pass: { x: 'ABC-1234' },
    fail: { x: 'abc-12' },
    violation: {
      constraint: 'sh:PatternConstraintComponent',
      path: ['arguments', 'x'],
      expected: '^[A-Z]{3}-[0-9]{4}$',
      actual: 'abc-12',
      message: 'arguments.x must match regex "^[A-Z]{3}-[0-9]{4}$" (got "abc-12")',
    },
  },
  {
    key: 'flags',
    shape: atX({ pattern: '^abc$', flags: 'i' }),
    pass: { x: 'ABC' },
    fail: { x: 'ABD' },
    violation: {
      constraint: 'sh:PatternConstraintComponent',
      path: ['arguments', 'x'],
      expected: '/^abc$/i',
      actual: 'ABD',
      message: 'arguments.x must match regex "/^abc$/i" (got "ABD")',
    },
  },
  {
    key: 'minLength',
    shape: atX({ minLength: 3 }),
    pass: { x: 'abc' },
    fail: { x: 'ab' },
    violation: {
      constraint: 'sh:MinLengthConstraintComponent',
      path: ['arguments', 'x'],
      expected: 3,
      actual: 'ab',
      message: 'arguments.x must have at least this many characters: 3 (got "ab")',
    },
  },
  {
    key: 'maxLength',
    shape: atX({ maxLength: 3 }),
    pass: { x: 'abc' },
    fail: { x: 'abcd' },
    violation: {
      constraint: 'sh:MaxLengthConstraintComponent',
      path: ['arguments', 'x'],
      expected: 3,
      actual: 'abcd',
      message: 'arguments.x must have at most this many characters: 3 (got "abcd")',
    },
  },
  {
    key: 'minInclusive',
    shape: atX({ minInclusive: 3 }),
    pass: { x: 3 },
    fail: { x: 2.5 },
    violation: {
      constraint: 'sh:MinInclusiveConstraintComponent',
      path: ['arguments', 'x'],
      expected: 3,
      actual: 2.5,
      message: 'arguments.x must be at least 3 (got 2.5)',
    },
  },
  {
    key: 'maxInclusive',
    shape: atX({ maxInclusive: 3 }),
    pass: { x: 3 },
    fail: { x: 3.5 },
    violation: {
      constraint: 'sh:MaxInclusiveConstraintComponent',
      path: ['arguments', 'x'],
      expected: 3,
      actual: 3.5,
      message: 'arguments.x must be at most 3 (got 3.5)',
    },
  },
  {
    key: 'minExclusive',
    shape: atX({ minExclusive: 3 }),
    pass: { x: 3.5 },
    fail: { x: 3 },
    violation: {
      constraint: 'sh:MinExclusiveConstraintComponent',
      path: ['arguments', 'x'],
      expected: 3,
      actual: 3,
      message: 'arguments.x must be greater than 3 (got 3)',
    },
  },
  {
    key: 'maxExclusive',
    shape: atX({ maxExclusive: 3 }),
    pass: { x: 2.5 },
    fail: { x: 3 },
    violation: {
      constraint: 'sh:MaxExclusiveConstraintComponent',
      path: ['arguments', 'x'],
      expected: 3,
      actual: 3,
      message: 'arguments.x must be less than 3 (got 3)',
    },
  },
  {
    key: 'in',
    shape: atX({ in: ['low', 2, true] }),
    pass: { x: ['low', 2, true] },
    fail: { x: ['low', 'asap'] },
    violation: {
      constraint: 'sh:InConstraintComponent',
      path: ['arguments', 'x', 1],
      expected: ['low', 2, true],
      actual: 'asap',
      message: 'arguments.x[1] must be one of ["low",2,true] (got "asap")',
    },
  },
  {
    key: 'hasValue',
    shape: atX({ hasValue: 'a' }),
    pass: { x: ['b', 'a'] },
    fail: { x: 'b' },
    violation: {
      constraint: 'sh:HasValueConstraintComponent',
      path: ['arguments', 'x'],
      expected: 'a',
      actual: 'b',
      message: 'arguments.x must be "a" (got "b")',
    },
  },
  {
    key: 'node',
    shape: { properties: [{ path: 'arguments.lines', node: { properties: [{ path: 'sku', minCount: 1, pattern: '^[A-Z]+$' }] } }] },
    pass: { lines: [{ sku: 'ABC' }, { sku: 'XYZ' }] },
    fail: { lines: [{ sku: 'ABC' }, { sku: 'abc' }] },
    violation: {
      constraint: 'sh:PatternConstraintComponent',
      path: ['arguments', 'lines', 1, 'sku'],
      expected: '^[A-Z]+$',
      actual: 'abc',
      message: 'arguments.lines[1].sku must match regex "^[A-Z]+$" (got "abc")',
    },
  },
  {
    key: 'equals',
    shape: pair('equals'),
    pass: { a: [1, 2], b: [2, 1] },
    fail: { a: [1, 2], b: 1 },
    violation: {
      constraint: 'sh:EqualsConstraintComponent',
      path: ['arguments', 'a', 1],
      expected: 'b',
      actual: 2,
      message: 'arguments.a[1] must equal the values of b (got 2)',
    },
  },
  {
    key: 'disjoint',
    shape: pair('disjoint'),
    pass: { a: 1, b: 2 },
    fail: { a: 1, b: 1 },
    violation: {
      constraint: 'sh:DisjointConstraintComponent',
      path: ['arguments', 'a'],
      expected: 'b',
      actual: 1,
      message: 'arguments.a must not share a value with b (got 1)',
    },
  },
  {
    key: 'lessThan',
    shape: pair('lessThan'),
    pass: { a: 1, b: 2 },
    fail: { a: 2, b: 2 },
    violation: {
      constraint: 'sh:LessThanConstraintComponent',
      path: ['arguments', 'a'],
      expected: 'b',
      actual: 2,
      message: 'arguments.a must be less than b (got 2)',
    },
  },
  {
    key: 'lessThanOrEquals',
    shape: pair('lessThanOrEquals'),
    pass: { a: 2, b: 2 },
    fail: { a: 3, b: 2 },
    violation: {
      constraint: 'sh:LessThanOrEqualsConstraintComponent',
      path: ['arguments', 'a'],
      expected: 'b',
      actual: 3,
      message: 'arguments.a must be at most b (got 3)',
    },
  },
  {
    key: 'and',
    shape: atX({ and: [{ minInclusive: 1 }, { maxInclusive: 5 }] }),
    pass: { x: 5 },
    fail: { x: 6 },
    violation: {
      constraint: 'sh:AndConstraintComponent',
      path: ['arguments', 'x'],
      expected: [{ minInclusive: 1 }, { maxInclusive: 5 }],
      actual: 6,
      message: 'arguments.x does not satisfy the "and" of its shape (got 6)',
    },
  },
  {
    key: 'or',
    shape: atX({ or: [{ datatype: 'string' }, { datatype: 'boolean' }] }),
    pass: { x: [true, 'yes'] },
    fail: { x: [true, 6] },
    violation: {
      constraint: 'sh:OrConstraintComponent',
      path: ['arguments', 'x', 1],
      expected: [{ datatype: 'string' }, { datatype: 'boolean' }],
      actual: 6,
      message: 'arguments.x[1] does not satisfy the "or" of its shape (got 6)',
    },
  },
  {
    key: 'xone',
    shape: atX({ xone: [{ maxInclusive: 1 }, { minInclusive: 5 }, { in: [3] }] }),
    pass: { x: 3 },
    fail: { x: 2 },
    violation: {
      constraint: 'sh:XoneConstraintComponent',
      path: ['arguments', 'x'],
      expected: [{ maxInclusive: 1 }, { minInclusive: 5 }, { in: [3] }],
      actual: 2,
      message: 'arguments.x does not satisfy the "xone" of its shape (got 2)',
    },
  },
  {
    key: 'not',
    shape: atX({ not: { in: ['root', 'admin'] } }),
    pass: { x: 'dana' },
    fail: { x: 'root' },
    violation: {
      constraint: 'sh:NotConstraintComponent',
      path: ['arguments', 'x'],
      expected: { in: ['root', 'admin'] },
      actual: 'root',
      message: 'arguments.x does not satisfy the "not" of its shape (got "root")',
    },
  },
  {
    key: 'closed',
    shape: { properties: [{ path: 'arguments', node: { closed: true, properties: [{ path: 'a' }] } }] },
    pass: { a: 1 },
    fail: { a: 1, extra: 'x' },
    violation: {
      constraint: 'sh:ClosedConstraintComponent',
      path: ['arguments', 'extra'],
      expected: 'only declared keys',
      actual: 'x',
      message: 'arguments.extra is not allowed: the shape is closed',
    },
  },
  {
    key: 'message',
    shape: atX({ minCount: 1, message: 'x is required' }),
    pass: { x: 0 },
    fail: {},
    violation: { constraint: 'sh:MinCountConstraintComponent', path: ['arguments', 'x'], expected: 1, actual: 0, message: 'x is required' },
  },
];

describe('every key of a shape definition is enforced on a real action', () => {
  it.each(CASES.map((row) => [row.key, row] as const))('%s', async (_key, row) => {
    const passed = await decideShape(row.shape, row.pass);
    expect(passed).toMatchObject({ verdict: 'allow', violations: [], warnings: [], errors: [] });
    const failed = await decideShape(row.shape, row.fail);
    expect(failed.errors).toEqual([]);
    expect(failed.warnings).toEqual([]);
    expect(failed.verdict).toBe('deny');
    expect(failed.violations).toEqual([{ policyId: 'p', tier: 'formal', effect: 'deny', severity: 'violation', ...row.violation }]);
  });

  it('covers every key the schema allows in a shape', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schema/policy.json', import.meta.url), 'utf8')) as {
      definitions: Record<string, { properties?: Record<string, unknown> }>;
    };
    const keys = new Set([
      ...Object.keys(schema.definitions.nodeShape?.properties ?? {}),
      ...Object.keys(schema.definitions.propertyShape?.properties ?? {}),
    ]);
    keys.delete('path');
    keys.delete('properties');
    const tested = new Set([...CASES.map((row) => row.key), 'severity']);
    expect([...keys].filter((key) => !tested.has(key))).toEqual([]);
  });
});

describe('severity', () => {
  it.each([
    ['Warning', 'warning'],
    ['Info', 'info'],
  ] as const)('%s results land in warnings with effect warn, and the verdict stays allow', async (severity, expected) => {
    const shape = atX({ minCount: 1, severity });
    expect(await decideShape(shape, { x: 1 })).toMatchObject({ verdict: 'allow', violations: [], warnings: [] });
    const decision = await decideShape(shape, {});
    expect(decision.verdict).toBe('allow');
    expect(decision.violations).toEqual([]);
    expect(decision.warnings).toEqual([
      {
        policyId: 'p',
        tier: 'formal',
        constraint: 'sh:MinCountConstraintComponent',
        path: ['arguments', 'x'],
        message: 'arguments.x needs at least 1 value(s) (got 0)',
        expected: 1,
        actual: 0,
        effect: 'warn',
        severity: expected,
      },
    ]);
  });

  it('Violation takes the policy effect', async () => {
    const decision = await decideShape(atX({ minCount: 1, severity: 'Violation' }), {}, { policy: { effect: 'escalate' } });
    expect(decision.verdict).toBe('escalate');
    expect(decision.violations).toEqual([
      expect.objectContaining({ constraint: 'sh:MinCountConstraintComponent', effect: 'escalate', severity: 'violation' }),
    ]);
  });

  it('applies to the decimal datatype check and to a message on it', async () => {
    const decision = await decideShape(atX({ datatype: 'decimal', severity: 'Warning', message: 'x should be a number' }), { x: 'ten' });
    expect(decision.verdict).toBe('allow');
    expect(decision.warnings).toEqual([
      {
        policyId: 'p',
        tier: 'formal',
        constraint: 'sh:DatatypeConstraintComponent',
        path: ['arguments', 'x'],
        message: 'x should be a number',
        expected: 'decimal',
        actual: 'ten',
        effect: 'warn',
        severity: 'warning',
      },
    ]);
  });
});

describe('pair keys name a sibling key of the property, in the same object', () => {
  // For `arguments.a`, the sibling `b` is `arguments.b`, exactly as for the path `a` inside a node shape on `arguments`.
  const dotted = (key: 'equals' | 'disjoint' | 'lessThan' | 'lessThanOrEquals'): ShapeDefinition => ({
    properties: [{ path: 'arguments.a', [key]: 'b' }],
  });

  // SHACL compares with the sibling of the shape's focus node: on a dotted path
  // that is the wrong object, so tierguard refuses the pair there and asks for a
  // nested node, where the sibling is in the same object (tested above).
  it.each(['equals', 'disjoint', 'lessThan', 'lessThanOrEquals'] as const)(
    '%s on a dotted path is refused with the policy, pointer and the way to write it',
    async (key) => {
      const error = await createEngine({ policies: [{ id: 'p', tools: ['t'], shape: dotted(key) }] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TierguardError);
      expect((error as TierguardError).code).toBe('INVALID_POLICY');
      expect((error as TierguardError).message).toBe(
        `policy "p" /shape/properties/0/${key}: ${key} compares sibling keys of one object: put it in a nested "node" whose path is one key (got "arguments.a")`,
      );
    },
  );

  it('reports the values of an equals failure as the JSON values they are', async () => {
    const decision = await decideShape(pair('equals'), { a: 1, b: 2 });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map((violation) => violation.actual)).toEqual([1, 2]);
  });
});

describe('and on a one-key path', () => {
  // The table's `and` row uses the dotted path `arguments.x`; this is the same rule on a one-key path.
  it('and holds for a value that satisfies every operand on a one-key path', async () => {
    const operands: ShapeDefinition[] = [{ minInclusive: 1 }, { maxInclusive: 5 }];
    const simple: ShapeDefinition = { properties: [{ path: 'arguments', node: { properties: [{ path: 'x', and: operands }] } }] };
    expect((await decideShape(simple, { x: 3 })).verdict).toBe('allow');
    expect((await decideShape(simple, { x: 6 })).violations).toEqual([
      expect.objectContaining({ constraint: 'sh:AndConstraintComponent', path: ['arguments', 'x'], actual: 6 }),
    ]);
  });
});

describe('value constraints of a node shape applied to scalar values', () => {
  it('reports the path of the array element that failed', async () => {
    const shape: ShapeDefinition = { properties: [{ path: 'arguments.tags', node: { pattern: '^[a-z]+$' } }] };
    expect((await decideShape(shape, { tags: ['ok', 'fine'] })).verdict).toBe('allow');
    const decision = await decideShape(shape, { tags: ['ok', 'BAD'] });
    expect(decision.violations).toEqual([
      expect.objectContaining({
        constraint: 'sh:PatternConstraintComponent',
        path: ['arguments', 'tags', 1],
        expected: '^[a-z]+$',
        actual: 'BAD',
      }),
    ]);
  });

  it('reports a node-level decimal datatype as a datatype violation at the value', async () => {
    const shape: ShapeDefinition = { properties: [{ path: 'arguments.x', node: { datatype: 'decimal' } }] };
    expect((await decideShape(shape, { x: 2.5 })).verdict).toBe('allow');
    const decision = await decideShape(shape, { x: 'a' });
    expect(decision.violations).toEqual([
      expect.objectContaining({ constraint: 'sh:DatatypeConstraintComponent', path: ['arguments', 'x'], expected: 'decimal', actual: 'a' }),
    ]);
  });
});
