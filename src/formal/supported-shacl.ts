import type { Quad } from '@rdfjs/types';
import { RDF, SH } from './vocabulary.js';

const RDF_TYPE = `${RDF}type`;

/** Parameters of the constraint components rdf-validate-shacl has a validator for (its registry, `STOCK_VALIDATORS` in shacl-internals.ts). */
export const CONSTRAINT_PARAMETERS: ReadonlySet<string> = new Set([
  'and',
  'class',
  'closed',
  'ignoredProperties',
  'datatype',
  'disjoint',
  'equals',
  'hasValue',
  'in',
  'languageIn',
  'lessThan',
  'lessThanOrEquals',
  'maxCount',
  'maxExclusive',
  'maxInclusive',
  'maxLength',
  'minCount',
  'minExclusive',
  'minInclusive',
  'minLength',
  'node',
  'nodeKind',
  'not',
  'or',
  'pattern',
  'flags',
  'qualifiedMaxCount',
  'qualifiedMinCount',
  'qualifiedValueShape',
  'qualifiedValueShapesDisjoint',
  'uniqueLang',
  'xone',
]);

/**
 * Parameters whose components rdf-validate-shacl validates on property shapes
 * only: on a shape without `sh:path` it finds no validator and throws at
 * evaluation time, so such a shape is refused when compiled instead.
 */
export const PROPERTY_ONLY_PARAMETERS: ReadonlySet<string> = new Set([
  'minCount',
  'maxCount',
  'uniqueLang',
  'qualifiedMinCount',
  'qualifiedMaxCount',
  'lessThan',
  'lessThanOrEquals',
]);

/**
 * Every other `sh:` predicate a shapes file may use: the targets, paths and shape
 * characteristics rdf-validate-shacl reads (`shapes-graph.js`, `property-path.js`),
 * and the non-validating characteristics SHACL itself says no validator acts on
 * (`name`, `description`, `order`, `group`, `defaultValue`).
 */
const SHAPE_PREDICATES: ReadonlySet<string> = new Set([
  'targetClass',
  'targetNode',
  'targetSubjectsOf',
  'targetObjectsOf',
  'property',
  'path',
  'alternativePath',
  'inversePath',
  'zeroOrMorePath',
  'oneOrMorePath',
  'zeroOrOnePath',
  'severity',
  'message',
  'deactivated',
  'name',
  'description',
  'order',
  'group',
  'defaultValue',
]);

/** The `sh:` classes a shapes file may declare its nodes as. */
const SHAPE_CLASSES: ReadonlySet<string> = new Set(['Shape', 'NodeShape', 'PropertyShape', 'PropertyGroup']);

/**
 * The `sh:` constructs in a shapes graph that rdf-validate-shacl would not run, as
 * `sh:` names, sorted. It skips what it does not know without a word: a shape
 * with `sh:target [ a sh:SPARQLTarget ]` has no focus node and passes everything,
 * a custom constraint component is never consulted, and `sh:sparql` or `sh:js`
 * only fail once an action arrives. Any such file must be refused when the
 * policy is compiled, since a constraint that does not run allows what it names.
 */
export function unsupportedShacl(quads: readonly Quad[]): string[] {
  const found = new Set<string>();
  const withPath = new Set(quads.filter((quad) => quad.predicate.value === `${SH}path`).map((quad) => quad.subject.value));
  for (const { subject, predicate, object } of quads) {
    if (predicate.value.startsWith(SH)) {
      const name = predicate.value.slice(SH.length);
      if (!CONSTRAINT_PARAMETERS.has(name) && !SHAPE_PREDICATES.has(name)) found.add(`sh:${name}`);
      else if (PROPERTY_ONLY_PARAMETERS.has(name) && !withPath.has(subject.value)) found.add(`sh:${name} on a shape without sh:path`);
    } else if (predicate.value === RDF_TYPE && object.termType === 'NamedNode' && object.value.startsWith(SH)) {
      const name = object.value.slice(SH.length);
      if (!SHAPE_CLASSES.has(name)) found.add(`a sh:${name}`);
    }
  }
  return [...found].sort();
}
