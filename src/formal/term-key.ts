import type { Term } from '@rdfjs/types';

/**
 * A string naming an RDF term by what it is, so that two terms have the same
 * key exactly when RDF/JS `equals` holds for them, whichever factory made them
 * and whatever characters their values hold. Every part is length-prefixed, so
 * keys can be concatenated into a key of several terms without ambiguity.
 */
export function termKey(term: Term): string {
  switch (term.termType) {
    case 'NamedNode':
      return `N${term.value.length}:${term.value}`;
    case 'BlankNode':
      return `B${term.value.length}:${term.value}`;
    case 'Literal': {
      const { value, language } = term;
      // A language-tagged literal's datatype follows from its tag (and direction); only a plain one names it.
      return language === ''
        ? `L${value.length}:${value}^${termKey(term.datatype)}`
        : `L${value.length}:${value}@${language.length}:${language}/${term.direction ?? ''}`;
    }
    case 'DefaultGraph':
      return 'D';
    case 'Variable':
      return `V${term.value.length}:${term.value}`;
    case 'Quad':
      return `Q${termKey(term.subject)}${termKey(term.predicate)}${termKey(term.object)}${termKey(term.graph)}`;
  }
}

/**
 * RDF/JS term equality. Each term's own `equals` is the contract (it compares
 * with terms of any factory), and n3's compares its own terms by one string,
 * without the substrings its `value` and `datatype` getters build.
 */
export function sameTerm(left: Term, right: Term): boolean {
  return left === right || left.equals(right);
}
