import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DatasetCore, Term } from '@rdfjs/types';
import { DataFactory, Store } from 'n3';
import { actionToGraph } from '../../../src/formal/action-to-rdf.js';
import { decimalLexical, jsonLiteral } from '../../../src/formal/json-literal.js';
import { ACTION_CLASS, ACTION_ROOT, KEY_WITHOUT_VALUE, XSD, keyPredicate } from '../../../src/formal/vocabulary.js';
import { atX, decideShape } from './support.js';

const INTEGER = `${XSD}integer`;
const DECIMAL = `${XSD}decimal`;

/** The literal (lexical form and datatype) of a JSON value. */
function literal(value: unknown): { value: string; datatype: string } | undefined {
  const term = jsonLiteral(value);
  return term === undefined ? undefined : { value: term.value, datatype: term.datatype.value };
}

/** The objects of the quads with this subject (any, when null) and predicate. */
function objectsOf(dataset: DatasetCore, subject: Term | null, predicate: Term): Term[] {
  return [...dataset.match(subject, predicate, null)].map((quad) => quad.object);
}

/** The objects of `arguments.x` in the action's graph. */
function valuesOfX(x: unknown): Term[] {
  const { dataset } = actionToGraph({ tool: 't', arguments: { x } });
  const [argumentsNode] = objectsOf(dataset, ACTION_ROOT, keyPredicate('arguments'));
  if (argumentsNode === undefined) throw new Error('no arguments node');
  return objectsOf(dataset, argumentsNode, keyPredicate('x'));
}

describe('jsonLiteral: the numbers rule', () => {
  it('makes a number with no fractional part an xsd:integer and any other number an xsd:decimal', () => {
    expect(literal(100)).toEqual({ value: '100', datatype: INTEGER });
    expect(literal(3.0)).toEqual({ value: '3', datatype: INTEGER });
    expect(literal(-0)).toEqual({ value: '0', datatype: INTEGER });
    expect(literal(99.5)).toEqual({ value: '99.5', datatype: DECIMAL });
    expect(literal(-2.5)).toEqual({ value: '-2.5', datatype: DECIMAL });
  });

  it('writes 1e21 and 1e-7 without an exponent, as valid xsd lexical forms', () => {
    expect(literal(1e21)).toEqual({ value: '1000000000000000000000', datatype: INTEGER });
    expect(literal(1e-7)).toEqual({ value: '0.0000001', datatype: DECIMAL });
    expect(literal(-1.5e-10)?.value).toBe('-0.00000000015');
    expect(decimalLexical(1.25e-7)).toBe('0.000000125');
    for (const value of [1e21, 1e-7, 123.456, 5e-324, -1.7976931348623157e308]) {
      expect(literal(value)?.value).toMatch(/^-?[0-9]+(\.[0-9]+)?$/);
      expect(Number(literal(value)?.value)).toBe(value);
    }
  });

  it('keeps strings strings, booleans booleans, and omits null and what JSON cannot hold', () => {
    expect(literal('100')).toEqual({ value: '100', datatype: `${XSD}string` });
    expect(literal(true)).toEqual({ value: 'true', datatype: `${XSD}boolean` });
    expect(literal(false)).toEqual({ value: 'false', datatype: `${XSD}boolean` });
    for (const value of [null, undefined, () => 1, Symbol('s')]) expect(jsonLiteral(value)).toBeUndefined();
  });

  it('makes Infinity, -Infinity and NaN the xsd:double values INF, -INF and NaN, not gaps in the graph', () => {
    expect(literal(Infinity)).toEqual({ value: 'INF', datatype: `${XSD}double` });
    expect(literal(-Infinity)).toEqual({ value: '-INF', datatype: `${XSD}double` });
    expect(literal(Number.NaN)).toEqual({ value: 'NaN', datatype: `${XSD}double` });
  });
});

describe('actionToGraph', () => {
  it('types the root tg:Action plus the classes given', () => {
    const extra = keyPredicate('not-a-class-but-an-iri');
    const { dataset } = actionToGraph({ tool: 't' }, [extra]);
    expect(
      objectsOf(dataset, ACTION_ROOT, DataFactory.namedNode(`http://www.w3.org/1999/02/22-rdf-syntax-ns#type`))
        .map((term) => term.value)
        .sort(),
    ).toEqual([ACTION_CLASS.value, extra.value].sort());
  });

  it('records a key that puts no value in the graph with tg:keyWithoutValue, and only such a key', () => {
    for (const x of [null, [], [null], [[]], [[], [null]], undefined]) {
      const { dataset } = actionToGraph({ tool: 't', arguments: { x, y: 1, z: [null, 2] } });
      const [argumentsNode] = objectsOf(dataset, ACTION_ROOT, keyPredicate('arguments'));
      if (argumentsNode === undefined) throw new Error('no arguments node');
      expect(objectsOf(dataset, argumentsNode, KEY_WITHOUT_VALUE)).toEqual([keyPredicate('x')]);
      expect(objectsOf(dataset, argumentsNode, keyPredicate('x'))).toEqual([]);
    }
    expect(objectsOf(actionToGraph({ tool: 't', a: {} }).dataset, null, KEY_WITHOUT_VALUE)).toEqual([]);
  });

  it('flattens nested arrays into repeated values of their key and omits null', () => {
    expect(
      valuesOfX([[1, 2], [3, [4]], null, Number.NaN])
        .map((term) => term.value)
        .sort(),
    ).toEqual(['1', '2', '3', '4', 'NaN']);
    expect(valuesOfX(null)).toEqual([]);
  });

  it('holds each quad once: equal scalars of one array (nested arrays included) are one value, as in an n3 Store', () => {
    const { dataset } = actionToGraph({ tool: 't', arguments: { x: [1, 1, '1', [1, [1, '1']], true, true, 1.5, 1.5], y: [1, 1] } }, [
      ACTION_CLASS,
    ]);
    expect(
      valuesOfX([1, 1, '1', [1, [1, '1']], true, true, 1.5, 1.5])
        .map((term) => term.value)
        .sort(),
    ).toEqual(['1', '1', '1.5', 'true']);
    expect(dataset.size).toBe(new Store([...dataset]).size);
  });

  it('holds each quad once, for any JSON action', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 4 })), (args) => {
        const { dataset } = actionToGraph({ tool: 't', arguments: args });
        expect(dataset.size).toBe(new Store([...dataset]).size);
      }),
      { numRuns: 200 },
    );
  });

  it('records the JSON path of every object node, with numeric indices for array elements', () => {
    const graph = actionToGraph({ tool: 't', arguments: { lines: [{ sku: 'a' }, [{ sku: 'b' }]] } });
    expect([...graph.pathOfNode.values()]).toEqual([[], ['arguments'], ['arguments', 'lines', 0], ['arguments', 'lines', 1, 0]]);
  });
});

