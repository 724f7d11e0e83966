import type { Quad } from '@rdfjs/types';
import { ACTION_CLASS, RDF, SH } from './vocabulary.js';

const RDF_TYPE = `${RDF}type`;
const RDFS_CLASS = 'http://www.w3.org/2000/01/rdf-schema#Class';
const TARGETS = new Set(['targetClass', 'targetNode', 'targetSubjectsOf', 'targetObjectsOf'].map((name) => `${SH}${name}`));

/**
 * Why the shapes in a hand-written file would never be run on an action, or an
 * empty list. A shape runs only on the focus nodes its targets select, and the
 * only class an action's graph has is `tg:Action`: a file whose shapes have no
 * target, or whose class targets name another class, checks nothing and so
 * allows every action, silently. (`sh:targetNode`, `sh:targetSubjectsOf` and
 * `sh:targetObjectsOf` may select nodes of any action, and are taken as written.)
 */
export function unreachableTargets(quads: readonly Quad[]): string[] {
  const problems = new Set<string>();
  let targets = 0;
  const classes = new Set(
    quads.filter((quad) => quad.predicate.value === RDF_TYPE && quad.object.value === RDFS_CLASS).map((quad) => quad.subject.value),
  );
  for (const { subject, predicate, object } of quads) {
    if (TARGETS.has(predicate.value)) targets += 1;
    if (predicate.value === `${SH}targetClass` && !ACTION_CLASS.equals(object)) {
      problems.add(`sh:targetClass <${object.value}>, a class no action has (every action is <${ACTION_CLASS.value}>)`);
    }
    // An rdfs:Class that is also a shape targets its own instances (SHACL's implicit class target).
    if (predicate.value === RDF_TYPE && object.value.startsWith(SH) && classes.has(subject.value)) {
      targets += 1;
      if (subject.value !== ACTION_CLASS.value) problems.add(`the implicit class target of <${subject.value}>, a class no action has`);
    }
  }
  if (targets === 0) problems.add('no target: no shape in it has sh:targetClass, sh:targetNode, sh:targetSubjectsOf or sh:targetObjectsOf');
  return [...problems].sort();
}
