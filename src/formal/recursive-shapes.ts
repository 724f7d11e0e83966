import type { Quad } from '@rdfjs/types';
import { RDF, SH } from './vocabulary.js';

/** Parameters whose value is one shape the shape holding them checks values against. */
const SHAPE_VALUED = new Set(['node', 'not', 'property', 'qualifiedValueShape'].map((name) => `${SH}${name}`));
/** Parameters whose value is a list of shapes. */
const SHAPE_LISTS = new Set(['and', 'or', 'xone'].map((name) => `${SH}${name}`));
const RDF_FIRST = `${RDF}first`;
const RDF_REST = `${RDF}rest`;

/**
 * A shape of the graph that refers back to itself (through `sh:node`, `sh:not`,
 * `sh:property`, `sh:qualifiedValueShape` or a member of `sh:and`/`sh:or`/
 * `sh:xone`), or `undefined`. SHACL leaves recursive shapes undefined, and
 * rdf-validate-shacl recurses until the stack overflows on every action; a
 * shapes file with one is refused when compiled instead. Lists are taken as
 * well formed (malformed-lists.ts runs first).
 */
export function recursiveShape(quads: readonly Quad[]): string | undefined {
  const first = new Map<string, string>();
  const rest = new Map<string, string>();
  for (const { subject, predicate, object } of quads) {
    if (predicate.value === RDF_FIRST) first.set(subject.value, object.value);
    if (predicate.value === RDF_REST) rest.set(subject.value, object.value);
  }
  const refers = new Map<string, string[]>();
  const add = (from: string, to: string): void => void refers.set(from, [...(refers.get(from) ?? []), to]);
  for (const { subject, predicate, object } of quads) {
    if (SHAPE_VALUED.has(predicate.value)) add(subject.value, object.value);
    if (!SHAPE_LISTS.has(predicate.value)) continue;
    for (let cell: string | undefined = object.value; cell !== undefined && first.has(cell); cell = rest.get(cell)) {
      add(subject.value, first.get(cell) ?? '');
    }
  }
  // Depth-first, iteratively (a long chain of shapes must not overflow this check either).
  const state = new Map<string, 'open' | 'done'>();
  for (const start of refers.keys()) {
    if (state.has(start)) continue;
    const stack: { shape: string; next: number }[] = [{ shape: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { shape: string; next: number };
      const targets = refers.get(top.shape) ?? [];
      if (top.next >= targets.length) {
        state.set(top.shape, 'done');
        stack.pop();
        continue;
      }
      const target = targets[top.next] as string;
      top.next += 1;
      if (state.get(target) === 'open') return target;
      if (state.has(target)) continue;
      state.set(target, 'open');
      stack.push({ shape: target, next: 0 });
    }
  }
  return undefined;
}
