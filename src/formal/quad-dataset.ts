import type { DatasetCore, Quad, Term } from '@rdfjs/types';
import { sameTerm } from './term-key.js';

/** Below this many quads, scanning them all is cheaper than building and keeping lookups. */
const INDEX_FROM = 16;

/**
 * The lookups of an indexed dataset, each from a term's `value` to the quads
 * with a term of that value there: a named node's IRI is its own key, with
 * nothing to build per lookup. Terms of different kinds may share a value (the
 * IRI `1` and the literal `"1"`), so a lookup gives candidates, which are then
 * compared term by term. The predicate and object lookups are built the first
 * time a match needs them.
 */
interface QuadIndex {
  /** The quads by their terms' values together: set semantics for `add`, and `has` and `delete`. */
  readonly byValues: Map<string, Quad[]>;
  readonly bySubject: Map<string, Quad[]>;
  byPredicate: Map<string, Quad[]> | undefined;
  byObject: Map<string, Quad[]> | undefined;
}

/**
 * The RDF/JS dataset the formal tier validates with: the action's graph, and
 * the graphs rdf-validate-shacl builds (the shapes graph, each result, the
 * report). rdf-validate-shacl calls `match` for nearly every step, and its
 * default dataset copies every match into a new triply-indexed dataset, while an
 * n3 Store wraps each one in a stream; here a match is a plain list of the quads
 * found. A small dataset (a result, a match) is scanned; from
 * {@link INDEX_FROM} quads on, it is indexed by subject, and by predicate and
 * by object once a match without a subject asks for one (see {@link QuadIndex}).
 * Insertion order is kept, so iteration is deterministic.
 */
export class QuadDataset implements DatasetCore {
  private quads: Quad[];
  private index: QuadIndex | undefined;

  /** A dataset of `quads`, duplicates dropped. */
  constructor(quads?: Iterable<Quad>) {
    this.quads = [];
    if (quads !== undefined) for (const quad of quads) this.add(quad);
  }

  /**
   * A dataset of `quads` taken as they are, for a caller that knows no two are
   * equal (a match of another dataset, a graph built so that none repeats): the
   * search for duplicates that {@link QuadDataset.add} makes is skipped. The
   * dataset owns the array from then on.
   */
  static fromDistinct(quads: Quad[]): QuadDataset {
    const dataset = new QuadDataset();
    dataset.quads = quads;
    return dataset;
  }

  /** The number of quads. */
  get size(): number {
    return this.quads.length;
  }

  /** The quads in the order they were added. */
  [Symbol.iterator](): Iterator<Quad> {
    return this.quads[Symbol.iterator]();
  }

  /** Adds the quad unless an equal one is there already. */
  add(quad: Quad): this {
    const index = this.indexed();
    if (index === undefined) {
      if (this.quads.some((other) => sameQuad(other, quad))) return this;
      this.quads.push(quad);
      if (this.quads.length >= INDEX_FROM) this.index = buildIndex(this.quads);
      return this;
    }
    const key = valuesKey(quad);
    const sameValues = index.byValues.get(key);
    if (sameValues?.some((other) => sameQuad(other, quad)) === true) return this;
    if (sameValues === undefined) index.byValues.set(key, [quad]);
    else sameValues.push(quad);
    this.quads.push(quad);
    addTo(index.bySubject, quad.subject.value, quad);
    if (index.byPredicate !== undefined) addTo(index.byPredicate, quad.predicate.value, quad);
    if (index.byObject !== undefined) addTo(index.byObject, quad.object.value, quad);
    return this;
  }

  /** Removes the quad equal to this one, if there is one. */
  delete(quad: Quad): this {
    const index = this.indexed();
    const candidates = index === undefined ? this.quads : (index.byValues.get(valuesKey(quad)) ?? []);
    const found = candidates.find((other) => sameQuad(other, quad));
    if (found === undefined) return this;
    this.quads.splice(this.quads.indexOf(found), 1);
    // Rare (rdf-validate-shacl never deletes): the lookups are rebuilt rather than kept in step.
    this.index = undefined;
    return this;
  }

  /** True when an equal quad is in the dataset. */
  has(quad: Quad): boolean {
    const index = this.indexed();
    const candidates = index === undefined ? this.quads : (index.byValues.get(valuesKey(quad)) ?? []);
    return candidates.some((other) => sameQuad(other, quad));
  }

  /** The quads that have the given terms (`null` or `undefined` for any), as a new dataset. */
  match(subject?: Term | null, predicate?: Term | null, object?: Term | null, graph?: Term | null): QuadDataset {
    const [s, p, o, g] = [subject ?? undefined, predicate ?? undefined, object ?? undefined, graph ?? undefined];
    const found: Quad[] = [];
    for (const quad of this.candidates(s, p, o)) {
      if (
        (s === undefined || sameTerm(quad.subject, s)) &&
        (p === undefined || sameTerm(quad.predicate, p)) &&
        (o === undefined || sameTerm(quad.object, o)) &&
        (g === undefined || sameTerm(quad.graph, g))
      ) {
        found.push(quad);
      }
    }
    return QuadDataset.fromDistinct(found);
  }

  // The fewest quads that can match: those of the subject, else of the object,
  // else of the predicate, else all of them.
  private candidates(subject: Term | undefined, predicate: Term | undefined, object: Term | undefined): readonly Quad[] {
    const index = this.indexed();
    if (index === undefined) return this.quads;
    if (subject !== undefined) return index.bySubject.get(subject.value) ?? [];
    if (object !== undefined) {
      index.byObject ??= indexBy(this.quads, (quad) => quad.object.value);
      return index.byObject.get(object.value) ?? [];
    }
    if (predicate !== undefined) {
      index.byPredicate ??= indexBy(this.quads, (quad) => quad.predicate.value);
      return index.byPredicate.get(predicate.value) ?? [];
    }
    return this.quads;
  }

  private indexed(): QuadIndex | undefined {
    if (this.index === undefined && this.quads.length >= INDEX_FROM) this.index = buildIndex(this.quads);
    return this.index;
  }
}

function buildIndex(quads: readonly Quad[]): QuadIndex {
  return {
    byValues: indexBy(quads, valuesKey),
    bySubject: indexBy(quads, (quad) => quad.subject.value),
    byPredicate: undefined,
    byObject: undefined,
  };
}

function indexBy(quads: readonly Quad[], key: (quad: Quad) => string): Map<string, Quad[]> {
  const index = new Map<string, Quad[]>();
  for (const quad of quads) addTo(index, key(quad), quad);
  return index;
}

function addTo(index: Map<string, Quad[]>, key: string, quad: Quad): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [quad]);
  else list.push(quad);
}

// The values of a quad's terms: equal quads have the same one (different quads may too).
function valuesKey(quad: Quad): string {
  return `${quad.subject.value}\u0000${quad.predicate.value}\u0000${quad.object.value}\u0000${quad.graph.value}`;
}

function sameQuad(left: Quad, right: Quad): boolean {
  return (
    sameTerm(left.subject, right.subject) &&
    sameTerm(left.predicate, right.predicate) &&
    sameTerm(left.object, right.object) &&
    sameTerm(left.graph, right.graph)
  );
}
