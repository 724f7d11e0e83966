import type { DatasetCore, Term } from '@rdfjs/types';
import { DataFactory } from 'n3';

const namedNode = (iri: string) => DataFactory.namedNode(iri);

const SH = 'http://www.w3.org/ns/shacl#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

const SH_CONFORMS = namedNode(`${SH}conforms`);
const SH_RESULT = namedNode(`${SH}result`);
const RDF_FIRST = namedNode(`${RDF}first`);
const RDF_REST = namedNode(`${RDF}rest`);
const RDF_NIL = namedNode(`${RDF}nil`);

/** The result properties compared, in the order they appear in a signature. */
const RESULT_FIELDS = [
  ['focusNode', namedNode(`${SH}focusNode`)],
  ['resultPath', namedNode(`${SH}resultPath`)],
  ['value', namedNode(`${SH}value`)],
  ['sourceConstraintComponent', namedNode(`${SH}sourceConstraintComponent`)],
  ['sourceShape', namedNode(`${SH}sourceShape`)],
  ['resultSeverity', namedNode(`${SH}resultSeverity`)],
] as const;

/** Path constructors, each with how its object is written in a path signature. */
const PATH_FORMS = [
  [namedNode(`${SH}inversePath`), (p: string) => `^${p}`],
  [namedNode(`${SH}alternativePath`), (p: string) => `alt${p}`],
  [namedNode(`${SH}zeroOrMorePath`), (p: string) => `${p}*`],
  [namedNode(`${SH}oneOrMorePath`), (p: string) => `${p}+`],
  [namedNode(`${SH}zeroOrOnePath`), (p: string) => `${p}?`],
] as const;

/** What two reports are compared on: `sh:conforms` and a multiset of result signatures. */
export interface ReportSummary {
  readonly conforms: boolean | undefined;
  /** One line per `sh:result`, sorted; duplicates kept (two equal results are two results). */
  readonly results: readonly string[];
}

/** Reads the comparable part of the report rooted at `report` in `graph`. */
export function summarizeReport(graph: DatasetCore, report: Term): ReportSummary {
  const conforms = objectsOf(graph, report, SH_CONFORMS).map((term) => term.value);
  if (conforms.length > 1) throw new Error(`report has ${conforms.length} sh:conforms values`);
  const results = objectsOf(graph, report, SH_RESULT).map((result) =>
    RESULT_FIELDS.map(([name, predicate]) => {
      const values = objectsOf(graph, result, predicate);
      const shown = values.map((value) => (name === 'resultPath' ? pathKey(graph, value, 0) : termKey(value)));
      return `${name}=${shown.sort().join('|') || '-'}`;
    }).join(' '),
  );
  return {
    conforms: conforms[0] === undefined ? undefined : conforms[0] === 'true',
    results: results.sort(),
  };
}

/** Every way `actual` differs from `expected`; empty when they agree. */
export function reportDifferences(expected: ReportSummary, actual: ReportSummary): string[] {
  const differences: string[] = [];
  if (expected.conforms !== actual.conforms) {
    differences.push(`sh:conforms: expected ${String(expected.conforms)}, got ${String(actual.conforms)}`);
  }
  const unmatched = [...actual.results];
  for (const result of expected.results) {
    const at = unmatched.indexOf(result);
    if (at === -1) differences.push(`missing    ${result}`);
    else unmatched.splice(at, 1);
  }
  for (const result of unmatched) differences.push(`unexpected ${result}`);
  return differences;
}

function objectsOf(graph: DatasetCore, subject: Term, predicate: Term): Term[] {
  return [...graph.match(subject, predicate, null)].map((quad) => quad.object);
}

/** An N-Triples-like key; blank nodes by label, which one parse per file keeps stable. */
function termKey(term: Term): string {
  switch (term.termType) {
    case 'NamedNode':
      return `<${term.value}>`;
    case 'BlankNode':
      return `_:${term.value}`;
    case 'Literal':
      return `${JSON.stringify(term.value)}${term.language === '' ? `^^<${term.datatype.value}>` : `@${term.language}`}`;
    default:
      return `${term.termType}(${term.value})`;
  }
}

/**
 * A path written out by structure, so the blank nodes a path is built from never
 * matter. Every path property a node has is written, joined by `&`: a malformed
 * path node (a list that is also an inverse path) reads as such, as it would in
 * an isomorphism check, instead of as whichever form is looked at first.
 */
function pathKey(graph: DatasetCore, node: Term, depth: number): string {
  if (depth > 32) throw new Error('sh:resultPath is nested deeper than 32 or cyclic');
  const forms: string[] = [];
  if (objectsOf(graph, node, RDF_FIRST).length > 0) {
    forms.push(`(${listKeys(graph, node, depth).join(' / ')})`);
  }
  for (const [predicate, write] of PATH_FORMS) {
    for (const inner of objectsOf(graph, node, predicate)) forms.push(write(pathKey(graph, inner, depth + 1)));
  }
  if (forms.length === 0) return termKey(node);
  if (node.termType !== 'BlankNode') forms.unshift(termKey(node));
  return forms.length === 1 ? (forms[0] as string) : `{${forms.join(' & ')}}`;
}

function listKeys(graph: DatasetCore, head: Term, depth: number): string[] {
  const keys: string[] = [];
  let node: Term | undefined = head;
  for (let length = 0; node !== undefined && !node.equals(RDF_NIL); length++) {
    if (length > 1000) throw new Error('rdf:List in sh:resultPath is cyclic');
    const firsts = objectsOf(graph, node, RDF_FIRST);
    keys.push(firsts.length === 1 ? pathKey(graph, firsts[0] as Term, depth + 1) : `<bad list node ${termKey(node)}>`);
    const rests = objectsOf(graph, node, RDF_REST);
    node = rests.length === 1 ? rests[0] : undefined;
    if (node === undefined) keys.push('<unterminated list>');
  }
  return keys;
}
