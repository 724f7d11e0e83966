// Longer than most: one mapping from SHACL results back to JSON paths and
// violations, whose cases (helper shapes, nested nodes, property pairs) are
// only right read against each other.
import type { DatasetCore, Term } from '@rdfjs/types';
import { TierguardError } from '../errors.js';
import { formatPath } from '../format-path.js';
import { renderValue } from '../render-value.js';
import type { Effect, PathSegment, Severity, Violation } from '../types.js';
import type { ActionGraph } from './action-to-rdf.js';
import { HELPER_SHAPE_PREFIX } from './generate-shapes.js';
import { jsonLiteral } from './json-literal.js';
import { locateValue } from './locate-value.js';
import { termKey } from './term-key.js';
import { RDF, SH, keyOfPredicate, parseShapeNode } from './vocabulary.js';

/** What the mapper needs to know of a formal policy. */
export interface FormalPolicyInfo {
  readonly id: string;
  readonly index: number;
  readonly effect: Effect;
  /** The JSON definition, to read what a shape expected; absent for hand-written Turtle. */
  readonly definition?: object;
}

const RDF_FIRST = `${RDF}first`;
const RDF_REST = `${RDF}rest`;
const LOGICAL = new Set(['and', 'or', 'xone', 'not']);
const PAIR_KEYWORDS = new Set(['equals', 'disjoint', 'lessThan', 'lessThanOrEquals']);

/** A validation report as rdf-validate-shacl returns it: its graph, and the nodes of its top-level results. */
export interface ReportGraph {
  readonly dataset: DatasetCore;
  readonly results: readonly { readonly term: Term }[];
}

/**
 * One SHACL result, read from the report graph in a single pass over its quads.
 * (rdf-validate-shacl's ValidationResult getters each walk the graph again;
 * on a denied action that was most of the mapping's cost.)
 */
interface ResultRecord {
  readonly component: string;
  readonly shape: Term | undefined;
  readonly focus: Term | undefined;
  readonly path: Term | undefined;
  readonly value: Term | undefined;
  readonly severity: string;
  readonly message: string | undefined;
  readonly details: readonly Term[];
}

function readResult(dataset: DatasetCore, term: Term): ResultRecord {
  let component = '';
  let shape: Term | undefined;
  let focus: Term | undefined;
  let path: Term | undefined;
  let value: Term | undefined;
  let severity = `${SH}Violation`;
  let message: string | undefined;
  const details: Term[] = [];
  for (const quad of dataset.match(term, null, null)) {
    if (!quad.predicate.value.startsWith(SH)) continue;
    switch (quad.predicate.value.slice(SH.length)) {
      case 'sourceConstraintComponent':
        component = quad.object.value;
        break;
      case 'sourceShape':
        shape = quad.object;
        break;
      case 'focusNode':
        focus = quad.object;
        break;
      case 'resultPath':
        path = quad.object;
        break;
      case 'value':
        value = quad.object;
        break;
      case 'resultSeverity':
        severity = quad.object.value;
        break;
      case 'resultMessage':
        message ??= quad.object.value;
        break;
      case 'detail':
        details.push(quad.object);
        break;
      default:
        break;
    }
  }
  return { component, shape, focus, path, value, severity, message, details };
}

/**
 * What a result's shape says about it, the same for every result of the shape:
 * worked out once per shape and kept (shapes come from the policies, so there
 * are as many entries as shapes, whatever the actions).
 */
interface ShapeFacts {
  readonly policy: FormalPolicyInfo;
  /** False for a shape that is not a generated one (hand-written Turtle): no definition to quote. */
  readonly generated: boolean;
  /** The JSON pointer of the definition the shape stands for, a helper shape's own step removed. */
  readonly pointer: string;
  /** For a helper shape (the decimal alternative, a property's logical constraint), the component it reports as. */
  readonly reportedAs: string | undefined;
  /** The definition at `pointer`, when there is one. */
  readonly definition: Record<string, unknown> | undefined;
  /** Where each keyword stands among the definition's keys, as asked for. */
  readonly keyPositions: Map<string, number>;
  /** The policy's position, padded so that order keys compare as text. */
  readonly policyOrder: string;
}

