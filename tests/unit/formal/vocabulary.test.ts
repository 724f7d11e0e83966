import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Parser } from 'n3';
import { ACTION_CLASS, ACTION_ROOT, RDF, decodeSegment, encodeSegment, parseShapeNode, shapeNode } from '../../../src/formal/vocabulary.js';

const VOCABULARY = fileURLToPath(new URL('../../../shapes/vocabulary.ttl', import.meta.url));

describe('shapes/vocabulary.ttl', () => {
  const quads = new Parser({ format: 'text/turtle' }).parse(readFileSync(VOCABULARY, 'utf8'));

  it('parses and describes the IRIs the code uses', () => {
    const subjects = new Set(quads.map((quad) => quad.subject.value));
    expect(subjects).toContain(ACTION_CLASS.value);
    expect(subjects).toContain(ACTION_ROOT.value);
    const typeOf = (iri: string) =>
      quads.filter((quad) => quad.subject.value === iri && quad.predicate.value === `${RDF}type`).map((quad) => quad.object.value);
    expect(typeOf(ACTION_CLASS.value)).toEqual(['http://www.w3.org/2000/01/rdf-schema#Class']);
  });

  it('states the key encoding the code applies: every character but A-Z a-z 0-9 _ - is %XX of its UTF-8 bytes', () => {
    const comment =
      quads.find((quad) => quad.subject.value === ACTION_CLASS.value && quad.predicate.value.endsWith('#comment'))?.object.value ?? '';
    expect(comment.replace(/\s+/g, ' ')).toContain('every character but A-Z a-z 0-9 _ - becomes %XX of its UTF-8 bytes');
    for (let code = 0; code < 128; code += 1) {
      const character = String.fromCharCode(code);
      const safe = /[A-Za-z0-9_-]/.test(character);
      expect(encodeSegment(character)).toBe(safe ? character : `%${code.toString(16).toUpperCase().padStart(2, '0')}`);
    }
    expect(encodeSegment('é')).toBe('%C3%A9');
    expect(encodeSegment('🚀')).toBe('%F0%9F%9A%80');
  });
});

describe('shape node IRIs', () => {
  it('lead back to the policy and the JSON pointer of the definition, whatever the id', () => {
    for (const [policyId, pointer] of [
      ['payments.bounds', '/shape/properties/0/node/properties/1'],
      ['a/b:c#d', '/shape/properties/2/or/0'],
    ] as const) {
      const iri = shapeNode(policyId, pointer).value;
      expect(iri.split('#')).toHaveLength(2);
      expect(parseShapeNode(iri)).toEqual({ policyId, pointer });
    }
  });
});

describe('lone surrogates in keys', () => {
  it('encode to their own IRI segment, distinct from the replacement character, and decode back', () => {
    const lone = JSON.parse('"\\ud800"') as string;
    expect(encodeSegment(lone)).toBe('%ED%A0%80');
    expect(encodeSegment('\ufffd')).toBe('%EF%BF%BD');
    for (const key of [lone, `x${lone}y`, '\udc00', '%ED%A0%80', '\ud83d\ude00']) {
      expect(decodeSegment(encodeSegment(key))).toBe(key);
    }
    expect(new Set([lone, '\ufffd', '\udc00'].map(encodeSegment)).size).toBe(3);
  });
});
