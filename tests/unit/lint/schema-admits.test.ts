import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { admits, admittedBy } from '../../../src/lint/schema-admits.js';

/** What a JSON Schema lets a value be, as lint reads it to decide that a comparison can never hold. */

const read = (schema: unknown, root: unknown = schema): ReturnType<typeof admittedBy> => admittedBy([schema], root, DEFAULT_LIMITS);
const lets = (schema: unknown, value: unknown, root?: unknown): boolean => {
  const admitted = read(schema, root);
  return admitted === undefined || admits(admitted, value);
};

describe('admittedBy', () => {
  it('reads type, integer, enum and const', () => {
    expect(lets({ type: 'integer' }, 2)).toBe(true);
    expect(lets({ type: 'integer' }, 2.5)).toBe(false);
    expect(lets({ type: 'integer' }, '2')).toBe(false);
    expect(lets({ type: ['string', 'null'] }, null)).toBe(true);
    expect(lets({ type: ['string', 'null'] }, 1)).toBe(false);
    expect(lets({ enum: ['a', 1] }, 1)).toBe(true);
    expect(lets({ enum: ['a', 1] }, 'b')).toBe(false);
    expect(lets({ type: 'string', enum: ['a', 1] }, 1)).toBe(false);
    expect(lets({ const: { a: [1] } }, { a: [1] })).toBe(true);
    expect(lets(false, 'anything')).toBe(false);
  });

  it('narrows with allOf and $ref, widens with anyOf and oneOf', () => {
    expect(lets({ allOf: [{ type: ['string', 'number'] }, { type: 'number' }] }, 'a')).toBe(false);
    expect(lets({ type: 'number', allOf: [{ type: 'integer' }] }, 1.5)).toBe(false);
    expect(lets({ anyOf: [{ type: 'string' }, { type: 'boolean' }] }, true)).toBe(true);
    expect(lets({ oneOf: [{ type: 'string' }, { type: 'boolean' }] }, 1)).toBe(false);
    const root = { $defs: { id: { type: 'string' } } };
    expect(lets({ $ref: '#/$defs/id' }, 1, root)).toBe(false);
    expect(lets({ $ref: '#/$defs/id' }, 'x', root)).toBe(true);
  });

  it('rules nothing out for what it does not read, or cannot follow', () => {
    expect(read({})).toBeUndefined();
    expect(read(true)).toBeUndefined();
    expect(read({ not: { type: 'string' } })).toBeUndefined();
    expect(read({ type: 'flavour' })).toBeUndefined();
    expect(read({ $ref: 'https://example.com/schema.json' })).toBeUndefined();
    expect(read({ $ref: '#/$defs/gone' }, {})).toBeUndefined();
    expect(admittedBy([], {}, DEFAULT_LIMITS)).toBeUndefined();
  });

  it('stops within the limits on cycles, depth and size', () => {
    const cycle = { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a', type: 'string' } }, $ref: '#/$defs/a' };
    expect(lets(cycle, 1)).toBe(false);
    let deep: unknown = { type: 'string' };
    for (let level = 0; level < 1_000; level += 1) deep = { allOf: [deep] };
    expect(read(deep)).toBeUndefined();
    const wide = { anyOf: Array.from({ length: 200_000 }, () => ({ type: 'string' })) };
    expect(read(wide)).toBeUndefined();
    expect(admittedBy([wide], wide, { maxDepth: 64, maxNodes: 300_000 })?.kinds).toEqual(new Set(['string']));
  });

  it('reads __proto__ and constructor as keys of definitions, never the prototype', () => {
    const root = JSON.parse('{"$defs": {"__proto__": {"type": "boolean"}}}') as unknown;
    expect(lets({ $ref: '#/$defs/__proto__' }, 'x', root)).toBe(false);
    expect(read({ $ref: '#/$defs/constructor' }, { $defs: {} })).toBeUndefined();
  });
});
