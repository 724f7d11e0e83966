import type { Quad } from '@rdfjs/types';
import { RDF } from './vocabulary.js';

const RDF_FIRST = `${RDF}first`;
const RDF_REST = `${RDF}rest`;
const RDF_NIL = `${RDF}nil`;

/**
 * What is wrong with the RDF lists of a shapes graph (`sh:in`, `sh:or`,
 * `sh:ignoredProperties`, sequence paths), or `undefined` when each is well
 * formed: every cell one `rdf:first` and one `rdf:rest`, every chain ending in
 * `rdf:nil`. Turtle's `( ... )` cannot write anything else, but explicit
 * triples can, and rdf-validate-shacl follows a cyclic list for ever (the
 * process runs out of memory on the first action) and throws on a forked one.
 */
export function malformedList(quads: readonly Quad[]): string | undefined {
  const rest = new Map<string, string>();
  const firsts = new Map<string, number>();
  for (const { subject, predicate, object } of quads) {
    if (predicate.value === RDF_FIRST) firsts.set(subject.value, (firsts.get(subject.value) ?? 0) + 1);
    if (predicate.value !== RDF_REST) continue;
    if (rest.has(subject.value)) return `the list cell ${subject.value} has more than one rdf:rest`;
    rest.set(subject.value, object.value);
  }
  for (const [cell, count] of firsts) {
    if (count > 1) return `the list cell ${cell} has more than one rdf:first`;
    if (!rest.has(cell)) return `the list cell ${cell} has no rdf:rest`;
  }
  const endsInNil = new Set<string>([RDF_NIL]);
  for (const start of rest.keys()) {
    const walked: string[] = [];
    const onThisWalk = new Set<string>();
    let cell = start;
    while (!endsInNil.has(cell)) {
      if (onThisWalk.has(cell)) return `the list through ${cell} is cyclic`;
      // Every cell with a first has a rest (checked above), so this also finds a chain that never reaches rdf:nil.
      const next = rest.get(cell);
      if (next === undefined || !firsts.has(cell)) return `the list cell ${cell} has no rdf:first (a list ends in rdf:nil)`;
      onThisWalk.add(cell);
      walked.push(cell);
      cell = next;
    }
    for (const done of walked) endsInNil.add(done);
  }
  return undefined;
}
