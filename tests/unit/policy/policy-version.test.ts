import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import { canonicalJson, policySetVersion } from '../../../src/policy/policy-version.js';

describe('policy set version', () => {
  const policy = { id: 'a', tools: ['t'], assert: { field: 'x', op: 'eq', value: 1 } } as const;

  it('ignores key order and changes with any edit', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    const reordered = { assert: { value: 1, op: 'eq', field: 'x' }, tools: ['t'], id: 'a' };
    expect(policySetVersion([policy])).toBe(policySetVersion([reordered]));
    expect(policySetVersion([policy])).not.toBe(policySetVersion([{ ...policy, assert: { ...policy.assert, value: 2 } }]));
    expect(policySetVersion([policy])).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('is carried by the engine and every decision', async () => {
    const engine = await createEngine({ policies: [policy] });
    expect(engine.version).toBe(policySetVersion([policy]));
    expect(engine.evaluateAuto({ tool: 't', x: 1 }).policyVersion).toBe(engine.version);
    expect(engine.evaluateAuto({ tool: 't', x: 2 }).policyVersion).toBe(engine.version);
  });

  it('does not let the caller change a compiled policy set', async () => {
    const definitions = [{ id: 'a', assert: { field: 'x', op: 'eq' as const, value: 1 } }];
    const engine = await createEngine({ policies: definitions });
    (definitions[0] as { assert: { value: number } }).assert.value = 2;
    expect(engine.evaluateAuto({ tool: 't', x: 1 }).verdict).toBe('allow');
    expect(Object.isFrozen(engine)).toBe(true);
  });
});
