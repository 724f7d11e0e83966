import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BlankNode, DataFactory, Literal, NamedNode, Parser, Quad } from 'n3';
import type { Quad as RdfQuad, Term } from '@rdfjs/types';
import { generateShapes } from '../../../src/formal/generate-shapes.js';
import { TG_KEY, decodeSegment, encodeSegment, keyOfPredicate, keyPredicate } from '../../../src/formal/vocabulary.js';
import { writeTurtle } from '../../../src/formal/write-turtle.js';
import type { ShapeDefinition } from '../../../src/index.js';
import { canonicalGraph, decideShape, quotedKey } from './support.js';

/** Every character the issue names: `>`, spaces, both quotes, `#`, `%`, unicode, newlines; and a backslash, a tab and `<`. */
const HOSTILE = 'k>ey "dq" \'sq\' #frag %25 ünï 日本 🚀\nline\ttab <x> \\b';

/** One shape that puts `key` everywhere a key can go: simple, sequence and nested paths, closed lists, pair constraints. */
function shapeUsing(key: string): ShapeDefinition {
  return {
    closed: true,
    properties: [
      { path: `arguments${quotedKey(key)}`, minCount: 1, maxCount: 2, datatype: 'decimal', minInclusive: 0 },
      { path: `${quotedKey(key)}.inner`, minCount: 0 },
      {
        path: 'arguments',
        node: {
          closed: true,
          properties: [
            { path: quotedKey(key), in: ['x', 1], pattern: '^x', flags: 'i', lessThanOrEquals: 'other' },
            {
              path: 'other',
              disjoint: key,
              equals: key,
              or: [{ datatype: 'string' }, { properties: [{ path: quotedKey(key), minCount: 1 }] }],
            },
          ],
        },
      },
    ],
  };
}

const HOSTILE_IRI = keyPredicate(HOSTILE).value;
const PLAIN_IRI = keyPredicate('a').value;

function renameTerm<T extends Term>(term: T): T {
  return (term.termType === 'NamedNode' && term.value === HOSTILE_IRI ? DataFactory.namedNode(PLAIN_IRI) : term) as T;
}

function quadText(quad: RdfQuad): string {
  return [quad.subject, quad.predicate, quad.object]
    .map((term) => `${term.termType}:${term.value}:${term.termType === 'Literal' ? term.datatype.value : ''}`)
    .join(' ');
}

describe('generateShapes: SHACL quads built with the n3 DataFactory', () => {
  it('returns n3 quads and terms, never parsed text', () => {
    const quads = generateShapes('p', shapeUsing(HOSTILE));
    expect(quads.length).toBeGreaterThan(30);
    for (const quad of quads) {
      expect(quad).toBeInstanceOf(Quad);
      for (const term of [quad.subject, quad.predicate, quad.object]) {
        expect([NamedNode, BlankNode, Literal].some((type) => term instanceof type)).toBe(true);
      }
    }
  });

  it('is deterministic: the same definition gives the same quads', () => {
    expect(generateShapes('p', shapeUsing(HOSTILE)).map(quadText)).toEqual(generateShapes('p', shapeUsing(HOSTILE)).map(quadText));
  });

  it('percent-encodes a hostile key into one predicate IRI of safe characters', () => {
    expect(HOSTILE_IRI.startsWith(TG_KEY)).toBe(true);
    expect(HOSTILE_IRI.slice(TG_KEY.length)).toMatch(/^[A-Za-z0-9_%-]+$/);
    expect(keyOfPredicate(keyPredicate(HOSTILE))).toBe(HOSTILE);
    expect(decodeSegment(encodeSegment(HOSTILE))).toBe(HOSTILE);
  });

  it('gives the same graph structure for a hostile key as for `a`, up to renaming the predicate', () => {
    const plain = generateShapes('p', shapeUsing('a'));
    const hostile = generateShapes('p', shapeUsing(HOSTILE));
    const mentions = hostile.filter((quad) => [quad.predicate, quad.object].some((term) => term.value === HOSTILE_IRI));
    // Sequence paths (2), the root's closed list, the nested simple path,
    // equals and disjoint, and the path inside the `or` operand.
    expect(mentions.length).toBe(7);
    const renamed = hostile.map((quad) => DataFactory.quad(renameTerm(quad.subject), renameTerm(quad.predicate), renameTerm(quad.object)));
    expect(renamed.map(quadText)).toEqual(plain.map(quadText));
    expect(new Set(renamed.map(quadText)).size).toBe(plain.length);
  });

  it('writes Turtle that parses back to an isomorphic graph in which the hostile key round-trips', async () => {
    const quads = generateShapes('p', shapeUsing(HOSTILE));
    const turtle = await writeTurtle(quads);
    // Nothing from the key is pasted into the text.
    for (const fragment of ['k>ey', '日本', '"dq"', '#frag', 'line\ttab']) expect(turtle).not.toContain(fragment);
    const parsed = new Parser({ format: 'text/turtle' }).parse(turtle);
    expect(parsed.length).toBe(quads.length);
    expect(canonicalGraph(parsed)).toEqual(canonicalGraph(quads));
    const keys = new Set(
      parsed
        .flatMap((quad) => [quad.predicate, quad.object])
        .filter((term) => term.termType === 'NamedNode')
        .map((term) => keyOfPredicate(term)),
    );
    expect(keys).toContain(HOSTILE);
    expect([...keys].filter((key) => key !== undefined).sort()).toEqual(['arguments', 'inner', 'kind', HOSTILE, 'other', 'tool'].sort());
  });

  it('enforces a shape on the hostile key and reports it as a JSON segment', async () => {
    const shape: ShapeDefinition = { properties: [{ path: `arguments${quotedKey(HOSTILE)}`, minCount: 1, pattern: '^ok$' }] };
    expect((await decideShape(shape, { [HOSTILE]: 'ok' })).verdict).toBe('allow');
    const decision = await decideShape(shape, { [HOSTILE]: 'no' });
    expect(decision.violations).toEqual([
      expect.objectContaining({
        constraint: 'sh:PatternConstraintComponent',
        path: ['arguments', HOSTILE],
        actual: 'no',
        expected: '^ok$',
      }),
    ]);
    const missing = await decideShape(shape, { other: 'ok' });
    expect(missing.violations).toEqual([
      expect.objectContaining({ constraint: 'sh:MinCountConstraintComponent', path: ['arguments', HOSTILE], actual: 0 }),
    ]);
  });

  it('round-trips any well-formed key through encodeSegment and decodeSegment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (key) => {
        const encoded = encodeSegment(key);
        expect(encoded).toMatch(/^[A-Za-z0-9_%-]*$/);
        expect(decodeSegment(encoded)).toBe(key);
        expect(keyOfPredicate(keyPredicate(key))).toBe(key);
      }),
    );
  });
});
