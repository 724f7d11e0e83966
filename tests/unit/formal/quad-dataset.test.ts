import fc from 'fast-check';
import type { Quad, Quad_Graph, Quad_Object, Quad_Predicate, Quad_Subject, Term } from '@rdfjs/types';
import { DataFactory, Store } from 'n3';
import { describe, expect, it } from 'vitest';
import { PlainBlankNode, PlainLiteral } from '../../../src/formal/plain-terms.js';
import { QuadDataset } from '../../../src/formal/quad-dataset.js';
import { XSD } from '../../../src/formal/vocabulary.js';

const namedNode = (iri: string) => DataFactory.namedNode(iri);
const blankNode = (label: string) => DataFactory.blankNode(label);
const literal: typeof DataFactory.literal = (value, languageOrDatatype) => DataFactory.literal(value, languageOrDatatype);
const quad = (subject: Quad_Subject, predicate: Quad_Predicate, object: Quad_Object, graph?: Quad_Graph) =>
  DataFactory.quad(subject, predicate, object, graph);
const defaultGraph = () => DataFactory.defaultGraph();
const XSD_STRING = namedNode(`${XSD}string`);
const XSD_INTEGER = namedNode(`${XSD}integer`);

/**
 * Terms chosen to collide: the same text as an IRI, a blank node label and
 * literals of several kinds, from n3 and from the plain terms, so that an index
 * keyed by a term's value must still tell them apart.
 */
const SUBJECTS: readonly Term[] = [namedNode('x'), blankNode('x'), new PlainBlankNode('x'), namedNode('_:x'), blankNode('y')];
const PREDICATES: readonly Term[] = [namedNode('p'), namedNode('q'), namedNode('x')];
const OBJECTS: readonly Term[] = [
  ...SUBJECTS,
  literal('x'),
  new PlainLiteral('x', XSD_STRING),
  literal('x', 'en'),
  literal('x', XSD_INTEGER),
  new PlainLiteral('1', XSD_INTEGER),
  literal('1', XSD_INTEGER),
  literal('1'),
  literal('x"^^y'),
];
const GRAPHS: readonly Term[] = [defaultGraph(), namedNode('g')];

/** A quad as text that tells every term apart (kind, value, language, datatype). */
function text(found: Quad): string {
  const term = (t: Term): string =>
    t.termType === 'Literal' ? `L(${JSON.stringify(t.value)},${t.language},${t.datatype.value})` : `${t.termType}(${t.value})`;
  return [found.subject, found.predicate, found.object, found.graph].map(term).join(' ');
}

const texts = (quads: Iterable<Quad>): string[] => [...quads].map(text);

const quadArbitrary = fc
  .tuple(fc.constantFrom(...SUBJECTS), fc.constantFrom(...PREDICATES), fc.constantFrom(...OBJECTS), fc.constantFrom(...GRAPHS))
  .map(([subject, predicate, object, graph]) =>
    quad(subject as Quad['subject'], predicate as Quad['predicate'], object as Quad['object'], graph as Quad['graph']),
  );

/** Every pattern of `match` over the vocabulary: each position any (null) or one term. */
function* patterns(): Generator<[Term | null, Term | null, Term | null, Term | null]> {
  for (const subject of [null, ...SUBJECTS])
    for (const predicate of [null, ...PREDICATES])
      for (const object of [null, ...OBJECTS.slice(0, 8)]) for (const graph of [null, ...GRAPHS]) yield [subject, predicate, object, graph];
}

describe('QuadDataset, against an n3 Store', () => {
  it('holds the same quads as an n3 Store, in the order first added, and answers has and match alike, below and above the index size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), quadArbitrary), { maxLength: 80 }),
        fc.array(quadArbitrary, { maxLength: 5 }),
        (steps, probes) => {
          const dataset = new QuadDataset();
          const store = new Store();
          const order: string[] = [];
          for (const [adding, step] of steps) {
            if (adding || order.length === 0) {
              dataset.add(step);
              store.addQuad(step);
              if (!order.includes(text(step))) order.push(text(step));
            } else {
              dataset.delete(step);
              store.removeQuad(step);
              order.splice(order.indexOf(text(step)) >>> 0, order.includes(text(step)) ? 1 : 0);
            }
          }
          expect(dataset.size).toBe(store.size);
          expect(texts(dataset)).toEqual(order);
          for (const probe of [...probes, ...steps.map(([, step]) => step)]) expect(dataset.has(probe)).toBe(store.has(probe));
          for (const [subject, predicate, object, graph] of patterns()) {
            const found = dataset.match(subject, predicate, object, graph);
            const expected = texts(store.getQuads(subject, predicate, object, graph)).sort();
            expect(texts(found).sort()).toEqual(expected);
            expect(found.size).toBe(expected.length);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('takes an equal quad made by another factory for the same quad', () => {
    const dataset = new QuadDataset([quad(blankNode('o0'), namedNode('p'), literal('7', XSD_INTEGER))]);
    const plain = quad(new PlainBlankNode('o0'), namedNode('p'), new PlainLiteral('7', XSD_INTEGER));
    expect(dataset.has(plain)).toBe(true);
    expect(dataset.add(plain).size).toBe(1);
    expect(dataset.match(new PlainBlankNode('o0'), null, new PlainLiteral('7', XSD_INTEGER)).size).toBe(1);
    expect(dataset.match(null, null, new PlainLiteral('7', XSD_STRING)).size).toBe(0);
  });

  it('gives matches as datasets of their own: adding to one leaves the dataset it came from alone', () => {
    const many = Array.from({ length: 40 }, (_, index) => quad(namedNode(`s${index % 4}`), namedNode('p'), literal(String(index))));
    const dataset = new QuadDataset(many);
    const matched = dataset.match(namedNode('s1'));
    expect(matched.size).toBe(10);
    matched.add(quad(namedNode('s1'), namedNode('p'), literal('new')));
    matched.add(many[1] as Quad);
    expect(matched.size).toBe(11);
    expect(dataset.size).toBe(40);
    expect(dataset.match(namedNode('s1')).size).toBe(10);
  });

  it('drops duplicates when built from a list, as a dataset is a set', () => {
    const one = quad(namedNode('s'), namedNode('p'), literal('v'));
    const many = Array.from({ length: 30 }, (_, index) => quad(namedNode('s'), namedNode('p'), literal(String(index % 20))));
    expect(new QuadDataset([one, one]).size).toBe(1);
    expect(new QuadDataset(many).size).toBe(20);
  });
});
