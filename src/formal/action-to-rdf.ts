import { DataFactory, Store } from 'n3';
import type { BlankNode, NamedNode, Quad_Object } from '@rdfjs/types';
import type { PathSegment } from '../types.js';
import { jsonKind } from '../json-values.js';
import { jsonLiteral } from './json-literal.js';
import { ACTION_CLASS, ACTION_ROOT, KEY_WITHOUT_VALUE, RDF, keyPredicate } from './vocabulary.js';

const RDF_TYPE = DataFactory.namedNode(`${RDF}type`);

/** An action as an RDF graph, with the JSON path of every node so results can point back into the action. */
export interface ActionGraph {
  /** The graph: root typed `tg:Action`, keys as `tg:key:` predicates, objects as blank nodes. */
  readonly store: Store;
  /** JSON path of each node (the root and every object), by the node's term value. */
  readonly pathOfNode: ReadonlyMap<string, readonly PathSegment[]>;
}

/**
 * Converts an action (already depth- and size-checked) to RDF. Objects become
 * blank nodes, arrays become repeated values of their key (nested arrays are
 * flattened into the same key), scalars become typed literals, and null and
 * values JSON cannot hold are omitted. A key left with no value at all (null,
 * `[]`, `[null]`, `[[]]`) is recorded with `tg:keyWithoutValue`, since it is still
 * a key: a closed shape must refuse it. `classes` are extra types for the root:
 * the classes of the policies that apply, which their shapes target.
 */
export function actionToGraph(action: object, classes: readonly NamedNode[] = []): ActionGraph {
  const store = new Store();
  const pathOfNode = new Map<string, readonly PathSegment[]>([[ACTION_ROOT.value, []]]);
  let nextNode = 0;
  store.addQuad(DataFactory.quad(ACTION_ROOT, RDF_TYPE, ACTION_CLASS));
  for (const type of classes) store.addQuad(DataFactory.quad(ACTION_ROOT, RDF_TYPE, type));

  const objectNode = (value: object, path: readonly PathSegment[]): BlankNode => {
    const node = DataFactory.blankNode(`o${nextNode}`);
    nextNode += 1;
    pathOfNode.set(node.value, path);
    addProperties(node, value, path);
    return node;
  };

  /** Adds the value (each element of an array) under the predicate; true when anything was added. */
  const addValue = (subject: NamedNode | BlankNode, predicate: NamedNode, value: unknown, path: readonly PathSegment[]): boolean => {
    if (Array.isArray(value)) {
      let added = false;
      value.forEach((element: unknown, index) => {
        if (addValue(subject, predicate, element, [...path, index])) added = true;
      });
      return added;
    }
    // Only JSON objects become nodes: a Date, a Map or a class instance is a value
    // JSON cannot hold, omitted like null (jsonLiteral gives it no literal either).
    const object: Quad_Object | undefined = jsonKind(value) === 'object' ? objectNode(value as object, path) : jsonLiteral(value);
    if (object === undefined) return false;
    store.addQuad(DataFactory.quad(subject, predicate, object));
    return true;
  };

  function addProperties(subject: NamedNode | BlankNode, value: object, path: readonly PathSegment[]): void {
    for (const key of Object.keys(value)) {
      const predicate = keyPredicate(key);
      if (!addValue(subject, predicate, (value as Record<string, unknown>)[key], [...path, key])) {
        store.addQuad(DataFactory.quad(subject, KEY_WITHOUT_VALUE, predicate));
      }
    }
  }

  addProperties(ACTION_ROOT, action, []);
  return { store, pathOfNode };
}
