import { describe, expect, it } from 'vitest';
import { isTierguardError } from '../../../src/errors.js';
import { LINT_RULE_IDS, LINT_RULES, lintPolicies, type PolicyDefinition } from '../../../src/index.js';
import { thrownBy } from '../../support/thrown-by.js';

/** The entry point: options, the order of findings, files, and input that is not what it should be. */

const TYPO: PolicyDefinition = { id: 'typo', tools: ['pay'], when: { field: 'arguments.amout', op: 'gt', value: 1 } };
const EMPTY_IN: PolicyDefinition = {
  id: 'empty',
  tools: ['pay'],
  when: { field: 'arguments.amount', op: 'in', value: [] },
  message: '{ x }',
};
const SAMPLE = { tool: 'pay', arguments: { amount: 5 } };

describe('lintPolicies', () => {
  it('gives each finding its rule, severity, policy, file, pointer and message, in policy order then rule order', () => {
    const findings = lintPolicies([EMPTY_IN, TYPO], { actions: [SAMPLE], sources: ['a.json', 'b.json'] });
    expect(findings.map(({ rule, policyId, file, severity }) => `${policyId} ${rule} ${severity} ${file}`)).toEqual([
      'empty never-applies error a.json',
      'empty unfilled-placeholder warning a.json',
      'typo unknown-field error b.json',
    ]);
    for (const finding of findings) expect(finding.severity).toBe(LINT_RULES[finding.rule].severity);
    expect(lintPolicies([EMPTY_IN])[0]).not.toHaveProperty('file');
  });

  it('documents every rule once, with a severity', () => {
    expect(Object.keys(LINT_RULES)).toEqual([...LINT_RULE_IDS]);
    for (const id of LINT_RULE_IDS) expect(['error', 'warning']).toContain(LINT_RULES[id].severity);
  });

  it('finds nothing in the shipped example policies on their own', async () => {
    const { loadPolicies } = await import('../../../src/bundle/load-policies.js');
    const { definitions } = await loadPolicies('examples/policies');
    expect(lintPolicies(definitions)).toEqual([]);
  });

  it('throws INVALID_POLICY for a set that does not compile, as createEngine does', () => {
    const error = thrownBy(() => lintPolicies([{ id: 'p', assert: { field: 'x', op: 'equals', value: 1 } }]));
    expect(isTierguardError(error, 'INVALID_POLICY')).toBe(true);
    expect((error as Error).message).toContain('/assert/op');
  });

  it('refuses unknown options, with a suggestion, and actions with tools together', () => {
    const error = thrownBy(() => lintPolicies([TYPO], { action: [SAMPLE] } as never));
    expect(isTierguardError(error, 'INVALID_OPTIONS')).toBe(true);
    expect((error as Error).message).toContain('unknown lint option "action" (did you mean "actions"?)');
    expect(() => lintPolicies([TYPO], { actions: [SAMPLE], tools: [] })).toThrow(/give actions or tools, not both/);
    expect(() => lintPolicies([TYPO], { sources: ['only-one.json', 'two.json'] })).toThrow(/one file per policy/);
    expect(() => lintPolicies([TYPO], { actions: [SAMPLE], actionFiles: [] })).toThrow(/one file per sample action/);
    expect(() => lintPolicies([TYPO], { limits: { maxDepth: -1 } })).toThrow(/maxDepth/);
  });

  it('refuses a sample action that is not an object with a string tool, naming its file', () => {
    for (const action of [null, [], 'pay', { arguments: {} }, { tool: 5 }]) {
      const error = thrownBy(() => lintPolicies([TYPO], { actions: [SAMPLE, action], actionFiles: ['ok.json', 'bad.json'] }));
      expect(isTierguardError(error, 'INVALID_ACTION'), JSON.stringify(action)).toBe(true);
      expect((error as Error).message).toMatch(/^bad\.json: /);
    }
    const cyclic: Record<string, unknown> = { tool: 'pay' };
    cyclic.self = cyclic;
    expect(() => lintPolicies([TYPO], { actions: [cyclic] })).toThrow(/^actions\[0\]: action is nested deeper than limits.maxDepth/);
    expect(() => lintPolicies([TYPO], { actions: [{ tool: 'pay', n: 1n }] })).toThrow(
      /actions\[0\]: the sample action cannot be read as JSON/,
    );
    const hostile = {
      tool: 'pay',
      get arguments(): never {
        throw new Error('no');
      },
    };
    expect(() => lintPolicies([TYPO], { actions: [hostile] })).toThrow(/cannot be read as JSON: no/);
  });

  it('stays bounded on hostile input: deep samples, huge names, many keys', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 5_000; level += 1) deep = { a: deep };
    const tooDeep = thrownBy(() => lintPolicies([TYPO], { actions: [{ tool: 'pay', deep }], actionFiles: ['deep.json'] }));
    expect(isTierguardError(tooDeep, 'LIMIT_EXCEEDED')).toBe(true);
    expect((tooDeep as Error).message).toMatch(/^deep\.json: action is nested deeper than limits\.maxDepth \(64\)/);
    deep = 1;
    for (let level = 0; level < 60; level += 1) deep = { a: deep };
    const sample = {
      tool: 'pay',
      arguments: { deep, ['k'.repeat(100_000)]: 1, ...Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, i])) },
    };
    const findings = lintPolicies(
      [TYPO, { id: 'long', tools: ['pay'], assert: { field: `arguments.${'k'.repeat(99_999)}`, op: 'exists' } }],
      {
        actions: [sample],
      },
    );
    expect(findings.map((finding) => `${finding.policyId} ${finding.rule}`)).toEqual(['typo unknown-field', 'long unknown-field']);
    expect(findings[1]?.message.length).toBeLessThan(1_000);
  });
});
