import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Quad, Term } from '@rdfjs/types';
import { DataFactory, Parser, Store } from 'n3';

const namedNode = (iri: string) => DataFactory.namedNode(iri);

const MF = 'http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#';
const SHT = 'http://www.w3.org/ns/shacl-test#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';

const RDF_TYPE = namedNode(`${RDF}type`);
const RDF_FIRST = namedNode(`${RDF}first`);
const RDF_REST = namedNode(`${RDF}rest`);
const RDF_NIL = namedNode(`${RDF}nil`);
const RDFS_LABEL = namedNode(`${RDFS}label`);
const MF_MANIFEST = namedNode(`${MF}Manifest`);
const MF_INCLUDE = namedNode(`${MF}include`);
const MF_ENTRIES = namedNode(`${MF}entries`);
const MF_ACTION = namedNode(`${MF}action`);
const MF_RESULT = namedNode(`${MF}result`);
const SHT_VALIDATE = namedNode(`${SHT}Validate`);
const SHT_DATA_GRAPH = namedNode(`${SHT}dataGraph`);
const SHT_SHAPES_GRAPH = namedNode(`${SHT}shapesGraph`);

/** One `sht:Validate` entry of a W3C data-shapes manifest. */
export interface ShaclTestCase {
  /** The entry's IRI relative to the suite root, e.g. `core/path/path-strange-001`. */
  readonly id: string;
  readonly label: string;
  readonly data: readonly Quad[];
  readonly shapes: readonly Quad[];
  /** The graph holding the expected report (the entry's own manifest file). */
  readonly expectedGraph: Store;
  /** The `mf:result` node, an `sh:ValidationReport`, in {@link expectedGraph}. */
  readonly expectedReport: Term;
}

/**
 * Loads every `sht:Validate` entry reachable from `manifest` through
 * `mf:include`. Each file is parsed once, with its own URL as base IRI, and the
 * same quads serve as manifest, data graph and shapes graph: a blank node the
 * expected report names (`sh:focusNode _:b1`) is then the very blank node of the
 * data graph, so reports can be compared term for term.
 */
export function loadShaclSuite(manifest: URL, root: URL): ShaclTestCase[] {
  const parsed = new Map<string, Store>();
  const graphAt = (url: string): Store => {
    let store = parsed.get(url);
    if (store === undefined) {
      const turtle = readFileSync(fileURLToPath(url), 'utf8');
      store = new Store(new Parser({ baseIRI: url }).parse(turtle));
      parsed.set(url, store);
    }
    return store;
  };
  const cases: ShaclTestCase[] = [];
  const visit = (url: string): void => {
    const graph = graphAt(url);
    const manifests = graph.getSubjects(RDF_TYPE, MF_MANIFEST, null);
    if (manifests.length !== 1) throw new Error(`${url}: expected one mf:Manifest, found ${manifests.length}`);
    const node = manifests[0] as Term;
    for (const list of graph.getObjects(node, MF_ENTRIES, null)) {
      for (const entry of listItems(graph, list)) cases.push(testCase(graph, entry, root, graphAt));
    }
    for (const include of graph.getObjects(node, MF_INCLUDE, null)) visit(include.value);
  };
  visit(manifest.href);
  return cases;
}

function testCase(graph: Store, entry: Term, root: URL, graphAt: (url: string) => Store): ShaclTestCase {
  if (!graph.has(DataFactory.quad(entry as Quad['subject'], RDF_TYPE, SHT_VALIDATE))) {
    throw new Error(`${entry.value}: only sht:Validate entries are supported`);
  }
  const action = only(graph, entry, MF_ACTION);
  const quadsOf = (predicate: Term): Quad[] => graphAt(only(graph, action, predicate).value).getQuads(null, null, null, null);
  if (!entry.value.startsWith(root.href)) throw new Error(`${entry.value} is outside ${root.href}`);
  return {
    id: entry.value.slice(root.href.length),
    label: only(graph, entry, RDFS_LABEL).value,
    data: quadsOf(SHT_DATA_GRAPH),
    shapes: quadsOf(SHT_SHAPES_GRAPH),
    expectedGraph: graph,
    expectedReport: only(graph, entry, MF_RESULT),
  };
}

function only(graph: Store, subject: Term, predicate: Term): Term {
  const objects = graph.getObjects(subject, predicate, null);
  if (objects.length !== 1) {
    throw new Error(`${subject.value}: expected one <${predicate.value}>, found ${objects.length}`);
  }
  return objects[0] as Term;
}

function listItems(graph: Store, head: Term): Term[] {
  const items: Term[] = [];
  for (let node = head; !node.equals(RDF_NIL); node = only(graph, node, RDF_REST)) {
    items.push(only(graph, node, RDF_FIRST));
  }
  return items;
}
