import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { PolicyDefinition, RewriteDefinition, ShapeDefinition } from '../../../src/index.js';
import { describePolicy } from '../../../src/mcp/describe-policy.js';
import { describeRewrite } from '../../../src/mcp/describe-rewrite.js';
import { describeScope } from '../../../src/mcp/describe-scope.js';
import { describeShape } from '../../../src/mcp/describe-shape.js';
import { fieldReads, fieldsRead } from '../../../src/mcp/policy-fields.js';

/**
 * The readable forms behind get_constraints and describe_scope, on the parts of
 * a policy the tool tests do not reach: every rewrite op, every shape keyword,
 * and the paths nested and combined shapes read.
 */

describe('describeRewrite', () => {
  it.each<[RewriteDefinition, string]>([
    [{ op: 'cap_value', field: 'arguments.limit', value: 100 }, 'cap arguments.limit at 100'],
    [{ op: 'set_default', field: 'arguments.page', value: { size: 10 } }, 'set arguments.page to {"size":10} when missing or null'],
    [{ op: 'mask_field', field: 'arguments.ssn' }, 'mask arguments.ssn as "***"'],
    // As the engine applies it: a null mask is no mask, so the default is written.
    [{ op: 'mask_field', field: 'arguments.card', value: null }, 'mask arguments.card as "***"'],
    [{ op: 'remove_field', field: 'arguments.headers.authorization' }, 'remove arguments.headers.authorization'],
    [
      { op: 'replace', field: 'result.content.*.text', pattern: 'sk-[a-z]+', with: '[key]', flags: 'i' },
      'replace /sk-[a-z]+/i with "[key]" in result.content.*.text',
    ],
  ])('%j reads "%s"', (rewrite, text) => {
    expect(describeRewrite(rewrite)).toBe(text);
  });
});

describe('describeShape', () => {
  it('words every count combination', () => {
    const shape: ShapeDefinition = {
      properties: [
        { path: 'a', minCount: 1 },
        { path: 'b', minCount: 2 },
        { path: 'c', maxCount: 1 },
        { path: 'd', maxCount: 3 },
        { path: 'e', minCount: 1, maxCount: 1 },
        { path: 'f', minCount: 2, maxCount: 2 },
        { path: 'g', minCount: 1, maxCount: 4 },
        { path: 'h', maxCount: 0 },
        { path: 'i' },
      ],
    };
    expect(describeShape(shape)).toEqual([
      'a: required',
      'b: at least 2 values',
      'c: at most one value',
      'd: at most 3 values',
      'e: exactly one value',
      'f: exactly 2 values',
      'g: 1 to 4 values',
      'h: must be absent',
      'i: any value',
    ]);
  });

  it('words value constraints, siblings, closed nodes, severities and messages', () => {
    const shape: ShapeDefinition = {
      closed: true,
      properties: [
        { path: 'arguments.code', datatype: 'string', minLength: 1, maxLength: 8, pattern: '^[a-z]+$', flags: 'i' },
        { path: 'arguments.ratio', minExclusive: 0, maxExclusive: 1, severity: 'Warning', message: 'odd ratio' },
        { path: 'arguments.kind', in: ['a', 'b'], hasValue: 'a' },
        {
          path: 'arguments.window',
          node: {
            closed: true,
            properties: [
              { path: 'start', lessThanOrEquals: 'end', disjoint: 'blocked' },
              { path: 'end', equals: 'plannedEnd', lessThan: 'limit' },
            ],
          },
        },
      ],
    };
    expect(describeShape(shape)).toEqual([
      '(action): closed: no keys but those listed',
      'arguments.code: string, matches /^[a-z]+$/i, at least 1 character, at most 8 characters',
      'arguments.ratio: > 0, < 1, severity warning, message "odd ratio"',
      'arguments.kind: one of ["a","b"], has the value "a"',
      'arguments.window (each value): closed: no keys but those listed',
      'arguments.window.start: shares no value with arguments.window.blocked, <= arguments.window.end',
      'arguments.window.end: equals arguments.window.plannedEnd, < arguments.window.limit',
    ]);
  });

  it('words and, or, xone and not with their operands at the path they apply to', () => {
    const shape: ShapeDefinition = {
      properties: [
        {
          path: 'arguments.id',
          or: [{ datatype: 'string' }, { datatype: 'integer', minInclusive: 1 }],
          xone: [{ pattern: '^a' }, { pattern: '^b' }],
          not: { hasValue: 'root' },
        },
      ],
      and: [{ properties: [{ path: 'tool', minCount: 1 }] }],
    };
    expect(describeShape(shape)).toEqual([
      '(action): all of [{ tool: required }]',
      'arguments.id: any of [{ arguments.id (each value): string }, { arguments.id (each value): integer, >= 1 }], ' +
        'exactly one of [{ arguments.id (each value): matches /^a/ }, { arguments.id (each value): matches /^b/ }], ' +
        'not [{ arguments.id (each value): has the value "root" }]',
    ]);
  });
});

