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
export function mapResults(
  report: ReportGraph,
  action: object,
  graph: ActionGraph,
  policyOf: (shape: Term) => FormalPolicyInfo | undefined,
): Violation[] {
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
    const policy = result.shape && policyOf(result.shape);
    // A result no policy owns must not vanish: dropping it could turn a failed
    // validation into an allow.
    if (policy === undefined) {
      throw new TierguardError('EVALUATION_FAILED', `a SHACL result names a shape no policy owns: ${result.shape?.value ?? '(none)'}`);
    }
    violations.push(toViolation(report.dataset, result, component, focusPath, policy, action, graph));
  };
  for (const { term } of report.results) visit(term, new Map());
  return violations
    .sort((left, right) => (left.order < right.order ? -1 : left.order > right.order ? 1 : 0))
    .map(({ violation }) => violation);
}

function focusPathOf(
  result: ResultRecord,
  graph: ActionGraph,
  inherited: ReadonlyMap<string, readonly PathSegment[]>,
): readonly PathSegment[] {
  if (result.focus === undefined) return [];
  return inherited.get(termKey(result.focus)) ?? graph.pathOfNode.get(result.focus.value) ?? [];
}

function termKey(term: Term): string {
  return term.termType === 'Literal' ? `L:${term.datatype.value}:${term.value}` : `${term.termType}:${term.value}`;
}

function toViolation(
  dataset: DatasetCore,
  result: ResultRecord,
  component: string,
  focusPath: readonly PathSegment[],
  policy: FormalPolicyInfo,
  action: object,
  graph: ActionGraph,
): { violation: Violation; order: string } {
  const shape = result.shape && parseShapeNode(result.shape.value);
  let pointer = shape?.pointer ?? '';
  let reported = component;
  const lastSegment = pointer.slice(pointer.lastIndexOf('/') + 1);
  if (lastSegment.startsWith(HELPER_SHAPE_PREFIX)) {
    // A shape tierguard added for one key (the decimal alternative, a property's
    // logical constraint) reports as that key of the definition it serves.
    pointer = pointer.slice(0, pointer.lastIndexOf('/'));
    const key = lastSegment.slice(HELPER_SHAPE_PREFIX.length);
    reported = key.charAt(0).toUpperCase() + key.slice(1);
  }
  const keyword = reported.charAt(0).toLowerCase() + reported.slice(1);
  const definition =
    policy.definition === undefined ? undefined : (resolvePointer(policy.definition, pointer) as Record<string, unknown> | undefined);
  const keys = pathKeys(dataset, result.path);
  let located = locateValue(action, focusPath, keys, result.value, graph.pathOfNode);
  const sibling = definition?.[keyword];
  if (located.unmatched && PAIR_KEYWORDS.has(keyword) && typeof sibling === 'string') {
    // sh:equals and sh:disjoint also report values found under the sibling key.
    located = locateValue(action, focusPath, [sibling], result.value, graph.pathOfNode);
  }
  // Hand-written shapes have no JSON definition to quote: their own sh:message
  // (or the validator's) is the message, and nothing is claimed as expected.
  const handWritten = policy.definition === undefined || shape === undefined;
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
  const message = handWritten
    ? `${formatPath(located.path)}: ${result.message ?? keyword} (got ${renderValue(actual)})`
    : (custom ?? defaultMessage(keyword, located.path, expected, actual, result));
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
  const keyPosition = definition === undefined ? -1 : Object.keys(definition).indexOf(keyword);
  const order = [
    String(policy.index).padStart(8, '0'),
    pointer,
    formatPath(located.path),
    String(keyPosition + 1).padStart(4, '0'),
    keyword,
  ].join('\u0000');
  return { violation, order };
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

function defaultMessage(keyword: string, path: readonly PathSegment[], expected: unknown, actual: unknown, result: ResultRecord): string {
  const where = formatPath(path);
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
