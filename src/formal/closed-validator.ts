import { DataFactory } from 'n3';
import type { Store } from 'n3';
import type { Term } from '@rdfjs/types';
import { getPathObjects } from './shacl-internals.js';
import type { GenericValidator, ValidationResult } from './shacl-internals.js';
import { KEY_WITHOUT_VALUE, NO_VALUE, RDF, SH } from './vocabulary.js';

const SH_PROPERTY = DataFactory.namedNode(`${SH}property`);
const SH_PATH = DataFactory.namedNode(`${SH}path`);
const SH_IGNORED_PROPERTIES = DataFactory.namedNode(`${SH}ignoredProperties`);
const RDF_FIRST = DataFactory.namedNode(`${RDF}first`);
const RDF_REST = DataFactory.namedNode(`${RDF}rest`);

/**
 * `sh:closed` that also sees the keys whose value has no RDF form. A key holding
 * null, `[]`, `[null]` or `[[]]` puts no value in the graph, so the validator's
 * own check (which looks at the predicates of the node) let it through a closed
 * shape; the graph records such a key with `tg:keyWithoutValue` (action-to-rdf.ts),
 * and this reports it as any other undeclared key, with `tg:noValue` as its value.
 * `original` is the validator it wraps, which still reports every key with a value.
 * The declared keys of a shape are read once from `shapes`, the graph it runs.
 */
export function closedValidator(original: GenericValidator, shapes: Store): GenericValidator {
  const allowedByShape = new Map<string, ReadonlySet<string>>();
  const allowedOf = (shape: Term): ReadonlySet<string> => {
    let allowed = allowedByShape.get(shape.value);
    if (allowed === undefined) {
      allowed = declaredPredicates(shapes, shape);
      allowedByShape.set(shape.value, allowed);
    }
    return allowed;
  };
  return {
    validate(context, focusNode, valueNode, constraint) {
      const found = original.validate(context, focusNode, valueNode, constraint);
      // Not an array: the shape is not closed (`sh:closed false`), nothing to add.
      if (!Array.isArray(found)) return found;
      const results = (found as (ValidationResult | string)[]).filter(
        (result) => typeof result === 'string' || !KEY_WITHOUT_VALUE.equals(result.path),
      );
      const allowed = allowedOf(constraint.shape.shapeNode);
      for (const key of getPathObjects(context.$data, valueNode, KEY_WITHOUT_VALUE)) {
        if (!allowed.has(key.value)) results.push({ path: key, value: NO_VALUE });
      }
      return results as ValidationResult[];
    },
    ...(original.validationMessage === undefined ? {} : { validationMessage: original.validationMessage }),
  };
}

/** The predicates a closed shape allows: the one-predicate paths of its property shapes and its sh:ignoredProperties. */
function declaredPredicates(shapes: Store, shape: Term): ReadonlySet<string> {
  const allowed = new Set<string>();
  for (const property of shapes.getObjects(shape, SH_PROPERTY, null)) {
    for (const path of shapes.getObjects(property, SH_PATH, null)) if (path.termType === 'NamedNode') allowed.add(path.value);
  }
  for (const list of shapes.getObjects(shape, SH_IGNORED_PROPERTIES, null)) {
    // Lists in shapes files are checked when loaded (malformed-lists.ts); the
    // visited set still ends a cyclic one rather than looping.
    const visited = new Set<string>();
    for (
      let cell: Term | undefined = list;
      cell !== undefined && cell.termType !== 'NamedNode' && !visited.has(cell.value);
      cell = shapes.getObjects(cell, RDF_REST, null)[0]
    ) {
      visited.add(cell.value);
      for (const item of shapes.getObjects(cell, RDF_FIRST, null)) allowed.add(item.value);
    }
  }
  return allowed;
}
