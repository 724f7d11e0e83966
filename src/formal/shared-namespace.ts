import type { NamedNode } from '@rdfjs/types';
import { memoByKey } from './memo-by-key.js';

/** How many terms of one namespace are kept; a vocabulary has a few dozen. */
const MAX_TERMS = 1_024;

/**
 * A namespace builder as `@rdfjs/namespace` makes them (`ns.minCount`,
 * `ns('minCount')`, `` ns`minCount` ``, each the NamedNode `base` + name) that
 * makes each term once and hands out the same one after: rdf-validate-shacl
 * names its vocabulary this way at nearly every step, and a fresh NamedNode (and
 * IRI string) each time is most of what a validation allocates.
 */
export function sharedNamespace(base: string, namedNode: (iri: string) => NamedNode): unknown {
  const term = memoByKey((name) => namedNode(`${base}${name}`), MAX_TERMS);
  const builder = (name: string | TemplateStringsArray = ''): NamedNode => term(typeof name === 'string' ? name : name.raw.join(''));
  return new Proxy(builder, {
    apply: (_target, _this, [name]: [string | TemplateStringsArray | undefined]) => builder(name),
    get: (_target, property) => builder(String(property)),
  });
}
