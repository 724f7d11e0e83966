import { DataFactory } from 'n3';
import type { NamedNode } from '@rdfjs/types';
import type { GenericValidator, StockValidator, Validator } from './shacl-internals.js';
import { SH } from './vocabulary.js';

/** The two length bounds, each with the test a value's length must pass. */
const LENGTHS: readonly (readonly [string, (length: number, bound: number) => boolean])[] = [
  ['minLength', (length, bound) => length >= bound],
  ['maxLength', (length, bound) => length <= bound],
];

/**
 * `sh:minLength` and `sh:maxLength` counting characters (Unicode code points),
 * as SHACL does through XPath's `fn:string-length`, where rdf-validate-shacl
 * counts UTF-16 code units: `"😀"` has length 1, not 2. As in SHACL, a blank
 * node has no string form and fails either bound; an IRI is measured by its text.
 */
export function lengthValidators(stock: StockValidator): [NamedNode, Validator][] {
  return LENGTHS.map(([name, holds]): [NamedNode, Validator] => {
    const node = DataFactory.namedNode(`${SH}${name.charAt(0).toUpperCase()}${name.slice(1)}ConstraintComponent`);
    const original = stock(node);
    if (original === undefined || !('validate' in original)) throw new Error(`rdf-validate-shacl has no generic validator for sh:${name}`);
    return [node, lengthValidator(DataFactory.namedNode(`${SH}${name}`), holds, original)];
  });
}

function lengthValidator(
  parameter: NamedNode,
  holds: (length: number, bound: number) => boolean,
  original: GenericValidator,
): GenericValidator {
  return {
    validate(context, focusNode, valueNode, constraint) {
      if (valueNode.termType === 'BlankNode') return false;
      const bound = Number(constraint.getParameterValue(parameter)?.value);
      // A bound that is not a number cannot be met: refusing keeps a malformed shape from allowing.
      return Number.isInteger(bound) && holds(codePointLength(valueNode.value), bound);
    },
    ...(original.validationMessage === undefined ? {} : { validationMessage: original.validationMessage }),
  };
}

/** The number of code points in `text`: its UTF-16 length less one for each surrogate pair, without copying it. */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let index = 0; index < text.length - 1; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        index++;
      }
    }
  }
  return length;
}
