import type { ComparisonDefinition, PolicyDefinition, PredicateDefinition, PropertyShapeDefinition, ShapeDefinition } from '../types.js';

/** Every comparison in a predicate, depth-first in the order written. */
export function* comparisonsOf(predicate: PredicateDefinition): Generator<ComparisonDefinition> {
  if ('all' in predicate) for (const part of predicate.all) yield* comparisonsOf(part);
  else if ('any' in predicate) for (const part of predicate.any) yield* comparisonsOf(part);
  else if ('not' in predicate) yield* comparisonsOf(predicate.not);
  else yield predicate;
}

/**
 * The paths into the action a policy reads, in the order it reads them: `when`,
 * `require`, `assert` (fields and `valueRef`s), rewrite fields, then shape
 * paths. A nested shape's paths are joined to the path of the property that
 * holds it (`arguments.lines.sku`): shapes treat arrays as repeated values, so
 * the join names every element. A `shapesFile` is opaque here: its paths are in
 * Turtle, not in the definition.
 */
export function fieldsRead(definition: PolicyDefinition): string[] {
  const fields: string[] = [];
  if (definition.when !== undefined) fields.push(...predicateFields(definition.when));
  fields.push(...(definition.require ?? []));
  if (definition.assert !== undefined) fields.push(...predicateFields(definition.assert));
  for (const rewrite of definition.rewrite ?? []) fields.push(rewrite.field);
  if (definition.shape !== undefined) shapeFields(definition.shape, '', fields);
  return fields;
}

/** `base.path`, or `path` at the action's root. */
export function joinShapePath(base: string, path: string): string {
  return base === '' ? path : `${base}.${path}`;
}

function predicateFields(predicate: PredicateDefinition): string[] {
  const fields: string[] = [];
  for (const comparison of comparisonsOf(predicate)) {
    fields.push(comparison.field);
    if (comparison.valueRef !== undefined) fields.push(comparison.valueRef);
  }
  return fields;
}

function shapeFields(shape: ShapeDefinition, base: string, fields: string[]): void {
  for (const property of shape.properties ?? []) {
    const path = joinShapePath(base, property.path);
    fields.push(path);
    // Sibling comparisons name another key of the same object as the property.
    for (const sibling of siblingsOf(property)) fields.push(joinShapePath(base, sibling));
    if (property.node !== undefined) shapeFields(property.node, path, fields);
    operandFields(property, path, fields);
  }
  operandFields(shape, base, fields);
}

// `and`, `or`, `xone` and `not` apply their shapes to the same value as the shape that holds them.
function operandFields(shape: ShapeDefinition | PropertyShapeDefinition, base: string, fields: string[]): void {
  for (const operand of [...(shape.and ?? []), ...(shape.or ?? []), ...(shape.xone ?? []), ...(shape.not === undefined ? [] : [shape.not])]) {
    shapeFields(operand, base, fields);
  }
}

function siblingsOf(property: PropertyShapeDefinition): string[] {
  return [property.equals, property.disjoint, property.lessThan, property.lessThanOrEquals].filter((key): key is string => key !== undefined);
}
