import { Writer } from 'n3';
import type { BlankNode, Quad, Quad_Object, Term } from '@rdfjs/types';
import { RDF, SH, TG, TG_KEY, XSD } from './vocabulary.js';

const RDF_FIRST = `${RDF}first`;
const RDF_REST = `${RDF}rest`;
const RDF_NIL = `${RDF}nil`;

/** Prefixes used in every file tierguard writes. */
export const TURTLE_PREFIXES: Readonly<Record<string, string>> = Object.freeze({
  sh: SH,
  xsd: XSD,
  rdf: RDF,
  tg: TG,
  key: TG_KEY,
});

/**
 * Serialises quads as readable, deterministic Turtle: each named subject once,
 * in order of first appearance, with RDF lists written as `( ... )` and blank
 * nodes used once written inline as `[ ... ]`. The same quads give the same bytes.
 */
export function writeTurtle(quads: readonly Quad[], header = ''): Promise<string> {
  const bySubject = new Map<string, Quad[]>();
  const references = new Map<string, number>();
  for (const quad of quads) {
    const key = termKey(quad.subject);
    const list = bySubject.get(key) ?? [];
    list.push(quad);
    bySubject.set(key, list);
    if (quad.object.termType === 'BlankNode') references.set(quad.object.value, (references.get(quad.object.value) ?? 0) + 1);
  }
  const writer = new Writer({ prefixes: { ...TURTLE_PREFIXES } });
  const inlined = (node: BlankNode): boolean => (references.get(node.value) ?? 0) === 1;

  const objectOf = (term: Quad_Object): Quad_Object => {
    if (term.termType !== 'BlankNode' || !inlined(term)) return term;
    const items = listItems(term);
    // @types/n3 types list() as an array; at run time it is the writer's list term.
    if (items !== undefined) return writer.list(items.map(objectOf)) as unknown as Quad_Object;
    const properties = (bySubject.get(termKey(term)) ?? []).map((quad) => ({ predicate: quad.predicate, object: objectOf(quad.object) }));
    return writer.blank(properties);
  };

  const listItems = (head: Term): Quad_Object[] | undefined => {
    const items: Quad_Object[] = [];
    let cell: Term = head;
    while (cell.value !== RDF_NIL) {
      const properties = bySubject.get(termKey(cell));
      const first = properties?.find((quad) => quad.predicate.value === RDF_FIRST);
      const rest = properties?.find((quad) => quad.predicate.value === RDF_REST);
      if (properties?.length !== 2 || first === undefined || rest === undefined) return undefined;
      items.push(first.object);
      cell = rest.object;
    }
    return items;
  };

  for (const [, subjectQuads] of bySubject) {
    const [firstQuad] = subjectQuads;
    if (firstQuad === undefined) continue;
    if (firstQuad.subject.termType === 'BlankNode' && inlined(firstQuad.subject)) continue;
    for (const quad of subjectQuads) writer.addQuad(quad.subject, quad.predicate, objectOf(quad.object));
  }
  return new Promise((resolve, reject) => {
    writer.end((error: Error | null, result: string) => (error ? reject(error) : resolve(header + result)));
  });
}

function termKey(term: Term): string {
  return `${term.termType}:${term.value}`;
}
