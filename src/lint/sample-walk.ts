import { isArrayIndex, readOwn } from '../path/own-property.js';
import type { SchemaStep } from '../mcp/gateway/schema-keywords.js';

/** Where a path leads in the sample actions: to a value in one of them, or to the step none of them has. */
export type SampleWalk =
  | { readonly found: true }
  | {
      readonly found: false;
      /** How many steps some sample has before the one none has. */
      readonly matched: number;
      /** The keys the samples do have at that level (for "did you mean"). */
      readonly names: readonly string[];
    };

/** How a walk through sample values reads its steps. */
export interface SampleWalkOptions {
  /** Arrays are repeated values (shape paths): a key step on an array reads that key in its elements. */
  readonly arraysTransparent: boolean;
  /** Most values followed at one level; past it the walk stops and counts the path as found, making no claim. */
  readonly maxValues: number;
}

// Enough names to suggest from; an object with a million keys offers no more help than this.
const MAX_NAMES = 10_000;

/**
 * Follows `steps` (the action's top-level key first) through every sample at
 * once, as the engine reads paths: own properties only (`__proto__` and
 * `constructor` are keys like any other), an array answers to indices (and,
 * with `arraysTransparent`, to its elements' keys), `*` is every element or
 * value. Found when the path leads to a value (null included) in some sample.
 */
export function walkSamples(roots: readonly unknown[], steps: readonly SchemaStep[], options: SampleWalkOptions): SampleWalk {
  let values: readonly unknown[] = roots;
  for (const [position, step] of steps.entries()) {
    const names = new Set<string>();
    const next: unknown[] = [];
    for (const value of values) {
      stepInto(value, step, options.arraysTransparent, next, names);
      if (next.length > options.maxValues) return { found: true };
    }
    if (next.length === 0) return { found: false, matched: position, names: [...names] };
    values = next;
  }
  return { found: true };
}

function stepInto(value: unknown, step: SchemaStep, arraysTransparent: boolean, into: unknown[], names: Set<string>): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    if (step.kind === 'any') {
      for (const element of value) into.push(element);
    } else if (isArrayIndex(step.key)) {
      const element = readOwn(value, step.key);
      if (element !== undefined) into.push(element);
    } else if (arraysTransparent) {
      for (const element of value) stepInto(element, step, false, into, names);
    }
    return;
  }
  const keys = Object.keys(value);
  for (const key of keys.length > MAX_NAMES ? keys.slice(0, MAX_NAMES) : keys) names.add(key);
  if (step.kind === 'any') {
    for (const key of keys) into.push((value as Record<string, unknown>)[key]);
    return;
  }
  const found = readOwn(value, step.key);
  if (found !== undefined) into.push(found);
}