/**
 * Turns the results of SHACL reports into violations for the policies that
 * `policyOf` finds for a result's shape (see {@link ResultMapper.map}). One
 * mapper serves one validator, for every action it validates.
 */
export class ResultMapper {
  private readonly shapes = new Map<string, ShapeFacts>();

  constructor(private readonly policyOf: (shape: Term) => FormalPolicyInfo | undefined) {}

  /**
   * Turns SHACL results into violations that point into the JSON action. A failed
   * `sh:node` is replaced by the results inside it, so a bad `sku` on the second
   * order line is reported at `arguments.lines[1].sku`, not as "line 1 has the
   * wrong shape". Results of logical constraints stay whole: their details are
   * the alternatives that failed, not separate requirements.
   *
   * The results inside a failed `sh:node` take the severity of the outermost
   * `sh:node` result they replace: in SHACL a value conforms to a node shape only
   * when validating it gives no result of any severity, so a `Warning` inside a
   * node makes the enclosing shape's result (a `Violation` unless it says
   * otherwise). Keeping the inner `Warning` would allow what SHACL refuses.
   */
  map(report: ReportGraph, action: object, graph: ActionGraph): Violation[] {
    if (report.results.length === 0) return [];
    const violations: { violation: Violation; order: string }[] = [];
    // `inherited` knows the JSON path of values that nested shapes were checked
    // on: a string in an array has no node path of its own in the graph.
    const visit = (term: Term, inherited: ReadonlyMap<string, readonly PathSegment[]>, nodeSeverity?: string): void => {
      const read = readResult(report.dataset, term);
      const result = nodeSeverity === undefined ? read : { ...read, severity: nodeSeverity };
      const component = localName(result.component, SH).replace(/ConstraintComponent$/, '');
      const focusPath = focusPathOf(result, graph, inherited);
      if (component === 'Node' && result.details.length > 0) {
        const value = result.value;
        const located = locateValue(action, focusPath, pathKeys(report.dataset, result.path), value, graph.pathOfNode);
        const childPaths = value === undefined ? inherited : new Map(inherited).set(termKey(value), located.path);
        for (const detail of result.details) visit(detail, childPaths, result.severity);
        return;
      }
      const facts = result.shape && this.factsOf(result.shape);
      // A result no policy owns must not vanish: dropping it could turn a failed
      // validation into an allow.
      if (facts === undefined) {
        throw new TierguardError('EVALUATION_FAILED', `a SHACL result names a shape no policy owns: ${result.shape?.value ?? '(none)'}`);
      }
      violations.push(toViolation(report.dataset, result, component, focusPath, facts, action, graph));
    };
    for (const { term } of report.results) visit(term, new Map());
    return violations
      .sort((left, right) => (left.order < right.order ? -1 : left.order > right.order ? 1 : 0))
      .map(({ violation }) => violation);
  }

  private factsOf(shape: Term): ShapeFacts | undefined {
    const key = termKey(shape);
    const known = this.shapes.get(key);
    if (known !== undefined) return known;
    const policy = this.policyOf(shape);
    if (policy === undefined) return undefined;
    const parsed = parseShapeNode(shape.value);
    let pointer = parsed?.pointer ?? '';
    let reportedAs: string | undefined;
    const lastSegment = pointer.slice(pointer.lastIndexOf('/') + 1);
    if (lastSegment.startsWith(HELPER_SHAPE_PREFIX)) {
      // A shape tierguard added for one key (the decimal alternative, a property's
      // logical constraint) reports as that key of the definition it serves.
      pointer = pointer.slice(0, pointer.lastIndexOf('/'));
      const key = lastSegment.slice(HELPER_SHAPE_PREFIX.length);
      reportedAs = key.charAt(0).toUpperCase() + key.slice(1);
    }
    const facts: ShapeFacts = {
      policy,
      generated: parsed !== undefined,
      pointer,
      reportedAs,
      definition:
        policy.definition === undefined ? undefined : (resolvePointer(policy.definition, pointer) as Record<string, unknown> | undefined),
      keyPositions: new Map(),
      policyOrder: String(policy.index).padStart(8, '0'),
    };
    this.shapes.set(key, facts);
    return facts;
  }
}

