import type { BlankNode, Literal, NamedNode, Term } from '@rdfjs/types';

/**
 * RDF/JS literals and blank nodes that hold their parts as plain fields, for
 * the terms made from an action. n3's terms keep one id string and work out
 * `value`, `language` and `datatype` from it on every read (a new substring,
 * and for `datatype` a new NamedNode, each time), and the validator reads them
 * over and over for every value it checks. They compare equal to any factory's
 * terms of the same kind and parts, as RDF/JS `equals` requires.
 */
export class PlainLiteral implements Literal {
  readonly termType = 'Literal';
  readonly language = '';
  readonly direction = '';

  constructor(
    readonly value: string,
    readonly datatype: NamedNode,
  ) {}

  /** True for a literal of the same value, language, direction and datatype. */
  equals(other: Term | null | undefined): boolean {
    return (
      other !== null &&
      other !== undefined &&
      other.termType === 'Literal' &&
      other.value === this.value &&
      other.language === '' &&
      (other.direction ?? '') === '' &&
      other.datatype.value === this.datatype.value
    );
  }
}

/** A blank node whose label is a field (see {@link PlainLiteral}). */
export class PlainBlankNode implements BlankNode {
  readonly termType = 'BlankNode';

  constructor(readonly value: string) {}

  /** True for a blank node of the same label. */
  equals(other: Term | null | undefined): boolean {
    return other !== null && other !== undefined && other.termType === 'BlankNode' && other.value === this.value;
  }
}
