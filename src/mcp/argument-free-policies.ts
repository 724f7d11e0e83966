import type { Engine } from '../engine.js';
import { isJsonPath, parseDotPath, parseDotPathPattern } from '../path/parse-path.js';
import type { PolicyDefinition, PredicateDefinition, PropertyShapeDefinition, ShapeDefinition } from '../types.js';

// Engines are immutable, so each is analysed once.
const analysed = new WeakMap<Engine, ReadonlySet<string>>();

/**
 * The ids of the engine's policies whose verdict cannot depend on the call's
 * `arguments`: no path in `when`, `require`, `assert`, `rewrite` or `shape` can
 * reach `arguments`. Conservative: a JSONPath that may descend anywhere (`$..x`,
 * `$[*]`), a closed shape, a hand-written `shapesFile`, or a path that does not
 * parse counts as reading `arguments`.
 */
export function argumentFreePolicies(engine: Engine): ReadonlySet<string> {
  let ids = analysed.get(engine);
  if (ids === undefined) {
    ids = new Set(engine.definitions.filter((definition) => !readsArguments(definition)).map((definition) => definition.id));
    analysed.set(engine, ids);
  }
  return ids;
}

function readsArguments(definition: PolicyDefinition): boolean {
  if (definition.shapesFile !== undefined) return true;
  const fields: string[] = [...(definition.require ?? [])];
  if (definition.when !== undefined) collectPredicate(definition.when, fields);
  if (definition.assert !== undefined) collectPredicate(definition.assert, fields);
  if (fields.some((field) => mayReachArguments(field))) return true;
  if ((definition.rewrite ?? []).some((rewrite) => patternMayReachArguments(rewrite.field))) return true;
  return definition.shape !== undefined && shapeReadsArguments(definition.shape);
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

function mayReachArguments(path: string): boolean {
  if (isJsonPath(path)) {
    const match = JSONPATH_HEAD.exec(path);
    const head = match?.[1] ?? match?.[2] ?? match?.[3];
    return head === undefined || head === 'arguments';
  }
  try {
    return parseDotPath(path)[0] === 'arguments';
  } catch {
    return true;
  }
}

function patternMayReachArguments(path: string): boolean {
  try {
    const head = parseDotPathPattern(path)[0];
    return head === undefined || head.kind === 'any' || head.key === 'arguments';
  } catch {
    return true;
  }
}

// The top node of a policy's shape is the action, so its property paths (and the
// sibling keys its property shapes compare with) start at the action's keys; what
// nests below a property stays under that property's path.
function shapeReadsArguments(shape: ShapeDefinition): boolean {
  if (shape.closed === true) return true;
  const operands = [...(shape.and ?? []), ...(shape.or ?? []), ...(shape.xone ?? []), ...(shape.not === undefined ? [] : [shape.not])];
  return (shape.properties ?? []).some(propertyReadsArguments) || operands.some(shapeReadsArguments);
}

function propertyReadsArguments(property: PropertyShapeDefinition): boolean {
  const siblings = [property.equals, property.disjoint, property.lessThan, property.lessThanOrEquals].filter((key) => key !== undefined);
  return [property.path, ...siblings].some((path) => mayReachArguments(path));
}
