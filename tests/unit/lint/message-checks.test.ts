import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine.js';
import type { PolicyDefinition } from '../../../src/types.js';
import { findingsOf, where } from './support.js';

/** Messages that never read as meant: brace text left as written, a placeholder with nothing to fill it, a message no violation uses. */

const cap = (message: string, more: Partial<PolicyDefinition> = {}): PolicyDefinition => ({
  id: 'cap',
  assert: { field: 'arguments.total', op: 'lte', value: 100 },
  message,
  ...more,
});

describe('unfilled-placeholder', () => {
  it('reports brace text that is no placeholder, which the engine prints as written', async () => {
    const policy = cap('{arguments.total} is over {expected} ({ field })');
    const engine = await createEngine({ policies: [policy] });
    expect(engine.evaluateAuto({ tool: 't', arguments: { total: 500 } }).violations[0]?.message).toBe(
      '{arguments.total} is over 100 ({ field })',
    );
    const findings = findingsOf('unfilled-placeholder', [policy]);
    expect(findings.map((finding) => finding.severity)).toEqual(['warning', 'warning']);
    expect(findings[0]?.message).toBe(
      'policy "cap": "{arguments.total}" in its message is no placeholder and shows as written; the placeholders are {policy}, {tool}, {field}, {op}, {expected}, {actual}',
    );
    expect(findings[1]?.message).toContain('"{ field }" in its message is no placeholder and shows as written; the placeholders are');
    expect(findings[1]?.message).toContain('(did you mean "{field}"?)');
  });

  it('reports {actual} in a policy that only requires fields: it never has a value', () => {
    expect(where(findingsOf('unfilled-placeholder', [{ id: 'r', require: ['arguments.reason'], message: 'got {actual}' }]))).toEqual([
      'r /message',
    ]);
    expect(
      findingsOf('unfilled-placeholder', [cap('{field} is {actual}, over {expected} for {tool} ({policy}, {op}); {{field}}')]),
    ).toEqual([]);
  });
});

describe('unused-message', () => {
  it('reports a message on a policy with no auto-tier check', () => {
    const shaped: PolicyDefinition = {
      id: 'shaped',
      shape: { properties: [{ path: 'arguments.total', minCount: 1 }] },
      message: 'total is required',
    };
    const rewrites: PolicyDefinition = { id: 'masks', rewrite: [{ op: 'mask_field', field: 'arguments.card' }], message: 'masked' };
    const findings = findingsOf('unused-message', [shaped, rewrites, cap('too much')]);
    expect(where(findings)).toEqual(['shaped /message', 'masks /message']);
    expect(findings[0]?.severity).toBe('warning');
    // Violated whenever it applies: its violation is an auto-tier one, with the message.
    expect(findingsOf('unused-message', [{ id: 'outright', tools: ['db.drop'], message: 'never {tool}' }])).toEqual([]);
  });
});
