import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPERATORS } from '../../../src/types.js';
import type { ValueKind } from '../../../src/predicate/operators/operator.js';
import { OPERATOR_DEFINITIONS } from '../../../src/predicate/operators/registry.js';

/**
 * The shipped schema (schema/policy.json) is a file, for editors and other
 * validators; the operator registry is the one definition of each operator.
 * These tests hold the schema's operator facts to the registry, so an operator
 * added to one and not the other fails here.
 */

interface ComparisonSchema {
  readonly properties: {
    readonly op: { readonly enum: readonly string[] };
    readonly value: { readonly description: string };
    readonly flags: { readonly pattern: string; readonly description: string };
  };
}

const schema = JSON.parse(readFileSync(new URL('../../../schema/policy.json', import.meta.url), 'utf8')) as {
  definitions: { comparison: ComparisonSchema };
};
const comparison = schema.definitions.comparison.properties;
const entries = Object.entries(OPERATOR_DEFINITIONS);

// How the schema words each value kind; a new kind needs its words here (a compile error otherwise).
const KIND_WORDS: Readonly<Record<Exclude<ValueKind, 'none'>, string>> = {
  json: 'any JSON',
  orderable: 'a number or string',
  list: 'an array',
  pattern: 'a pattern string',
};

/** The value description the registry implies: operators grouped by kind, in documentation order. */
function valueDescription(): string {
  const groups = new Map<ValueKind, string[]>();
  for (const [name, operator] of entries) groups.set(operator.kind, [...(groups.get(operator.kind) ?? []), name]);
  const given = [...groups]
    .filter(([kind]) => kind !== 'none')
    .map(([kind, names]) => `${KIND_WORDS[kind as Exclude<ValueKind, 'none'>]} for ${names.join('/')}`);
  const absent = groups.get('none') ?? [];
  return `The literal to compare with: ${given.join(', ')}${absent.length > 0 ? `; absent for ${absent.join('/')}` : ''}.`;
}

describe('the shipped schema states what the operator registry defines', () => {
  it('lists exactly the registered operators, in documentation order', () => {
    expect(Object.keys(OPERATOR_DEFINITIONS)).toEqual([...OPERATORS]);
    expect(comparison.op.enum).toEqual([...OPERATORS]);
  });

  it('allows exactly the flags some operator accepts', () => {
    const flags = [...new Set(entries.flatMap(([, operator]) => [...operator.flags]))].sort().join('');
    expect(comparison.flags.pattern).toBe(`^[${flags}]*$`);
  });

  it('names, in the flags description, exactly the operators that take flags, with their flags', () => {
    for (const [name, operator] of entries) {
      const segment = new RegExp(`(?:^|\\. )${name}: ([^.]*)\\.`).exec(comparison.flags.description)?.[1];
      if (operator.flags === '') {
        expect(segment, `${name} takes no flags`).toBeUndefined();
      } else {
        expect(segment, `${name} takes flags`).toBeDefined();
        expect(
          segment
            ?.match(/\b[a-z]\b/g)
            ?.sort()
            .join(''),
        ).toBe([...operator.flags].sort().join(''));
      }
    }
  });

  it("words each operator's value as its kind says", () => {
    expect(comparison.value.description).toBe(valueDescription());
  });
});
