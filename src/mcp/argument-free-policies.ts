import type { Engine } from '../engine.js';
import { isJsonPath, parseDotPath, parseDotPathPattern } from '../path/parse-path.js';
import { policyParts } from '../policy/policy-parts.js';
import type { PolicyDefinition, PredicateDefinition, PropertyShapeDefinition, ShapeDefinition } from '../types.js';

// Engines are immutable, so each is analysed once (per set of top-level keys).
const analysed = new WeakMap<Engine, ReadonlySet<string>>();
const analysedTargetFree = new WeakMap<Engine, ReadonlySet<string>>();
const ARGUMENTS: ReadonlySet<string> = new Set(['arguments']);
const TARGET: ReadonlySet<string> = new Set(['arguments', 'tool']);

/**
 * The ids of the engine's policies whose verdict cannot depend on the call's
 * `arguments`: no path in `when`, `require`, `assert`, `rewrite` or `shape` can
 * reach `arguments`. Conservative: a JSONPath that may descend anywhere (`$..x`,
 * `$[*]`), a closed shape, a hand-written `shapesFile`, or a path that does not
 * parse counts as reading `arguments`.
 */
export function argumentFreePolicies(engine: Engine): ReadonlySet<string> {
  return policiesNotReading(engine, ARGUMENTS, analysed);
}

/**
 * The ids of the engine's policies that read neither `arguments` nor `tool`
 * (with the same conservative analysis as {@link argumentFreePolicies}): their
 * verdict on an action depends only on which tools they select and on `context`
 * and `kind`, so it is the same for every URI a resource template expands to
 * that their tool patterns match.
 */
export function targetFreePolicies(engine: Engine): ReadonlySet<string> {
  return policiesNotReading(engine, TARGET, analysedTargetFree);
}

function policiesNotReading(engine: Engine, heads: ReadonlySet<string>, cache: WeakMap<Engine, ReadonlySet<string>>): ReadonlySet<string> {
  let ids = cache.get(engine);
  if (ids === undefined) {
    ids = new Set(engine.definitions.filter((definition) => !readsAny(definition, heads)).map((definition) => definition.id));
    cache.set(engine, ids);
  }
  return ids;
}

function readsAny(definition: PolicyDefinition, heads: ReadonlySet<string>): boolean {
  // Hand-written SHACL is not analysed: it may read anything.
  if (policyParts(definition).formal.includes('shapesFile')) return true;
  const fields: string[] = [...(definition.require ?? [])];
  if (definition.when !== undefined) collectPredicate(definition.when, fields);
  if (definition.assert !== undefined) collectPredicate(definition.assert, fields);
  if (fields.some((field) => mayReach(field, heads))) return true;
  if ((definition.rewrite ?? []).some((rewrite) => patternMayReach(rewrite.field, heads))) return true;
  return definition.shape !== undefined && shapeReads(definition.shape, heads);
}

function collectPredicate(predicate: PredicateDefinition, fields: string[]): void {
  if ('all' in predicate) for (const part of predicate.all) collectPredicate(part, fields);
  else if ('any' in predicate) for (const part of predicate.any) collectPredicate(part, fields);
  else if ('not' in predicate) collectPredicate(predicate.not, fields);
  else {
    fields.push(predicate.field);
    if (predicate.valueRef !== undefined) fields.push(predicate.valueRef);
  }
}

// The action's top-level key a path starts at, or undefined when it may start anywhere.
const JSONPATH_HEAD = /^\$(?:\.([A-Za-z_$][\w$-]*)|\[(?:'([^'\\]*)'|"([^"\\]*)")\])/;

function mayReach(path: string, heads: ReadonlySet<string>): boolean {
  if (isJsonPath(path)) {
    const match = JSONPATH_HEAD.exec(path);
    const head = match?.[1] ?? match?.[2] ?? match?.[3];
    return head === undefined || heads.has(head);
  }
  try {
    const head = parseDotPath(path)[0];
    return typeof head === 'string' && heads.has(head);
  } catch {
    return true;
  }
}

function patternMayReach(path: string, heads: ReadonlySet<string>): boolean {
  try {
    const head = parseDotPathPattern(path)[0];
    return head === undefined || head.kind === 'any' || heads.has(head.key);
  } catch {
    return true;
  }
}

// The top node of a policy's shape is the action, so its property paths (and the
// sibling keys its property shapes compare with) start at the action's keys; what
// nests below a property stays under that property's path.
function shapeReads(shape: ShapeDefinition, heads: ReadonlySet<string>): boolean {
  if (shape.closed === true) return true;
  const operands = [...(shape.and ?? []), ...(shape.or ?? []), ...(shape.xone ?? []), ...(shape.not === undefined ? [] : [shape.not])];
  return (
    (shape.properties ?? []).some((property) => propertyReads(property, heads)) || operands.some((operand) => shapeReads(operand, heads))
  );
}

function propertyReads(property: PropertyShapeDefinition, heads: ReadonlySet<string>): boolean {
  const siblings = [property.equals, property.disjoint, property.lessThan, property.lessThanOrEquals].filter((key) => key !== undefined);
  return [property.path, ...siblings].some((path) => mayReach(path, heads));
}
