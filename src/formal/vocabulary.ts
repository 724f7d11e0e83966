import { DataFactory } from 'n3';
import type { NamedNode } from '@rdfjs/types';

/**
 * The tierguard RDF vocabulary. Actions become graphs in these namespaces; the
 * same terms are written to `shapes/vocabulary.ttl` for people and other tools.
 * URNs, not web addresses: nothing here is meant to be dereferenced.
 */
export const TG = 'urn:tierguard:';

/** Keys of the action: `urn:tierguard:key:amount`. */
export const TG_KEY = `${TG}key:`;

/** Policy classes and shapes: `urn:tierguard:policy:payments.bounds#shape`. */
export const TG_POLICY = `${TG}policy:`;

/** Standard namespaces the generated graphs use. */
export const SH = 'http://www.w3.org/ns/shacl#';
/** XML Schema datatypes. */
export const XSD = 'http://www.w3.org/2001/XMLSchema#';
/** RDF syntax. */
export const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

/** The class of every action's root node. */
export const ACTION_CLASS: NamedNode = DataFactory.namedNode(`${TG}Action`);

/** The root node of an action's graph; one action per graph, so one fixed IRI. */
export const ACTION_ROOT: NamedNode = DataFactory.namedNode(`${TG}action`);

/**
 * Links a node to the predicate of a key it has whose value puts nothing in the
 * graph (null, `[]`, `[null]`, `[[]]`), so that `sh:closed` still sees the key.
 * Outside the key namespace: no shape path can name it by accident.
 */
export const KEY_WITHOUT_VALUE: NamedNode = DataFactory.namedNode(`${TG}keyWithoutValue`);

/** The `sh:value` of a closed-shape result for a key without a value: there is no value term to name. */
export const NO_VALUE: NamedNode = DataFactory.namedNode(`${TG}noValue`);

// Unreserved characters that are also safe in a Turtle local name and an IRI;
// everything else is percent-encoded byte by byte, so any JSON key maps to one
// IRI and back, and nothing from a key is ever pasted into Turtle unescaped.
const SAFE_KEY_CHARACTER = /[A-Za-z0-9_-]/;
const UTF8 = new TextEncoder();

/**
 * Percent-encodes a JSON key (or policy id) into an IRI segment; reversible with
 * {@link decodeSegment}. A lone surrogate (which JSON's `\ud800` escape can
 * produce) has no UTF-8 form; it is written as its generalised UTF-8 bytes
 * (`%ED%A0%80`), which valid UTF-8 never contains, so it cannot collide with the
 * replacement character or any other key.
 */
export function encodeSegment(key: string): string {
  let encoded = '';
  for (const character of key) {
    if (SAFE_KEY_CHARACTER.test(character)) {
      encoded += character;
      continue;
    }
    const code = character.charCodeAt(0);
    if (character.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      encoded += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map(percentByte).join('');
      continue;
    }
    for (const byte of UTF8.encode(character)) encoded += percentByte(byte);
  }
  return encoded;
}

function percentByte(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

const LONE_SURROGATE = /(%ED%[AB][0-9A-F]%[89AB][0-9A-F])/;

/** Reverses {@link encodeSegment}. */
export function decodeSegment(segment: string): string {
  return segment
    .split(LONE_SURROGATE)
    .map((part, index) => {
      if (index % 2 === 0) return decodeURIComponent(part);
      const [b1 = 0, b2 = 0, b3 = 0] = part
        .slice(1)
        .split('%')
        .map((hex) => parseInt(hex, 16));
      return String.fromCharCode(((b1 & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f));
    })
    .join('');
}

// Keys repeat across actions; encoding each once saves work on every conversion.
// Bounded, since keys come from agents.
const predicateCache = new Map<string, NamedNode>();
const MAX_CACHED_PREDICATES = 10_000;

/** The predicate for a JSON key. */
export function keyPredicate(key: string): NamedNode {
  let predicate = predicateCache.get(key);
  if (predicate === undefined) {
    predicate = DataFactory.namedNode(`${TG_KEY}${encodeSegment(key)}`);
    if (predicateCache.size >= MAX_CACHED_PREDICATES) predicateCache.clear();
    if (key.length <= 256) predicateCache.set(key, predicate);
  }
  return predicate;
}

/** The JSON key a predicate stands for, or `undefined` for a predicate outside the key namespace. */
export function keyOfPredicate(predicate: { readonly value: string }): string | undefined {
  return predicate.value.startsWith(TG_KEY) ? decodeSegment(predicate.value.slice(TG_KEY.length)) : undefined;
}

/** The class an action is given when a policy applies to it, which that policy's shapes target. */
export function policyClass(policyId: string): NamedNode {
  return DataFactory.namedNode(`${TG_POLICY}${encodeSegment(policyId)}`);
}

/** A shape of a policy, named by the JSON pointer of its definition (`#/shape/properties/0`). */
export function shapeNode(policyId: string, pointer: string): NamedNode {
  return DataFactory.namedNode(`${TG_POLICY}${encodeSegment(policyId)}#${pointer.split('/').map(encodeSegment).join('/')}`);
}

/** The policy id and definition pointer a generated shape IRI stands for. */
export function parseShapeNode(iri: string): { readonly policyId: string; readonly pointer: string } | undefined {
  if (!iri.startsWith(TG_POLICY)) return undefined;
  const [policy = '', pointer] = iri.slice(TG_POLICY.length).split('#');
  if (pointer === undefined) return undefined;
  return { policyId: decodeSegment(policy), pointer: pointer.split('/').map(decodeSegment).join('/') };
}