function focusPathOf(
  result: ResultRecord,
  graph: ActionGraph,
  inherited: ReadonlyMap<string, readonly PathSegment[]>,
): readonly PathSegment[] {
  if (result.focus === undefined) return [];
  return inherited.get(termKey(result.focus)) ?? graph.pathOfNode.get(result.focus.value) ?? [];
}

function toViolation(
  dataset: DatasetCore,
  result: ResultRecord,
  component: string,
  focusPath: readonly PathSegment[],
  facts: ShapeFacts,
  action: object,
  graph: ActionGraph,
): { violation: Violation; order: string } {
  const { policy, definition, pointer } = facts;
  const reported = facts.reportedAs ?? component;
  const keyword = reported.charAt(0).toLowerCase() + reported.slice(1);
  const keys = pathKeys(dataset, result.path);
  let located = locateValue(action, focusPath, keys, result.value, graph.pathOfNode);
  const sibling = definition?.[keyword];
  if (located.unmatched && PAIR_KEYWORDS.has(keyword) && typeof sibling === 'string') {
    // sh:equals and sh:disjoint also report values found under the sibling key.
    located = locateValue(action, focusPath, [sibling], result.value, graph.pathOfNode);
  }
  // Hand-written shapes have no JSON definition to quote: their own sh:message
  // (or the validator's) is the message, and nothing is claimed as expected.
  const handWritten = policy.definition === undefined || !facts.generated;
  const expected = handWritten ? undefined : expectedOf(keyword, definition, result);
  const actual =
    keyword === 'minCount' || keyword === 'maxCount'
      ? countAt(action, focusPath, keys)
      : keyword === 'hasValue'
        ? valuesAt(action, focusPath, keys)
        : located.value;
  const severityName = localName(result.severity, SH);
  const severity: Severity = severityName === 'Warning' ? 'warning' : severityName === 'Info' ? 'info' : 'violation';
  const effect: Effect = severity === 'violation' ? policy.effect : 'warn';
  const custom = typeof definition?.message === 'string' ? definition.message : undefined;
  const where = formatPath(located.path);
  const message = handWritten
    ? `${where}: ${result.message ?? keyword} (got ${renderValue(actual)})`
    : (custom ?? defaultMessage(keyword, where, expected, actual, result));
  const violation: Violation = {
    policyId: policy.id,
    tier: 'formal',
    constraint: `sh:${reported}ConstraintComponent`,
    path: located.path,
    message,
    ...(expected === undefined ? {} : { expected }),
    ...(actual === undefined ? {} : { actual }),
    effect,
    severity,
  };
  // Within a shape, results follow the order of the keys in its definition.
  const order = [facts.policyOrder, pointer, where, String(keyPosition(facts, keyword) + 1).padStart(4, '0'), keyword].join('\u0000');
  return { violation, order };
}

function keyPosition(facts: ShapeFacts, keyword: string): number {
  let position = facts.keyPositions.get(keyword);
  if (position === undefined) {
    position = facts.definition === undefined ? -1 : Object.keys(facts.definition).indexOf(keyword);
    facts.keyPositions.set(keyword, position);
  }
  return position;
}

function expectedOf(keyword: string, definition: Record<string, unknown> | undefined, result: ResultRecord): unknown {
  if (keyword === 'closed') return 'only declared keys';
  if (keyword === 'pattern' && typeof definition?.pattern === 'string') {
    return typeof definition.flags === 'string' && definition.flags !== ''
      ? `/${definition.pattern}/${definition.flags}`
      : definition.pattern;
  }
  if (definition !== undefined && keyword in definition) return definition[keyword];
  return result.message;
}

