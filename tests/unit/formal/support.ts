import type { Quad, Term } from '@rdfjs/types';
import { createEngine } from '../../../src/index.js';
import type { Decision, EngineOptions, PolicyDefinition, PropertyShapeDefinition, ShapeDefinition } from '../../../src/index.js';

/** The tool every single-policy helper below covers. */
export const TOOL = 't';

/** The decision of one shape-only policy `p` (tools `['t']`) on `t` called with `args`. */
export async function decideShape(
  shape: ShapeDefinition,
  args: Record<string, unknown>,
  options: Omit<EngineOptions, 'policies'> & { readonly policy?: Partial<PolicyDefinition> } = {},
): Promise<Decision> {
  const { policy = {}, ...engineOptions } = options;
  const engine = await createEngine({ policies: [{ id: 'p', tools: [TOOL], shape, ...policy }], ...engineOptions });
  return engine.evaluate({ tool: TOOL, kind: 'tools/call', arguments: args });
}

/** A shape with one property shape at `arguments.x`. */
export function atX(constraints: Omit<PropertyShapeDefinition, 'path'>): ShapeDefinition {
  return { properties: [{ path: 'arguments.x', ...constraints }] };
}

/** A property shape's path holding one bracket-quoted key, whatever characters it has. */
export function quotedKey(key: string): string {
  return `["${key.replace(/[\\"]/g, (character) => `\\${character}`)}"]`;
}

/** A term as text, blank nodes included by label. */
function termText(term: Term): string {
  if (term.termType === 'Literal') return `"${term.value}"^^${term.datatype.value}@${term.language}`;
  return `${term.termType}:${term.value}`;
}

/**
 * A canonical text of a graph whose blank nodes form trees (each referenced at
 * most once, as generated shapes' lists and datatype alternatives are): every
 * blank node is replaced by the sorted description of its properties, so two
 * graphs are isomorphic exactly when their canonical texts are equal.
 */
export function canonicalGraph(quads: readonly Quad[]): string[] {
  const bySubject = new Map<string, Quad[]>();
  const referenced = new Set<string>();
  for (const quad of quads) {
    const key = termText(quad.subject);
    bySubject.set(key, [...(bySubject.get(key) ?? []), quad]);
    if (quad.object.termType === 'BlankNode') referenced.add(termText(quad.object));
  }
  const describe = (term: Term, depth: number): string => {
    if (term.termType !== 'BlankNode') return termText(term);
    if (depth > 1_000) throw new Error('blank nodes are not a tree');
    const properties = (bySubject.get(termText(term)) ?? []).map(
      (quad) => `${termText(quad.predicate)} ${describe(quad.object, depth + 1)}`,
    );
    return `[${properties.sort().join('; ')}]`;
  };
  return quads
    .filter((quad) => quad.subject.termType !== 'BlankNode' || !referenced.has(termText(quad.subject)))
    .map((quad) => `${describe(quad.subject, 0)} ${termText(quad.predicate)} ${describe(quad.object, 0)}`)
    .sort();
}
