/**
 * What kind of value was found, in words, for a rewrite that cannot handle it
 * (`a string`, `an array`, `NaN`). Only the kind: the value itself may be exactly
 * what the rewrite was meant to hide. Never throws and runs no getter.
 */
export function describeValueType(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isNaN(value) ? 'NaN' : 'a number';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? 'an array' : 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof value}`;
  }
}
