import type { Quad_Graph, Quad_Object, Quad_Predicate, Quad_Subject, Term } from '@rdfjs/types';
import { DataFactory } from 'n3';
import { describe, expect, it } from 'vitest';
import { PlainBlankNode, PlainLiteral } from '../../../src/formal/plain-terms.js';
import { sameTerm, termKey } from '../../../src/formal/term-key.js';
import { RDF, XSD } from '../../../src/formal/vocabulary.js';

const namedNode = (iri: string) => DataFactory.namedNode(iri);
const blankNode = (label: string) => DataFactory.blankNode(label);
const variable = (name: string) => DataFactory.variable(name);
const literal: typeof DataFactory.literal = (value, languageOrDatatype) => DataFactory.literal(value, languageOrDatatype);
const quad = (subject: Quad_Subject, predicate: Quad_Predicate, object: Quad_Object, graph?: Quad_Graph) =>
  DataFactory.quad(subject, predicate, object, graph);
const defaultGraph = () => DataFactory.defaultGraph();
const XSD_STRING = namedNode(`${XSD}string`);

/** Terms that share text in every way a careless key would confuse. */
const TERMS: readonly Term[] = [
  namedNode('x'),
  namedNode('_:x'),
  namedNode('"x"'),
  blankNode('x'),
  new PlainBlankNode('x'),
  variable('x'),
  literal('x'),
  new PlainLiteral('x', XSD_STRING),
  literal('x', 'en'),
  literal('x', namedNode(`${XSD}integer`)),
  literal('x^N1:y', namedNode('z')),
  literal('x', namedNode('y^N1:z')),
  literal('', namedNode(`${RDF}langString`)),
  defaultGraph(),
  quad(namedNode('s'), namedNode('p'), literal('o')),
  quad(namedNode('s'), namedNode('p'), namedNode('o')),
];

describe('termKey and sameTerm', () => {
  it('give two terms the same key exactly when they are equal, across kinds and factories', () => {
    for (const left of TERMS) {
      for (const right of TERMS) {
        expect(termKey(left) === termKey(right), `${termKey(left)} vs ${termKey(right)}`).toBe(left.equals(right));
        expect(sameTerm(left, right)).toBe(left.equals(right));
      }
    }
  });

  it('take a plain term and an n3 term of the same parts for the same term', () => {
    expect(termKey(new PlainLiteral('7', namedNode(`${XSD}integer`)))).toBe(termKey(literal('7', namedNode(`${XSD}integer`))));
    expect(sameTerm(literal('7', namedNode(`${XSD}integer`)), new PlainLiteral('7', namedNode(`${XSD}integer`)))).toBe(true);
    expect(sameTerm(new PlainBlankNode('o1'), blankNode('o1'))).toBe(true);
    expect(sameTerm(new PlainBlankNode('o1'), namedNode('o1'))).toBe(false);
  });
});
