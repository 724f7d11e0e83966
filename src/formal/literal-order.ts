import type { Term } from '@rdfjs/types';
import { XSD } from './vocabulary.js';

/** XSD datatypes whose values are numbers, compared with each other by value. */
const NUMERIC = new Set(
  [
    'integer',
    'decimal',
    'double',
    'float',
    'long',
    'int',
    'short',
    'byte',
    'nonNegativeInteger',
    'nonPositiveInteger',
    'positiveInteger',
    'negativeInteger',
    'unsignedLong',
    'unsignedInt',
    'unsignedShort',
    'unsignedByte',
  ].map((name) => `${XSD}${name}`),
);
/** Floating-point datatypes, whose lexical space also holds INF, -INF and NaN. */
const FLOATING = new Set([`${XSD}double`, `${XSD}float`]);
const XSD_STRING = `${XSD}string`;
const XSD_BOOLEAN = `${XSD}boolean`;
const DECIMAL_LEXICAL = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;
const FLOATING_LEXICAL = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/**
 * How two literals order, for SHACL's bounds and `lessThan`: negative, zero or
 * positive; `'incomparable'` (the constraint then fails); or `'other'` for
 * literal kinds an action's graph never holds (dates, language strings), which
 * the caller leaves to the validator's own comparison.
 *
 * rdf-validate-shacl reads `"INF"^^xsd:double` as NaN and orders by subtraction,
 * so Infinity would satisfy every bound (NaN compared false with the bound, and
 * `lessThan` took NaN for "in order"). Here numbers of any XSD numeric type compare
 * by value, ±INF beyond every finite number and NaN with nothing; strings by UTF-16
 * code unit, as the auto tier orders them (not by the machine's locale); booleans
 * false before true; mixed kinds not at all.
 */
export function orderLiterals(left: Term, right: Term): number | 'incomparable' | 'other' {
  const leftKind = kindOf(left);
  const rightKind = kindOf(right);
  if (leftKind === 'other' || rightKind === 'other') return 'other';
  if (leftKind !== rightKind || left.termType !== 'Literal' || right.termType !== 'Literal') return 'incomparable';
  if (leftKind === 'number') {
    const difference = numberOf(left.value, left.datatype.value) - numberOf(right.value, right.datatype.value);
    // Infinity - Infinity is NaN, yet INF equals INF; NaN is unordered, even with itself.
    if (Number.isNaN(difference))
      return numberOf(left.value, left.datatype.value) === numberOf(right.value, right.datatype.value) ? 0 : 'incomparable';
    return Math.sign(difference);
  }
  if (leftKind === 'boolean')
    return Number(left.value === 'true' || left.value === '1') - Number(right.value === 'true' || right.value === '1');
  return left.value < right.value ? -1 : left.value > right.value ? 1 : 0;
}

type Kind = 'number' | 'string' | 'boolean' | 'node' | 'other';

function kindOf(term: Term): Kind {
  if (term.termType !== 'Literal') return 'node';
  const datatype = term.datatype.value;
  if (NUMERIC.has(datatype)) return 'number';
  if (datatype === XSD_STRING && term.language === '') return 'string';
  if (datatype === XSD_BOOLEAN) return 'boolean';
  return 'other';
}

/** The value of a numeric literal; NaN for a lexical form its datatype does not allow. */
function numberOf(lexical: string, datatype: string): number {
  if (FLOATING.has(datatype)) {
    if (lexical === 'INF' || lexical === '+INF') return Infinity;
    if (lexical === '-INF') return -Infinity;
    return FLOATING_LEXICAL.test(lexical) ? Number(lexical) : Number.NaN;
  }
  return DECIMAL_LEXICAL.test(lexical) ? Number(lexical) : Number.NaN;
}