describe('fieldsRead', () => {
  it('reads when, require, assert with valueRefs, rewrites and shapes in that order, nested shapes joined to their parents', () => {
    const definition: PolicyDefinition = {
      id: 'p',
      when: { any: [{ field: 'context.user.role', op: 'eq', value: 'agent' }, { not: { field: 'context.flag', op: 'exists' } }] },
      require: ['arguments.id'],
      assert: { field: 'arguments.amount', op: 'lte', valueRef: 'context.limits.max' },
      rewrite: [{ op: 'remove_field', field: 'arguments.secret' }],
      shape: {
        properties: [
          { path: 'arguments.window', node: { properties: [{ path: 'start', lessThan: 'end', or: [{ properties: [{ path: 'tz' }] }] }] } },
        ],
      },
    };
    expect(fieldsRead(definition)).toEqual([
      'context.user.role',
      'context.flag',
      'arguments.id',
      'arguments.amount',
      'context.limits.max',
      'arguments.secret',
      'arguments.window',
      'arguments.window.start',
      'arguments.window.end',
      'arguments.window.start.tz',
    ]);
  });
});

describe('fieldReads', () => {
  it('gives each path fieldsRead lists with the JSON pointer it is written at and its syntax', () => {
    const definition: PolicyDefinition = {
      id: 'p',
      when: { all: [{ field: 'kind', op: 'eq', value: 'tools/call' }, { not: { field: 'arguments.a', op: 'eq', valueRef: 'context.b' } }] },
      require: ['arguments.c'],
      rewrite: [{ op: 'remove_field', field: 'arguments.d.*' }],
      shape: {
        properties: [{ path: 'arguments.e', disjoint: 'f', node: { xone: [{ properties: [{ path: 'g' }] }] } }],
        not: { properties: [{ path: 'h' }] },
      },
    };
    expect(fieldReads(definition)).toEqual([
      { field: 'kind', pointer: '/when/all/0/field', syntax: 'path' },
      { field: 'arguments.a', pointer: '/when/all/1/not/field', syntax: 'path' },
      { field: 'context.b', pointer: '/when/all/1/not/valueRef', syntax: 'path' },
      { field: 'arguments.c', pointer: '/require/0', syntax: 'path' },
      { field: 'arguments.d.*', pointer: '/rewrite/0/field', syntax: 'pattern' },
      { field: 'arguments.e', pointer: '/shape/properties/0/path', syntax: 'shape' },
      { field: 'f', pointer: '/shape/properties/0/disjoint', syntax: 'shape' },
      { field: 'arguments.e.g', pointer: '/shape/properties/0/node/xone/0/properties/0/path', syntax: 'shape' },
      { field: 'h', pointer: '/shape/not/properties/0/path', syntax: 'shape' },
    ]);
    expect(fieldsRead(definition)).toEqual(fieldReads(definition).map((read) => read.field));
  });
});

describe('describePolicy and describeScope', () => {
  it('fills the defaults a definition leaves out, and reports a shapes file without reading it', () => {
    expect(describePolicy({ id: 'ticket', tools: ['support.*'], shapesFile: 'shapes/ticket.ttl' }, 'enforce')).toEqual({
      id: 'ticket',
      tools: ['support.*'],
      effect: 'deny',
      mode: 'enforce',
      phase: 'request',
      shapesFile: 'shapes/ticket.ttl',
    });
    expect(describePolicy({ id: 'x', mode: 'enforce', effect: 'warn' }, 'monitor')).toMatchObject({
      mode: 'monitor',
      tools: ['*'],
      violatedWhenApplies: true,
    });
  });

  it('lists an empty bundle as empty, and computes a scope once per engine', async () => {
    const engine = await createEngine({ policies: [] });
    const scope = describeScope(engine);
    expect(scope).toMatchObject({ policyCount: 0, tools: [], fields: [], operators: [], effects: [], phases: [] });
    expect(describeScope(engine)).toBe(scope);
  });
});
