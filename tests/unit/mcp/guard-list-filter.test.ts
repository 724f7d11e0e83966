import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { ComparisonDefinition, PolicyDefinition } from '../../../src/index.js';
import { argumentFreePolicies, targetFreePolicies } from '../../../src/mcp/argument-free-policies.js';
import { withoutForbiddenTools } from '../../../src/mcp/list-filter.js';

/**
 * The rule behind tools/list filtering, policy by policy: which policies cannot
 * depend on a call's arguments, and which probes hide a tool.
 */

const roles: ComparisonDefinition = { field: 'context.user.roles', op: 'in', value: ['admin'] };

describe('argumentFreePolicies', () => {
  it('tells policies that may read arguments from those that cannot', async () => {
    const policies: PolicyDefinition[] = [
      { id: 'free.roles', assert: roles },
      { id: 'free.tool-only', tools: ['x'] },
      { id: 'free.jsonpath', assert: { field: '$.context.user.roles[*]', op: 'neq', value: 'banned' } },
      { id: 'free.bracket-jsonpath', assert: { field: "$['context'].tenant", op: 'eq', value: 'acme' } },
      { id: 'free.require', require: ['context.user.id'] },
      { id: 'free.shape', shape: { properties: [{ path: 'context.user.id', minCount: 1, datatype: 'string' }] } },
      { id: 'free.kind', when: { field: 'kind', op: 'eq', value: 'tools/call' }, assert: roles },
      { id: 'reads.assert', assert: { field: 'arguments.amount', op: 'lte', value: 5 } },
      { id: 'reads.when', when: { not: { field: 'arguments.dryRun', op: 'eq', value: true } }, assert: roles },
      { id: 'reads.value-ref', assert: { field: 'context.limits.max', op: 'gte', valueRef: 'arguments.amount' } },
      { id: 'reads.require', require: ['arguments.reason'] },
      { id: 'reads.bracket', assert: { field: '["arguments"].amount', op: 'lte', value: 5 } },
      { id: 'reads.jsonpath', assert: { field: "$['arguments'].amount", op: 'lte', value: 5 } },
      { id: 'reads.descendant', assert: { field: '$..amount', op: 'lte', value: 5 } },
      { id: 'reads.wildcard', assert: { field: '$[*].amount', op: 'lte', value: 5 } },
      { id: 'reads.rewrite', rewrite: [{ op: 'set_default', field: 'arguments.limit', value: 20 }], assert: roles },
      { id: 'reads.shape', shape: { properties: [{ path: 'arguments.amount', maxInclusive: 5 }] } },
      {
        id: 'reads.shape-operand',
        shape: {
          or: [{ properties: [{ path: 'arguments.amount', maxInclusive: 5 }] }, { properties: [{ path: 'context.vip', hasValue: true }] }],
        },
      },
      { id: 'reads.shape-sibling', shape: { properties: [{ path: 'tool', disjoint: 'arguments' }] } },
      { id: 'reads.closed', shape: { closed: true, properties: [{ path: 'tool' }, { path: 'kind' }, { path: 'context' }] } },
    ];
    const engine = await createEngine({ policies });
    const free = argumentFreePolicies(engine);
    expect([...free].sort()).toEqual(
      policies
        .map((policy) => policy.id)
        .filter((id) => id.startsWith('free.'))
        .sort(),
    );
    // Analysed once per engine.
    expect(argumentFreePolicies(engine)).toBe(free);
  });
});

describe('targetFreePolicies', () => {
  it('also counts a policy that reads the tool (a resource URI) as depending on it', async () => {
    const policies: PolicyDefinition[] = [
      { id: 'free.roles', tools: ['secret://**'], assert: roles },
      { id: 'free.kind', when: { field: 'kind', op: 'eq', value: 'resources/read' } },
      { id: 'reads.tool', tools: ['notes://**'], assert: { field: 'tool', op: 'regex', value: '\\.txt$' } },
      { id: 'reads.tool-jsonpath', assert: { field: '$.tool', op: 'neq', value: 'x' } },
      { id: 'reads.tool-ref', assert: { field: 'context.home', op: 'eq', valueRef: 'tool' } },
      { id: 'reads.tool-shape', shape: { properties: [{ path: 'tool', pattern: '^notes:' }] } },
      { id: 'reads.uri', assert: { field: 'arguments.uri', op: 'glob', value: 'notes://**' } },
    ];
    const engine = await createEngine({ policies });
    const free = targetFreePolicies(engine);
    expect([...free].sort()).toEqual(['free.kind', 'free.roles']);
    expect(targetFreePolicies(engine)).toBe(free);
    // The argument-free analysis is kept apart: reading the tool does not read arguments.
    expect(argumentFreePolicies(engine).has('reads.tool')).toBe(true);
  });
});

describe('withoutForbiddenTools', () => {
  const list = {
    tools: [
      { name: 'a', inputSchema: { type: 'object' } },
      { name: 'b', inputSchema: { type: 'object' } },
    ],
    nextCursor: 'page-2',
  };
  const probe = { labels: { method: 'tools/list', requestId: 1 } };

  it('hides a tool only for an enforced deny of an argument-free policy, and keeps the rest of the page', async () => {
    const engine = await createEngine({ policies: [{ id: 'a.roles', tools: ['a'], assert: roles }] });
    expect(await withoutForbiddenTools(list, engine, { user: { roles: ['dev'] } }, probe)).toEqual({
      tools: [list.tools[1]],
      nextCursor: 'page-2',
    });
    expect(await withoutForbiddenTools(list, engine, { user: { roles: ['admin'] } }, probe)).toBe(list);
  });

  it('keeps tools refused only by warnings, escalations, monitored policies or evaluation errors', async () => {
    const engine = await createEngine({
      policies: [
        { id: 'a.warn', tools: ['a'], effect: 'warn', assert: roles },
        { id: 'a.escalate', tools: ['a'], effect: 'escalate', assert: roles },
        { id: 'b.monitored', tools: ['b'], mode: 'monitor', assert: roles },
        { id: 'b.too-long', tools: ['b'], assert: { field: 'context.note', op: 'regex', value: 'x' } },
      ],
      limits: { maxStringLength: 4 },
    });
    expect(await withoutForbiddenTools(list, engine, { user: { roles: [] }, note: 'far too long' }, probe)).toBe(list);
  });

  it('returns what is not a list unchanged', async () => {
    const engine = await createEngine({ policies: [{ id: 'all', assert: roles }] });
    for (const result of [undefined, null, 'tools', { tools: 'none' }, {}])
      expect(await withoutForbiddenTools(result, engine, {}, probe)).toBe(result);
  });
});
