import { describe, expect, it } from 'vitest';
import type { ToolDescription } from '../../../src/mcp/gateway/check-tool-schemas.js';
import type { PolicyDefinition } from '../../../src/types.js';
import { findingsOf, where } from './support.js';

/** Policies against the tools' JSON Schemas, by the gateway's own check. */

const TRANSFER: ToolDescription = {
  name: 'payments.transfer',
  inputSchema: { type: 'object', properties: { amount: { type: 'integer' }, currency: { type: 'string' } }, required: ['amount'] },
};
const SEARCH: ToolDescription = { name: 'search.web', inputSchema: { type: 'object', properties: { query: { type: 'string' } } } };
const LISTED = { tools: [TRANSFER, SEARCH] };

describe('unknown-field against tool schemas', () => {
  it('catches a typo in a when field with the whole path to write instead, naming the tool', () => {
    const typo: PolicyDefinition = { id: 'review', tools: ['payments.*'], when: { field: 'arguments.amout', op: 'gt', value: 10 } };
    const [finding, ...rest] = findingsOf('unknown-field', [typo], { tools: LISTED });
    expect(rest).toEqual([]);
    expect(finding).toEqual({
      rule: 'unknown-field',
      severity: 'error',
      policyId: 'review',
      pointer: '/when/field',
      message: `policy "review" reads "arguments.amout" (/when/field), but tool "payments.transfer"'s inputSchema has no "amout" under arguments (did you mean "amount"?)`,
      suggestion: 'arguments.amount',
      tool: 'payments.transfer',
    });
  });

  it("takes the bare array of tools as tools/list's result", () => {
    const typo: PolicyDefinition = { id: 'q', tools: ['search.web'], assert: { field: 'arguments.qeury', op: 'exists' } };
    expect(where(findingsOf('unknown-field', [typo], { tools: [SEARCH] }))).toEqual(['q /assert/field']);
    expect(where(findingsOf('unknown-field', [typo], { tools: { tools: [SEARCH] } }))).toEqual(['q /assert/field']);
  });

  it('reports a field of a schema too large to follow, rather than passing it', () => {
    const branches = Array.from({ length: 500 }, (_, index) => ({ properties: { [`k${index}`]: { type: 'string' } } }));
    const huge: ToolDescription = { name: 't', inputSchema: { type: 'object', anyOf: branches } };
    const policy: PolicyDefinition = { id: 'p', tools: ['t'], assert: { field: 'arguments.k499', op: 'exists' } };
    expect(findingsOf('unknown-field', [policy], { tools: [huge] })).toEqual([]);
    const [finding] = findingsOf('unknown-field', [policy], { tools: [huge], limits: { maxNodes: 100 } });
    expect(finding?.message).toContain('more than limits.maxNodes (100)');
  });

  it('reports a missing $ref target as a field it cannot follow', () => {
    const broken: ToolDescription = { name: 't', inputSchema: { type: 'object', properties: { a: { $ref: '#/$defs/gone' } } } };
    const policy: PolicyDefinition = { id: 'p', tools: ['t'], assert: { field: 'arguments.a.b', op: 'exists' } };
    const [finding] = findingsOf('unknown-field', [policy], { tools: [broken] });
    expect(finding?.message).toContain('points at nothing');
  });
});

describe('unreachable-tools against tool schemas', () => {
  it('reports a pattern that matches no tool, with the nearest name', () => {
    const policy: PolicyDefinition = { id: 'p', tools: ['search.wbe'], assert: { field: 'arguments.query', op: 'exists' } };
    const [finding] = findingsOf('unreachable-tools', [policy], { tools: LISTED });
    expect(finding).toMatchObject({ severity: 'error', pointer: '/tools/0', suggestion: 'search.web' });
  });

  it('finds nothing wrong with policies that match the schemas', () => {
    const fine: PolicyDefinition[] = [
      { id: 'cap', tools: ['payments.transfer'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } },
      { id: 'q', tools: ['search.*'], when: { field: 'arguments.query', op: 'regex', value: 'secret' } },
    ];
    expect(findingsOf('unreachable-tools', fine, { tools: LISTED })).toEqual([]);
    expect(findingsOf('unknown-field', fine, { tools: LISTED })).toEqual([]);
  });
});
