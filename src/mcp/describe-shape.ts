import { renderValue } from '../render-value.js';
import type { PropertyShapeDefinition, ShapeDefinition, ValueConstraints } from '../types.js';
import { joinShapePath } from './policy-fields.js';

/**
 * A shape in readable form: one line per constrained path, e.g.
 * `arguments.lines: 1 to 50 values` and `arguments.lines.sku: required, matches /^[A-Z]{3}-[0-9]{4}$/`.
 * Nested shapes are flattened onto their full paths (arrays are repeated values,
 * so `arguments.lines.sku` is the `sku` of every line); the constraints of a node
 * itself are listed on `(action)` or on `<path> (each value)`.
 */
export function describeShape(shape: ShapeDefinition): string[] {
  const lines: string[] = [];
  describeNode(shape, '', lines);
  return lines;
}

function describeNode(shape: ShapeDefinition, base: string, lines: string[]): void {
  const own = [...valueConstraints(shape, base), ...(shape.closed === true ? ['closed: no keys but those listed'] : [])];
  if (own.length > 0) lines.push(`${base === '' ? '(action)' : `${base} (each value)`}: ${own.join(', ')}`);
  for (const property of shape.properties ?? []) {
    const path = joinShapePath(base, property.path);
    const parts = [...counts(property), ...valueConstraints(property, path), ...siblings(property, base)];
    // A property that only carries a nested shape is described by that shape's lines.
    if (parts.length > 0 || property.node === undefined) lines.push(`${path}: ${parts.length > 0 ? parts.join(', ') : 'any value'}`);
    if (property.node !== undefined) describeNode(property.node, path, lines);
  }
}

function counts({ minCount, maxCount }: PropertyShapeDefinition): string[] {
  const min = minCount ?? 0;
  if (maxCount === undefined) {
    if (min === 0) return [];
    return [min === 1 ? 'required' : `at least ${min} values`];
  }
  if (maxCount === 0) return ['must be absent'];
  if (min === maxCount) return [min === 1 ? 'exactly one value' : `exactly ${min} values`];
  if (min === 0) return [maxCount === 1 ? 'at most one value' : `at most ${maxCount} values`];
  return [`${min} to ${maxCount} values`];
}

function valueConstraints(shape: ValueConstraints, base: string): string[] {
  const parts: string[] = [];
  if (shape.datatype !== undefined) parts.push(shape.datatype);
  if (shape.pattern !== undefined) parts.push(`matches /${shape.pattern}/${shape.flags ?? ''}`);
  if (shape.minLength !== undefined) parts.push(`at least ${characters(shape.minLength)}`);
  if (shape.maxLength !== undefined) parts.push(`at most ${characters(shape.maxLength)}`);
  if (shape.minInclusive !== undefined) parts.push(`>= ${shape.minInclusive}`);
  if (shape.minExclusive !== undefined) parts.push(`> ${shape.minExclusive}`);
  if (shape.maxInclusive !== undefined) parts.push(`<= ${shape.maxInclusive}`);
  if (shape.maxExclusive !== undefined) parts.push(`< ${shape.maxExclusive}`);
  if (shape.in !== undefined) parts.push(`one of ${renderValue(shape.in)}`);
  if (shape.hasValue !== undefined) parts.push(`has the value ${renderValue(shape.hasValue)}`);
  if (shape.and !== undefined) parts.push(`all of ${operands(shape.and, base)}`);
  if (shape.or !== undefined) parts.push(`any of ${operands(shape.or, base)}`);
  if (shape.xone !== undefined) parts.push(`exactly one of ${operands(shape.xone, base)}`);
  if (shape.not !== undefined) parts.push(`not ${operands([shape.not], base)}`);
  if (shape.severity !== undefined && shape.severity !== 'Violation') parts.push(`severity ${shape.severity.toLowerCase()}`);
  if (shape.message !== undefined) parts.push(`message ${renderValue(shape.message)}`);
  return parts;
}

function characters(count: number): string {
  return count === 1 ? '1 character' : `${count} characters`;
}

// Operands apply to the same value as the shape holding them, so their paths start at `base`.
function operands(shapes: readonly ShapeDefinition[], base: string): string {
  return `[${shapes.map((shape) => `{ ${inline(shape, base)} }`).join(', ')}]`;
}

function inline(shape: ShapeDefinition, base: string): string {
  const lines: string[] = [];
  describeNode(shape, base, lines);
  return lines.length === 0 ? 'anything' : lines.join('; ');
}

function siblings(property: PropertyShapeDefinition, base: string): string[] {
  const parts: string[] = [];
  if (property.equals !== undefined) parts.push(`equals ${joinShapePath(base, property.equals)}`);
  if (property.disjoint !== undefined) parts.push(`shares no value with ${joinShapePath(base, property.disjoint)}`);
  if (property.lessThan !== undefined) parts.push(`< ${joinShapePath(base, property.lessThan)}`);
  if (property.lessThanOrEquals !== undefined) parts.push(`<= ${joinShapePath(base, property.lessThanOrEquals)}`);
  return parts;
}
