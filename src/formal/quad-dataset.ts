import type { DatasetCore, Quad, Term } from '@rdfjs/types';
import { sameTerm } from './term-key.js';

/** Below this many quads, scanning them all is cheaper than building and keeping lookups. */
const INDEX_FROM = 16;

/**
 * The lookups of a dataset large enough to keep them, each from a term's `value`
 * (or the values of a quad's terms together) to the quads with that value
 * there: a named node's IRI is its own key, with nothing to build per lookup.
 * Terms of different kinds may share a value (the IRI `1` and the literal
 * `"1"`), so a lookup gives candidates, which are then compared term by term.
 * Each lookup is built the first time something needs it, and kept up to date
 * from then on: the action's graph, validated once, builds only those its
 * matches use.
 */
interface Lookups {
  /** By the values of all four terms: set semantics for `add`, and `has` and `delete`. */
  byValues?: Map<string, Quad[]>;
  bySubject?: Map<string, Quad[]>;
  byPredicate?: Map<string, Quad[]>;
  byObject?: Map<string, Quad[]>;
}

/**
 * The RDF/JS dataset the formal tier validates with: the action's graph, and
 * the graphs rdf-validate-shacl builds (the shapes graph, each result, the
 * report). rdf-validate-shacl calls `match` for nearly every step, and its
 * default dataset copies every match into a new triply-indexed dataset, while an
 * n3 Store wraps each one in a stream; here a match is a plain list of the quads
 * found. A small dataset (a result, a match) is scanned; from
 * {@link INDEX_FROM} quads on, it keeps {@link Lookups}. Insertion order is
 * kept, so iteration is deterministic.
 */
export class QuadDataset implements DatasetCore {
  private quads: Quad[];
  private lookups: Lookups = {};

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
    if (this.sameAs(quad) !== undefined) return this;
    this.quads.push(quad);
    const { byValues, bySubject, byPredicate, byObject } = this.lookups;
    if (byValues !== undefined) addTo(byValues, valuesKey(quad), quad);
    if (bySubject !== undefined) addTo(bySubject, quad.subject.value, quad);
    if (byPredicate !== undefined) addTo(byPredicate, quad.predicate.value, quad);
    if (byObject !== undefined) addTo(byObject, quad.object.value, quad);
    return this;
  }

  /** Removes the quad equal to this one, if there is one. */
  delete(quad: Quad): this {
    const found = this.sameAs(quad);
    if (found === undefined) return this;
    this.quads.splice(this.quads.indexOf(found), 1);
    // Rare (rdf-validate-shacl never deletes): the lookups are rebuilt rather than kept in step.
    this.lookups = {};
    return this;
  }

  /** True when an equal quad is in the dataset. */
  has(quad: Quad): boolean {
    return this.sameAs(quad) !== undefined;
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

  /** The quad of the dataset equal to `quad`, if there is one. */
  private sameAs(quad: Quad): Quad | undefined {
    const candidates = this.quads.length < INDEX_FROM ? this.quads : this.lookup('byValues', valuesKey, valuesKey(quad));
    return candidates.find((other) => sameQuad(other, quad));
  }

  // The fewest quads that can match: those of the subject, else of the object,
  // else of the predicate, else all of them.
  private candidates(subject: Term | undefined, predicate: Term | undefined, object: Term | undefined): readonly Quad[] {
    if (this.quads.length < INDEX_FROM) return this.quads;
    if (subject !== undefined) return this.lookup('bySubject', (quad) => quad.subject.value, subject.value);
    if (object !== undefined) return this.lookup('byObject', (quad) => quad.object.value, object.value);
    if (predicate !== undefined) return this.lookup('byPredicate', (quad) => quad.predicate.value, predicate.value);
    return this.quads;
  }

  /** The quads under `key` in one of the lookups, built from every quad by `keyOf` if it is not yet. */
  private lookup(name: keyof Lookups, keyOf: (quad: Quad) => string, key: string): readonly Quad[] {
    let lookup = this.lookups[name];
    if (lookup === undefined) {
      lookup = new Map();
      for (const quad of this.quads) addTo(lookup, keyOf(quad), quad);
      this.lookups[name] = lookup;
    }
    return lookup.get(key) ?? [];
  }
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
