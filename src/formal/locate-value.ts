import type { Term } from '@rdfjs/types';
import { readOwn } from '../path/own-property.js';
import type { PathSegment } from '../types.js';
import { jsonLiteral } from './json-literal.js';
import { NO_VALUE, XSD } from './vocabulary.js';

/** A value found in the action for a SHACL result, with its JSON path. */
export interface LocatedValue {
  readonly path: readonly PathSegment[];
  /** The JSON value, or `undefined` when the result names no value (a missing property). */
  readonly value: unknown;
  /** True when the result names a value not found under the keys: `value` is then read from the term itself. */
  readonly unmatched?: boolean;
}

/**
 * Finds, under the JSON node at `focusPath`, the value a SHACL result reports:
 * following `keys` (arrays expand to their elements, as in the graph), the first
 * value whose RDF term equals `term`. Objects are matched by the node paths the
 * graph was built with. Without a term (minCount), the path of the keys is returned.
 */
export function locateValue(
  action: object,
  focusPath: readonly PathSegment[],
  keys: readonly string[],
  term: Term | undefined,
  pathOfNode: ReadonlyMap<string, readonly PathSegment[]>,
): LocatedValue {
  // A key without a value (a closed shape's result): the value is whatever the JSON holds there.
  if (term !== undefined && NO_VALUE.equals(term)) {
    const path = [...focusPath, ...keys];
    return { path, value: valueAt(action, path) };
  }
  if (term !== undefined && term.termType === 'BlankNode') {
    const path = pathOfNode.get(term.value);
    if (path !== undefined) return { path, value: valueAt(action, path) };
  }
  let frontier: { path: PathSegment[]; value: unknown }[] = [{ path: [...focusPath], value: valueAt(action, focusPath) }];
  for (const key of keys) {
    const next: { path: PathSegment[]; value: unknown }[] = [];
    for (const { path, value } of frontier) expand(next, [...path, key], readOwn(value, key));
    frontier = next;
  }
  if (term === undefined) return { path: [...focusPath, ...keys], value: undefined };
  const match = frontier.find(({ value }) => jsonLiteral(value)?.equals(term) === true);
  return match ?? { path: [...focusPath, ...keys], value: literalValue(term), unmatched: true };
}

// A literal as the JSON value it came from: numbers and booleans are not strings.
function literalValue(term: Term): unknown {
  if (term.termType !== 'Literal') return term.value;
  const datatype = term.datatype.value.slice(XSD.length);
  if (datatype === 'integer' || datatype === 'decimal') return Number(term.value);
  if (datatype === 'double') return term.value === 'INF' ? Infinity : term.value === '-INF' ? -Infinity : Number(term.value);
  if (datatype === 'boolean') return term.value === 'true';
  return term.value;
}

function expand(into: { path: PathSegment[]; value: unknown }[], path: PathSegment[], value: unknown): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((element: unknown, index) => expand(into, [...path, index], element));
    return;
  }
  into.push({ path, value });
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) current = readOwn(current, String(segment));
  return current;
}
