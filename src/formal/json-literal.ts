import { DataFactory } from 'n3';
import type { Literal, NamedNode } from '@rdfjs/types';
import { PlainLiteral } from './plain-terms.js';
import { XSD } from './vocabulary.js';

const XSD_STRING = DataFactory.namedNode(`${XSD}string`);
const XSD_INTEGER = DataFactory.namedNode(`${XSD}integer`);
const XSD_DECIMAL = DataFactory.namedNode(`${XSD}decimal`);
const XSD_BOOLEAN = DataFactory.namedNode(`${XSD}boolean`);
const XSD_DOUBLE = DataFactory.namedNode(`${XSD}double`);

/**
 * A JSON scalar as an RDF literal (a {@link PlainLiteral}), or `undefined` for
 * what the graph omits (null, and values JSON cannot hold: functions, undefined, symbols).
 *
 * The number rule, as a JSON user expects it: a number with no fractional part
 * is an `xsd:integer` (so `100` and `100.0` are integers), any other number an
 * `xsd:decimal`; shapes asking for `decimal` accept both. A string is always an
 * `xsd:string`, so `"100"` is neither integer nor decimal.
 *
 * Infinity, -Infinity and NaN are `xsd:double` `INF`, `-INF` and `NaN`: values,
 * not gaps, so a count sees them and a bound, a datatype or a list is checked
 * on them (and refuses them: no generated shape names a double). JSON text
 * such as `1e400` parses to Infinity, so they do reach the tier from JSON.
 */
export function jsonLiteral(value: unknown): Literal | undefined {
  return literalOf(value, plainLiteral);
}

/**
 * The literal for a value written in a shape (a bound, an `in` member, a
 * `hasValue`): the same rule as {@link jsonLiteral}, as an n3 term like the rest
 * of the shapes.
 */
export function shapeLiteral(value: unknown): Literal | undefined {
  return literalOf(value, n3Literal);
}

type LiteralMaker = (lexical: string, datatype: NamedNode) => Literal;
const plainLiteral: LiteralMaker = (lexical, datatype) => new PlainLiteral(lexical, datatype);
const n3Literal: LiteralMaker = (lexical, datatype) => DataFactory.literal(lexical, datatype);

function literalOf(value: unknown, make: LiteralMaker): Literal | undefined {
  switch (typeof value) {
    case 'string':
      return make(value, XSD_STRING);
    case 'boolean':
      return make(String(value), XSD_BOOLEAN);
    case 'number':
      if (!Number.isFinite(value)) return make(Number.isNaN(value) ? 'NaN' : value > 0 ? 'INF' : '-INF', XSD_DOUBLE);
      return Number.isInteger(value) ? make(integerLexical(value), XSD_INTEGER) : make(decimalLexical(value), XSD_DECIMAL);
    default:
      return undefined;
  }
}

// String(1e21) is "1e+21", which is not an xsd:integer; BigInt spells it out
// (String gives the same digits for a safe integer, without a BigInt).
function integerLexical(value: number): string {
  if (Object.is(value, -0)) return '0';
  return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
}

/**
 * A finite non-integer in xsd:decimal form: digits, one point, no exponent.
 * String(1e-7) is "1e-7"; this shifts the point instead, keeping exactly the
 * digits JavaScript prints, so no precision is invented or lost.
 */
export function decimalLexical(value: number): string {
  const text = String(value);
  const exponentAt = text.indexOf('e');
  if (exponentAt === -1) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, exponentAt);
  const exponent = Number(text.slice(exponentAt + 1));
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  const point = whole.length + exponent;
  let result: string;
  if (point <= 0) result = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) result = `${digits}${'0'.repeat(point - digits.length)}.0`;
  else result = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${result}` : result;
}

/** The literal for a number written in a shape (a bound, an `in` member): the same rule as for actions. */
export function numberLiteral(value: number): Literal {
  // The policy schema admits finite numbers only; a shape never names a double.
  const term = Number.isFinite(value) ? shapeLiteral(value) : undefined;
  if (term === undefined) throw new RangeError(`${value} is not a finite number`);
  return term;
}

/** The datatype IRIs, for shape generation. */
export const DATATYPES = Object.freeze({
  string: XSD_STRING,
  integer: XSD_INTEGER,
  decimal: XSD_DECIMAL,
  boolean: XSD_BOOLEAN,
});
