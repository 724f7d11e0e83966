import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindingOption, checkBinding, checkPolicyExists } from '../../../../src/engines/binding/check-binding.js';
import type { EngineBinding } from '../../../../src/engines/types.js';

const BINDING: EngineBinding = {
  engine: 'opa',
  policy: 'policies/s3.rego',
  policyId: 's3.public',
  query: 'data.s3.deny',
  options: { mode: 'cli' },
};

describe('checkBinding', () => {
  it('accepts a well-formed binding for this adapter', () => {
    expect(checkBinding('opa', BINDING, ['mode'])).toBeUndefined();
    expect(checkBinding('opa', { engine: 'opa', policy: 'p.rego', policyId: 'p' }, [])).toBeUndefined();
  });

  it('rejects a binding for another engine, naming both', () => {
    expect(checkBinding('semgrep', BINDING, ['mode'])).toEqual({
      code: 'INVALID_BINDING',
      message: 'the binding is for engine "opa", not semgrep',
    });
  });

  it('rejects malformed bindings', () => {
    const cases: [unknown, RegExp][] = [
      [null, /must be an object/],
      [{ ...BINDING, policy: '' }, /needs a policy path/],
      [{ ...BINDING, policyId: undefined }, /needs the id of the policy/],
      [{ ...BINDING, query: 7 }, /query must be a string/],
      [{ ...BINDING, options: [] }, /options must be an object/],
      [{ ...BINDING, options: { mode: 'cli', extra: 1 } }, /unknown opa option "extra" \(known: mode\)/],
      [{ ...BINDING, options: { mode: 'cli' } }, /unknown opa option "mode" \(known: none\)/],
    ];
    cases.forEach(([binding, message], index) => {
      const known = index === cases.length - 1 ? [] : ['mode'];
      expect(checkBinding('opa', binding as EngineBinding, known)?.message).toMatch(message);
    });
  });
});

describe('bindingOption', () => {
  it('reads own options only', () => {
    expect(bindingOption(BINDING, 'mode')).toBe('cli');
    expect(bindingOption(BINDING, 'toString')).toBeUndefined();
    expect(
      bindingOption({ ...BINDING, options: JSON.parse('{"__proto__": {"mode": "x"}}') as Record<string, never> }, 'mode'),
    ).toBeUndefined();
  });
});

describe('checkPolicyExists', () => {
  it('accepts a file, and a directory only when asked to', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tierguard-policy-test-'));
    try {
      const file = join(dir, 'rule.yaml');
      await writeFile(file, 'rules: []');
      expect(await checkPolicyExists(file, false)).toBeUndefined();
      expect(await checkPolicyExists(dir, true)).toBeUndefined();
      expect(await checkPolicyExists(dir, false)).toEqual({ code: 'POLICY_NOT_FOUND', message: `the policy ${dir} is not a file` });
      expect(await checkPolicyExists(join(dir, 'missing.yaml'), true)).toEqual({
        code: 'POLICY_NOT_FOUND',
        message: `the policy ${join(dir, 'missing.yaml')} does not exist or cannot be read`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
