import { DataFactory } from 'n3';
import type { BlankNode, NamedNode, Quad } from '@rdfjs/types';
import type { PathSegment } from '../types.js';
import { jsonKind } from '../json-values.js';
import { jsonLiteral } from './json-literal.js';
import { PlainBlankNode } from './plain-terms.js';
import { QuadDataset } from './quad-dataset.js';
import { termKey } from './term-key.js';
import { ACTION_CLASS, ACTION_ROOT, KEY_WITHOUT_VALUE, RDF, keyPredicate } from './vocabulary.js';

const RDF_TYPE = DataFactory.namedNode(`${RDF}type`);

/** An action as an RDF graph, with the JSON path of every node so results can point back into the action. */
export interface ActionGraph {
  /** The graph: root typed `tg:Action`, keys as `tg:key:` predicates, objects as blank nodes. */
  readonly dataset: QuadDataset;
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
  // Built as a list and handed over whole: the only quads that can repeat are
  // equal scalars of one array (an object is a new node each time), which
  // addValue drops, so the dataset need not look for duplicates.
  const quads: Quad[] = [DataFactory.quad(ACTION_ROOT, RDF_TYPE, ACTION_CLASS)];
  for (const type of classes) {
    if (!quads.some((quad) => quad.object.equals(type))) quads.push(DataFactory.quad(ACTION_ROOT, RDF_TYPE, type));
  }
  const pathOfNode = new Map<string, readonly PathSegment[]>([[ACTION_ROOT.value, []]]);
  let nextNode = 0;

  /**
   * Adds `value` (each element of an array) under the predicate; true when
   * anything was added. `path` is the value's container and `segment` its key
   * or index there: the value's own path is built only for an object or an
   * array, so the scalars, most of an action, cost no array each. `inArray`
   * holds the scalars the array being flattened has added already.
   */
  function addValue(
    subject: NamedNode | BlankNode,
    predicate: NamedNode,
    value: unknown,
    path: readonly PathSegment[],
    segment: PathSegment,
    inArray?: Set<string>,
  ): boolean {
    if (typeof value !== 'object' || value === null) {
      const literal = jsonLiteral(value);
      if (literal === undefined) return false;
      if (inArray !== undefined) {
        const key = termKey(literal);
        if (inArray.has(key)) return true;
        inArray.add(key);
      }
      quads.push(DataFactory.quad(subject, predicate, literal));
      return true;
    }
    const at = [...path, segment];
    if (Array.isArray(value)) {
      const seen = inArray ?? new Set<string>();
      let added = false;
      for (let index = 0; index < value.length; index += 1) {
        if (addValue(subject, predicate, value[index], at, index, seen)) added = true;
      }
      return added;
    }
    // Only JSON objects become nodes: a Date, a Map or a class instance is a value
    // JSON cannot hold, omitted like null.
    if (jsonKind(value) !== 'object') return false;
    const node = new PlainBlankNode(`o${nextNode}`);
    nextNode += 1;
    pathOfNode.set(node.value, at);
    addProperties(node, value, at);
    quads.push(DataFactory.quad(subject, predicate, node));
    return true;
  }

  function addProperties(subject: NamedNode | BlankNode, value: object, path: readonly PathSegment[]): void {
    for (const key of Object.keys(value)) {
      const predicate = keyPredicate(key);
      if (!addValue(subject, predicate, (value as Record<string, unknown>)[key], path, key)) {
        quads.push(DataFactory.quad(subject, KEY_WITHOUT_VALUE, predicate));
      }
    }
  }

  addProperties(ACTION_ROOT, action, []);
  return { dataset: QuadDataset.fromDistinct(quads), pathOfNode };
}
