import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine.js';
import type { PolicyDefinition } from '../../../src/types.js';
import { findingsOf, where } from './support.js';

/** Policies against sample actions: tools patterns and fields that no sample shows. */

const TRANSFER = {
  tool: 'payments.transfer',
  arguments: { amount: 25000, currency: 'EUR', lines: [{ sku: 'A-1' }] },
  context: { user: 'ann' },
};
const SEARCH = { tool: 'search.web', arguments: { query: 'x' } };
const SAMPLES = [TRANSFER, SEARCH];

describe('unknown-field against sample actions', () => {
  it('catches a typo in a when field, which the engine silently allows, with the field to write instead', async () => {
    const typo: PolicyDefinition = {
      id: 'payments.review',
      tools: ['payments.*'],
      when: { field: 'arguments.amout', op: 'gt', value: 10000 },
      effect: 'deny',
    };
    // What the engine does today: the comparison over the missing field is false, so the policy never applies.
    const engine = await createEngine({ policies: [typo] });
    expect(engine.evaluateAuto(TRANSFER).verdict).toBe('allow');

    const [finding, ...rest] = findingsOf('unknown-field', [typo], { actions: SAMPLES });
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'unknown-field',
      severity: 'error',
      policyId: 'payments.review',
      pointer: '/when/field',
      suggestion: 'arguments.amount',
    });
    expect(finding?.message).toBe(
      'policy "payments.review" reads "arguments.amout" (/when/field), but no sample action of its tools has "amout" under arguments (did you mean "arguments.amount"?)',
    );
  });

  it('checks every path a policy reads or writes: require, assert, valueRef, rewrites and shapes', () => {
    const policy: PolicyDefinition = {
      id: 'p',
      tools: ['payments.transfer'],
      require: ['arguments.currncy'],
      assert: { field: 'arguments.amount', op: 'lte', valueRef: 'context.limits.max' },
      rewrite: [{ op: 'mask_field', field: 'arguments.card' }],
      shape: { properties: [{ path: 'arguments.lines', node: { properties: [{ path: 'skew', minCount: 1 }] } }] },
    };
    expect(where(findingsOf('unknown-field', [policy], { actions: SAMPLES }))).toEqual([
      'p /require/0',
      'p /assert/valueRef',
      'p /rewrite/0/field',
      'p /shape/properties/0/node/properties/0/path',
    ]);
  });

  it('reads paths as the engine does: indices, shapes through arrays, rewrite wildcards, JSONPath up to its wildcard', () => {
    const reads = (field: string, syntax: 'assert' | 'rewrite' | 'shape' = 'assert'): PolicyDefinition => ({
      id: 'p',
      tools: ['payments.transfer'],
      ...(syntax === 'assert' ? { assert: { field, op: 'exists' } } : {}),
      ...(syntax === 'rewrite' ? { rewrite: [{ op: 'remove_field', field }] } : {}),
      ...(syntax === 'shape' ? { shape: { properties: [{ path: field, minCount: 1 }] } } : {}),
    });
    const unknown = (policy: PolicyDefinition): boolean => findingsOf('unknown-field', [policy], { actions: SAMPLES }).length > 0;
    expect(unknown(reads('arguments.lines.0.sku'))).toBe(false);
    expect(unknown(reads('arguments.lines[0].sku'))).toBe(false);
    expect(unknown(reads('$.arguments.lines[*].nothing'))).toBe(false);
    expect(unknown(reads('arguments.lines.*.sku', 'rewrite'))).toBe(false);
    expect(unknown(reads('arguments.lines.sku', 'shape'))).toBe(false);
    expect(unknown(reads('tool'))).toBe(false);
    expect(unknown(reads('arguments.lines.1.sku'))).toBe(true);
    expect(unknown(reads('arguments.lines.sku'))).toBe(true);
    expect(unknown(reads('$.arguments.lins[*].sku'))).toBe(true);
    expect(unknown(reads('arguments.lines.*.skus', 'rewrite'))).toBe(true);
    expect(unknown(reads('kind'))).toBe(true);
  });

  it('counts a field a set_default writes as present: rewrites run before every check', () => {
    const fill: PolicyDefinition = {
      id: 'fill',
      tools: ['search.*'],
      rewrite: [{ op: 'set_default', field: 'arguments.limit', value: 20 }],
    };
    const cap: PolicyDefinition = { id: 'cap', tools: ['search.*'], assert: { field: 'arguments.limit', op: 'lte', value: 100 } };
    expect(findingsOf('unknown-field', [fill, cap], { actions: SAMPLES })).toEqual([]);
    expect(where(findingsOf('unknown-field', [cap], { actions: SAMPLES }))).toEqual(['cap /assert/field']);
    const masked: PolicyDefinition = { ...fill, rewrite: [{ op: 'mask_field', field: 'arguments.limit' }] };
    expect(where(findingsOf('unknown-field', [masked, cap], { actions: SAMPLES }))).toEqual(['fill /rewrite/0/field', 'cap /assert/field']);
  });

  it('looks only at the samples of the tools a policy selects', () => {
    const query: PolicyDefinition = { id: 'q', tools: ['payments.*'], assert: { field: 'arguments.query', op: 'exists' } };
    const [finding] = findingsOf('unknown-field', [query], { actions: SAMPLES });
    expect(finding?.pointer).toBe('/assert/field');
    expect(findingsOf('unknown-field', [{ ...query, tools: undefined }], { actions: SAMPLES })).toEqual([]);
  });

  it('takes prototype keys as plain keys, in policies and in samples', () => {
    const proto: PolicyDefinition = { id: 'proto', assert: { field: 'arguments.__proto__.admin', op: 'eq', value: true } };
    expect(where(findingsOf('unknown-field', [proto], { actions: SAMPLES }))).toEqual(['proto /assert/field']);
    const sample = JSON.parse('{"tool": "t", "arguments": {"__proto__": {"admin": true}, "constructor": 1}}') as unknown;
    const both = [proto, { id: 'ctor', assert: { field: 'arguments.constructor', op: 'exists' } }];
    expect(findingsOf('unknown-field', both, { actions: [sample] })).toEqual([]);
  });

  it('checks a response policy against samples that carry a result, and only those', () => {
    const strip: PolicyDefinition = {
      id: 'strip',
      on: 'response',
      rewrite: [{ op: 'replace', field: 'result.content.*.txt', pattern: 'x', with: '' }],
    };
    expect(findingsOf('unknown-field', [strip], { actions: SAMPLES })).toEqual([]);
    const withResult = { ...SEARCH, result: { content: [{ type: 'text', text: 'hello' }] } };
    const [finding] = findingsOf('unknown-field', [strip], { actions: [withResult] });
    expect(finding?.message).toContain('has "txt" under result.content[*] (did you mean "result.content[*].text"?)');
  });
});

