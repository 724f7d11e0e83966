import type { ComparisonDefinition, PolicyDefinition, PredicateDefinition, PropertyShapeDefinition, ShapeDefinition } from '../types.js';

/** Every comparison in a predicate, depth-first in the order written. */
export function* comparisonsOf(predicate: PredicateDefinition): Generator<ComparisonDefinition> {
  if ('all' in predicate) for (const part of predicate.all) yield* comparisonsOf(part);
  else if ('any' in predicate) for (const part of predicate.any) yield* comparisonsOf(part);
  else if ('not' in predicate) yield* comparisonsOf(predicate.not);
  else yield predicate;
}

/** How a field read by a policy is written, which decides how its segments are read. */
export type FieldSyntax =
  /** A dot-path or JSONPath of `when`, `require` or `assert` (a `valueRef` too). */
  | 'path'
  /** A rewrite's dot-path, in which an unquoted `*` segment stands for every element or value. */
  | 'pattern'
  /** A shape's dot-path of keys, in which arrays are repeated values (no indices). */
  | 'shape';

/** One path a policy reads, with the JSON pointer of where the definition writes it. */
export interface FieldRead {
  /** The path, joined to its parents' for a nested shape. */
  readonly field: string;
  /** Where in the definition it is written: `/when/all/0/field`, `/rewrite/1/field`, `/shape/properties/0/path`. */
  readonly pointer: string;
  /** How its segments are to be read. */
  readonly syntax: FieldSyntax;
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
  return fieldReads(definition).map((read) => read.field);
}

/** The paths {@link fieldsRead} lists, in its order, each with where it is written and its syntax. */
export function fieldReads(definition: PolicyDefinition): FieldRead[] {
  const reads: FieldRead[] = [];
  if (definition.when !== undefined) predicateReads(definition.when, '/when', reads);
  (definition.require ?? []).forEach((field, position) => reads.push({ field, pointer: `/require/${position}`, syntax: 'path' }));
  if (definition.assert !== undefined) predicateReads(definition.assert, '/assert', reads);
  (definition.rewrite ?? []).forEach((rewrite, position) =>
    reads.push({ field: rewrite.field, pointer: `/rewrite/${position}/field`, syntax: 'pattern' }),
  );
  if (definition.shape !== undefined) shapeReads(definition.shape, '', '/shape', reads);
  return reads;
}

/** `base.path`, or `path` at the action's root. */
export function joinShapePath(base: string, path: string): string {
  return base === '' ? path : `${base}.${path}`;
}

function predicateReads(predicate: PredicateDefinition, pointer: string, reads: FieldRead[]): void {
  if ('all' in predicate) predicate.all.forEach((part, position) => predicateReads(part, `${pointer}/all/${position}`, reads));
  else if ('any' in predicate) predicate.any.forEach((part, position) => predicateReads(part, `${pointer}/any/${position}`, reads));
  else if ('not' in predicate) predicateReads(predicate.not, `${pointer}/not`, reads);
  else {
    reads.push({ field: predicate.field, pointer: `${pointer}/field`, syntax: 'path' });
    if (predicate.valueRef !== undefined) reads.push({ field: predicate.valueRef, pointer: `${pointer}/valueRef`, syntax: 'path' });
  }
}

function shapeReads(shape: ShapeDefinition, base: string, pointer: string, reads: FieldRead[]): void {
  (shape.properties ?? []).forEach((property, position) => {
    const at = `${pointer}/properties/${position}`;
    const path = joinShapePath(base, property.path);
    reads.push({ field: path, pointer: `${at}/path`, syntax: 'shape' });
    // Sibling comparisons name another key of the same object as the property.
    for (const sibling of SIBLINGS) {
      const key = property[sibling];
      if (key !== undefined) reads.push({ field: joinShapePath(base, key), pointer: `${at}/${sibling}`, syntax: 'shape' });
    }
    if (property.node !== undefined) shapeReads(property.node, path, `${at}/node`, reads);
    operandReads(property, path, at, reads);
  });
  operandReads(shape, base, pointer, reads);
}

// `and`, `or`, `xone` and `not` apply their shapes to the same value as the shape that holds them.
function operandReads(shape: ShapeDefinition | PropertyShapeDefinition, base: string, pointer: string, reads: FieldRead[]): void {
  for (const list of ['and', 'or', 'xone'] as const) {
    (shape[list] ?? []).forEach((operand, position) => shapeReads(operand, base, `${pointer}/${list}/${position}`, reads));
  }
  if (shape.not !== undefined) shapeReads(shape.not, base, `${pointer}/not`, reads);
}

const SIBLINGS = ['equals', 'disjoint', 'lessThan', 'lessThanOrEquals'] as const;
