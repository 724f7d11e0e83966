import { describe, expect, it } from 'vitest';
import { mapOpaOutput, mapOpaValue, opaErrors } from '../../../../src/engines/opa/opa-result.js';
import type { OpaResultContext } from '../../../../src/engines/opa/opa-result.js';

const CONTEXT: OpaResultContext = {
  query: 'data.s3.deny',
  policyId: 'p',
  kind: 'violations',
  maxViolations: 3,
  maxMessageLength: 40,
  scrub: (text) => text.replaceAll('/tmp/tierguard-engine-x1/', ''),
};

/** `opa eval --format json` output holding one value. */
const output = (value: unknown): string => JSON.stringify({ result: [{ expressions: [{ value, text: 'data.s3.deny' }] }] });

describe('opa-result: mapping untrusted opa output', () => {
  it('reads only own properties: prototype keys are data, never members', () => {
    const crafted = '{"result":[{"expressions":[{"value":[{"__proto__":{"msg":"inherited"},"constructor":{"id":"x"},"msg":"own"}]}]}]}';
    const mapped = mapOpaOutput(crafted, CONTEXT);
    expect(mapped).toEqual({ ok: true, violations: [expect.objectContaining({ message: 'own', constraint: 'data.s3.deny' })] });
    const inheritedOnly = mapOpaOutput('{"result":[{"expressions":[{"value":[{"__proto__":{"msg":"inherited","id":"r"}}]}]}]}', CONTEXT);
    expect(inheritedOnly.ok && inheritedOnly.violations.map((v) => [v.constraint, v.message])).toEqual([
      ['data.s3.deny', '{"__proto__":{"msg":"inherited","id":"r…'],
    ]);
    expect(({} as Record<string, unknown>)['msg']).toBeUndefined();
    const protoResult = mapOpaOutput('{"__proto__":{"result":[]}}', CONTEXT);
    expect(protoResult.ok ? 'pass' : protoResult.error.code).toBe('INVALID_BINDING');
  });

  it('refuses a set larger than maxViolations as LIMIT_EXCEEDED, not a silent cut', () => {
    const mapped = mapOpaOutput(output(Array.from({ length: 100_000 }, (_, n) => `m${n}`)), CONTEXT);
    expect(mapped).toEqual({
      ok: false,
      error: { code: 'LIMIT_EXCEEDED', message: 'the query data.s3.deny gave 100000 violations, more than the limit of 3' },
    });
  });

  it('is INVALID_OUTPUT for output that is not JSON or not the expected shape', () => {
    for (const text of ['', 'not json', '{"result": [', '[]', 'null', '{"result": {}}']) {
      const mapped = mapOpaOutput(text, CONTEXT);
      expect(mapped.ok ? 'pass' : mapped.error.code, text).toBe('INVALID_OUTPUT');
    }
    const twoResults = mapOpaOutput('{"result":[{"expressions":[{"value":[]}]},{"expressions":[{"value":[]}]}]}', CONTEXT);
    expect(twoResults.ok ? 'pass' : twoResults.error.code).toBe('INVALID_BINDING');
  });

  it('is an error, never a pass, for an undefined query', () => {
    expect(mapOpaOutput('{}', CONTEXT)).toEqual({
      ok: false,
      error: {
        code: 'INVALID_BINDING',
        message: 'the query data.s3.deny is undefined for this policy and input (is the package or rule name right?)',
      },
    });
  });

  it('cuts long messages and rule ids, scrubs them, and shows odd elements as JSON', () => {
    const mapped = mapOpaValue(
      ['/tmp/tierguard-engine-x1/plan.json: ' + 'x'.repeat(100), 42, null, { id: 'r'.repeat(100), severity: 'note' }],
      { ...CONTEXT, maxViolations: 10 },
    );
    if (!mapped.ok) throw new Error(mapped.error.message);
    expect(mapped.violations.map((v) => [v.constraint.length, v.message.slice(0, 12), v.severity])).toEqual([
      [12, '42', 'violation'],
      [12, 'null', 'violation'],
      [12, 'plan.json: x', 'violation'],
      [40, '{"id":"rrrrr', 'info'],
    ]);
    expect(mapped.violations.every((v) => v.message.length <= 40)).toBe(true);
  });

  it('reads paths as segments or dotted strings, and drops malformed ones', () => {
    const mapped = mapOpaValue(
      [
        { msg: 'a', path: 'resources.site.acl' },
        { msg: 'b', path: ['items', 0, 'name'] },
        { msg: 'c', path: ['x', -1] },
        { msg: 'd', path: { not: 'a path' } },
      ],
      { ...CONTEXT, maxViolations: 10 },
    );
    expect(mapped.ok && mapped.violations.map((v) => [v.message, v.path])).toEqual([
      ['b', ['items', 0, 'name']],
      ['a', ['resources', 'site', 'acl']],
      ['c', []],
      ['d', []],
    ]);
  });

  it('reads booleans for allow and deny, and nothing else', () => {
    expect(mapOpaValue(true, { ...CONTEXT, kind: 'allow' })).toEqual({ ok: true, violations: [] });
    expect(mapOpaValue(true, { ...CONTEXT, kind: 'deny' }).ok && 'fail').toBe('fail');
    const notBoolean = mapOpaValue('true', { ...CONTEXT, kind: 'allow' });
    expect(notBoolean.ok ? 'pass' : notBoolean.error.code).toBe('INVALID_OUTPUT');
  });

  it('summarises OPA errors, ignoring what is not an error list', () => {
    const errors = JSON.stringify({
      errors: [
        { code: 'rego_parse_error', message: 'unexpected } token', location: { file: 'x.rego', row: 7 } },
        'odd',
        { __proto__: { message: 'no' } },
      ],
    });
    expect(opaErrors(errors)).toBe('rego_parse_error: unexpected } token (x.rego:7); an error; no message');
    expect(opaErrors('not json')).toBeUndefined();
    expect(opaErrors('{"errors": {}}')).toBeUndefined();
  });
});