const REQUIREMENTS: Readonly<Record<string, string>> = {
  datatype: 'must be of type',
  pattern: 'must match regex',
  minLength: 'must have at least this many characters:',
  maxLength: 'must have at most this many characters:',
  minInclusive: 'must be at least',
  maxInclusive: 'must be at most',
  minExclusive: 'must be greater than',
  maxExclusive: 'must be less than',
  in: 'must be one of',
  hasValue: 'must be',
  equals: 'must equal the values of',
  disjoint: 'must not share a value with',
  lessThan: 'must be less than',
  lessThanOrEquals: 'must be at most',
};

function defaultMessage(keyword: string, where: string, expected: unknown, actual: unknown, result: ResultRecord): string {
  const got = `(got ${renderValue(actual)})`;
  if (keyword === 'minCount') return `${where} needs at least ${renderValue(expected)} value(s) ${got}`;
  if (keyword === 'maxCount') return `${where} allows at most ${renderValue(expected)} value(s) ${got}`;
  if (keyword === 'closed') return `${where} is not allowed: the shape is closed`;
  if (LOGICAL.has(keyword)) return `${where} does not satisfy the "${keyword}" of its shape ${got}`;
  const requirement = REQUIREMENTS[keyword];
  if (requirement === undefined) return `${where}: ${result.message ?? keyword}`;
  const shown = ['equals', 'disjoint', 'lessThan', 'lessThanOrEquals'].includes(keyword) ? String(expected) : renderValue(expected);
  return `${where} ${requirement} ${shown} ${got}`;
}

// A sequence path is an RDF list in the report; a simple path is one predicate.
function pathKeys(dataset: DatasetCore, path: Term | undefined): string[] {
  if (path === undefined) return [];
  if (path.termType === 'NamedNode') return [keyOfPredicate(path) ?? path.value];
  const keys: string[] = [];
  let cell: Term | undefined = path;
  for (let guard = 0; cell !== undefined && cell.termType === 'BlankNode' && guard < 1_000; guard += 1) {
    let next: Term | undefined;
    for (const quad of dataset.match(cell, null, null)) {
      if (quad.predicate.value === RDF_FIRST) keys.push(keyOfPredicate(quad.object) ?? quad.object.value);
      if (quad.predicate.value === RDF_REST) next = quad.object;
    }
    cell = next;
  }
  return keys;
}

// The values at `keys` under the focus as the graph holds them: arrays expanded,
// and only what has an RDF form (objects, and every scalar but null).
function graphValuesAt(action: object, focusPath: readonly PathSegment[], keys: readonly string[]): unknown[] {
  let values: unknown[] = [resolveSegments(action, focusPath)];
  for (const key of keys) {
    values = values
      .map((value) =>
        typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key)
          ? (value as Record<string, unknown>)[key]
          : undefined,
      )
      .flatMap((value) => (Array.isArray(value) ? (value.flat(Infinity) as unknown[]) : [value]))
      .filter((value) => (typeof value === 'object' && value !== null) || jsonLiteral(value) !== undefined);
  }
  return values;
}

function countAt(action: object, focusPath: readonly PathSegment[], keys: readonly string[]): number {
  return graphValuesAt(action, focusPath, keys).length;
}

// hasValue fails for the values as a whole, so they are the actual: one value as
// itself, several as a list, none as missing.
function valuesAt(action: object, focusPath: readonly PathSegment[], keys: readonly string[]): unknown {
  const values = graphValuesAt(action, focusPath, keys);
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

function resolveSegments(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function resolvePointer(root: object, pointer: string): unknown {
  let current: unknown = root;
  for (const segment of pointer.split('/').slice(1)) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function localName(iri: string, namespace: string): string {
  return iri.startsWith(namespace) ? iri.slice(namespace.length) : iri;
}