describe('the numbers rule on real actions', () => {
  it('accepts 100 and 99.5 as decimal, but not the string "100"', async () => {
    const shape = atX({ datatype: 'decimal' });
    expect((await decideShape(shape, { x: 100 })).verdict).toBe('allow');
    expect((await decideShape(shape, { x: 99.5 })).verdict).toBe('allow');
    expect((await decideShape(shape, { x: [100, 99.5, 1e21, 1e-7] })).verdict).toBe('allow');
    const denied = await decideShape(shape, { x: '100' });
    expect(denied.verdict).toBe('deny');
    expect(denied.violations).toEqual([
      expect.objectContaining({
        constraint: 'sh:DatatypeConstraintComponent',
        path: ['arguments', 'x'],
        expected: 'decimal',
        actual: '100',
      }),
    ]);
  });

  it('accepts 3 (and 3.0) as integer, but not 2.5 or "100"', async () => {
    const shape = atX({ datatype: 'integer' });
    expect((await decideShape(shape, { x: 3 })).verdict).toBe('allow');
    expect((await decideShape(shape, { x: 3.0 })).verdict).toBe('allow');
    expect((await decideShape(shape, { x: 1e21 })).verdict).toBe('allow');
    for (const bad of [2.5, '100', 1e-7]) {
      const decision = await decideShape(shape, { x: bad });
      expect(decision.verdict).toBe('deny');
      expect(decision.violations).toEqual([
        expect.objectContaining({
          constraint: 'sh:DatatypeConstraintComponent',
          path: ['arguments', 'x'],
          expected: 'integer',
          actual: bad,
        }),
      ]);
    }
  });

  it('compares 1e21 and 1e-7 as the numbers they are', async () => {
    expect((await decideShape(atX({ minInclusive: 1e20 }), { x: 1e21 })).verdict).toBe('allow');
    expect((await decideShape(atX({ maxExclusive: 1e-6 }), { x: 1e-7 })).verdict).toBe('allow');
    expect((await decideShape(atX({ minExclusive: 1e-7 }), { x: 1e-7 })).verdict).toBe('deny');
  });

  it('accepts booleans as boolean, and not the string "true"', async () => {
    const shape = atX({ datatype: 'boolean' });
    expect((await decideShape(shape, { x: false })).verdict).toBe('allow');
    expect((await decideShape(shape, { x: 'true' })).violations).toEqual([
      expect.objectContaining({ constraint: 'sh:DatatypeConstraintComponent', expected: 'boolean', actual: 'true' }),
    ]);
  });

  it('omits null: minCount 1 on a null fails with a count of 0', async () => {
    const decision = await decideShape(atX({ minCount: 1 }), { x: null });
    expect(decision.verdict).toBe('deny');
    expect(decision.violations).toEqual([
      expect.objectContaining({ constraint: 'sh:MinCountConstraintComponent', path: ['arguments', 'x'], expected: 1, actual: 0 }),
    ]);
  });

  it('counts NaN and ±Infinity as values: minCount 1 holds, datatype decimal does not', async () => {
    for (const x of [Number.NaN, Infinity, -Infinity]) {
      expect((await decideShape(atX({ minCount: 1 }), { x })).verdict).toBe('allow');
      expect((await decideShape(atX({ datatype: 'decimal' }), { x })).violations).toEqual([
        expect.objectContaining({ constraint: 'sh:DatatypeConstraintComponent', path: ['arguments', 'x'], actual: x }),
      ]);
    }
  });

  it('counts the elements of nested arrays as repeated values', async () => {
    expect((await decideShape(atX({ minCount: 3, maxCount: 3 }), { x: [[1, 2], [3]] })).verdict).toBe('allow');
    const decision = await decideShape(atX({ maxCount: 2 }), {
      x: [
        [1, 2],
        [3, null],
      ],
    });
    expect(decision.violations).toEqual([
      expect.objectContaining({ constraint: 'sh:MaxCountConstraintComponent', path: ['arguments', 'x'], expected: 2, actual: 3 }),
    ]);
    const typed = await decideShape(atX({ datatype: 'integer' }), {
      x: [
        [1, 2],
        [3, 'four'],
      ],
    });
    expect(typed.violations).toEqual([
      expect.objectContaining({ constraint: 'sh:DatatypeConstraintComponent', path: ['arguments', 'x', 1, 1], actual: 'four' }),
    ]);
  });
});
