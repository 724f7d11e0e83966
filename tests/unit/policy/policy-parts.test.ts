import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/limits.js';
import { compilePolicies } from '../../../src/policy/compile-policies.js';
import { policyParts } from '../../../src/policy/policy-parts.js';
import type { PolicyParts } from '../../../src/policy/policy-parts.js';
import type { PolicyDefinition } from '../../../src/types.js';

const ASSERT = { field: 'arguments.x', op: 'eq', value: 1 } as const;
const SHAPE = { properties: [{ path: 'arguments.x', minCount: 1 }] };
const OPA = { engine: 'opa', policy: 'rego/p.rego', query: 'data.p.deny' };
const SEMGREP = { engine: 'semgrep', policy: 'rules.yaml' };
const NONE: PolicyParts = {
  auto: false,
  formal: [],
  rewrites: false,
  engines: [],
  engineOnly: false,
  assertsNothing: false,
  advisory: false,
};

const CASES: readonly (readonly [string, Omit<PolicyDefinition, 'id'>, Partial<PolicyParts>])[] = [
  ['assert', { assert: ASSERT }, { auto: true }],
  ['require', { require: ['arguments.x'] }, { auto: true }],
  ['nothing at all (violated whenever it applies)', { tools: ['t'] }, { auto: true, assertsNothing: true }],
  ['only when (still nothing to judge with)', { when: ASSERT }, { auto: true, assertsNothing: true }],
  ['advisory: guidance only, not violated whenever it applies', { severity: 'advisory', tools: ['t'] }, { advisory: true }],
  ['shape only', { shape: SHAPE }, { formal: ['shape'] }],
  ['shapesFile only', { shapesFile: 'shapes.ttl' }, { formal: ['shapesFile'] }],
  ['shape and shapesFile', { shape: SHAPE, shapesFile: 'shapes.ttl' }, { formal: ['shape', 'shapesFile'] }],
  ['rewrite only', { rewrite: [{ field: 'arguments.x', op: 'remove_field' }] }, { rewrites: true }],
  ['engines only', { enforcement: [OPA, SEMGREP, { ...OPA, query: 'data.q.deny' }] }, { engines: ['opa', 'semgrep'], engineOnly: true }],
  ['engines and an assertion', { assert: ASSERT, enforcement: [OPA] }, { auto: true, engines: ['opa'] }],
  ['engines and a shape', { shape: SHAPE, enforcement: [OPA] }, { formal: ['shape'], engines: ['opa'] }],
  [
    'engines and a rewrite',
    { rewrite: [{ field: 'arguments.y', op: 'remove_field' }], enforcement: [OPA] },
    { rewrites: true, engines: ['opa'] },
  ],
];

describe('policyParts', () => {
  it.each(CASES)('%s', (_name, definition, expected) => {
    expect(policyParts({ id: 'p', ...definition })).toEqual({ ...NONE, ...expected });
  });

  it('is frozen, lists included', () => {
    const parts = policyParts({ id: 'p', shape: SHAPE, enforcement: [OPA] });
    expect(Object.isFrozen(parts)).toBe(true);
    expect(Object.isFrozen(parts.formal)).toBe(true);
    expect(Object.isFrozen(parts.engines)).toBe(true);
  });
});

describe('CompiledPolicy.parts', () => {
  it('is what policyParts says of the compiled definition', () => {
    const definitions = CASES.map(([, definition], index) => ({ id: `p${index}`, ...definition }));
    const compiled = compilePolicies(definitions, DEFAULT_LIMITS);
    expect(compiled).toHaveLength(CASES.length);
    for (const policy of compiled) {
      expect(policy.parts).toEqual(policyParts(policy.definition));
      expect(Object.isFrozen(policy.parts)).toBe(true);
    }
  });

  it('keeps an engine-only policy failing closed should it ever reach the auto tier', () => {
    const [policy] = compilePolicies([{ id: 'e', enforcement: [OPA] }], DEFAULT_LIMITS);
    expect(policy?.parts.engineOnly).toBe(true);
    expect(policy?.satisfied({ tool: 't', kind: 'tools/call', arguments: {} })).toBe(false);
  });
});
