import { describeThrown } from '../../describe-thrown.js';
import { compileJsonPath } from '../../path/jsonpath-reader.js';
import { isJsonPath, parseDotPath, parseDotPathPattern } from '../../path/parse-path.js';
import type { FieldRead } from '../policy-fields.js';
import type { SchemaStep } from './schema-keywords.js';

/** A path a policy reads, as the top-level key of the action it starts at and the steps below it. */
export interface PolicyPath {
  readonly head: string;
  readonly steps: readonly SchemaStep[];
}

/**
 * A read's path as steps through the action: a predicate's dot-path by
 * {@link parseDotPath} (a `*` there is a literal key, as the engine reads it), a
 * rewrite's by {@link parseDotPathPattern} (`*` is every element or value), a
 * shape's as a dot-path of keys, and a JSONPath by its fixed leading keys, up to
 * the first wildcard, slice, union, filter or descent. `'unchecked'` when nothing
 * fixed is left to check (`$..x`, `$[*]`, a rewrite of `*.x`); `invalid` says
 * why when the path does not parse (a compiled policy's paths always do).
 */
export function policyPath(read: FieldRead): PolicyPath | 'unchecked' | { readonly invalid: string } {
  let steps: SchemaStep[];
  try {
    if (read.syntax === 'pattern') {
      steps = parseDotPathPattern(read.field).map((segment) => (segment.kind === 'any' ? segment : { kind: 'key', key: segment.key }));
    } else if (isJsonPath(read.field)) {
      steps = compileJsonPath(read.field).fixedPrefix.map((key) => ({ kind: 'key', key }));
    } else {
      steps = parseDotPath(read.field).map((key) => ({ kind: 'key', key }));
    }
  } catch (error) {
    return { invalid: `the path does not parse: ${describeThrown(error)}` };
  }
  const [head, ...rest] = steps;
  if (head === undefined || head.kind === 'any') return 'unchecked';
  return { head: head.key, steps: rest };
}

/** The path's first `count` steps as text (`arguments.items[*]`), its head included. */
export function policyPathText(path: PolicyPath, count: number): string {
  let text = path.head;
  for (const step of path.steps.slice(0, count)) text += stepText(step);
  return text;
}

/** The whole path as text with step `index` (-1 for the head) named `name` instead: what a "did you mean" offers to write. */
export function policyPathWith(path: PolicyPath, index: number, name: string): string {
  const renamed: SchemaStep = { kind: 'key', key: name };
  const steps = path.steps.map((step, position) => (position === index ? renamed : step));
  return steps.reduce((text, step) => text + stepText(step), index < 0 ? name : path.head);
}

function stepText(step: SchemaStep): string {
  if (step.kind === 'any') return '[*]';
  return /^(?:[A-Za-z_$][\w$-]*|0|[1-9][0-9]*)$/.test(step.key) ? `.${step.key}` : `[${JSON.stringify(step.key)}]`;
}