describe('unreachable-tools against sample actions', () => {
  it('reports a pattern no sample calls, with the nearest tool name', () => {
    const policies: PolicyDefinition[] = [
      { id: 'a', tools: ['payments.trasfer', 'search.*'], assert: { field: 'arguments.query', op: 'exists' } },
      { id: 'b', tools: ['db.*'] },
    ];
    const findings = findingsOf('unreachable-tools', policies, { actions: SAMPLES });
    expect(where(findings)).toEqual(['a /tools/0', 'b /tools/0']);
    expect(findings[0]).toMatchObject({ severity: 'error', suggestion: 'payments.transfer' });
    expect(findings[0]?.message).toBe(
      'policy "a": tools pattern "payments.trasfer" (/tools/0) matches the tool of no sample action (did you mean "payments.transfer"?)',
    );
  });

  it('matches patterns as the engine does: globs, exact names, case', () => {
    const policies: PolicyDefinition[] = [
      { id: 'glob', tools: ['payments.*', '**'] },
      { id: 'exact', tools: ['search.web'] },
      { id: 'case', tools: ['Search.web'] },
    ];
    expect(where(findingsOf('unreachable-tools', policies, { actions: SAMPLES }))).toEqual(['case /tools/0']);
  });

  it('leaves advisory and enforcement-only policies out: they judge no action', () => {
    const policies: PolicyDefinition[] = [
      { id: 'advice', severity: 'advisory', tools: ['nothing.here'] },
      { id: 'engine', tools: ['nothing.here'], enforcement: [{ engine: 'opa', policy: 'x.rego', query: 'data.x.deny' }] },
    ];
    expect(findingsOf('unreachable-tools', policies, { actions: SAMPLES })).toEqual([]);
  });
});
