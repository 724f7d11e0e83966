import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_LIMITS } from '../../../../src/limits.js';
import { opaResultContext, readOpaBinding, readOpaDocumentBinding } from '../../../../src/engines/opa/opa-binding.js';
import type { EngineBinding } from '../../../../src/engines/types.js';

const BINDING: EngineBinding = { engine: 'opa', policy: 'rego/s3.rego', policyId: 's3.public', query: 'data.s3.deny' };
const invalid = (message: string): unknown => ({ ok: false, error: { code: 'INVALID_BINDING', message } });

describe('readOpaBinding', () => {
  it('reads the query and the result kind, violations by default', () => {
    expect(readOpaBinding(BINDING)).toEqual({ ok: true, binding: { query: 'data.s3.deny', kind: 'violations' } });
    expect(readOpaBinding({ ...BINDING, query: 'count(data.s3.deny) == 0', options: { result: 'allow' } })).toEqual({
      ok: true,
      binding: { query: 'count(data.s3.deny) == 0', kind: 'allow' },
    });
  });

  it('refuses a binding without a query, with an unknown option, or with another result kind', () => {
    expect(readOpaBinding({ ...BINDING, query: ' ' })).toEqual(invalid('an opa binding needs a query, such as data.s3.deny'));
    expect(readOpaBinding({ ...BINDING, options: { mode: 'cli' } })).toEqual(invalid('unknown opa option "mode" (known: result)'));
    expect(readOpaBinding({ ...BINDING, options: { result: 'fail' } })).toEqual(
      invalid('opa option result must be one of violations, allow, deny'),
    );
  });
});

describe('readOpaDocumentBinding', () => {
  it("adds the query's document path", () => {
    expect(readOpaDocumentBinding({ ...BINDING, options: { result: 'deny' } })).toEqual({
      ok: true,
      binding: { query: 'data.s3.deny', path: 's3/deny', kind: 'deny' },
    });
  });

  it('checks the query is a document before it checks the result kind', () => {
    const read = readOpaDocumentBinding({ ...BINDING, query: 'data.s3.deny[x]', options: { result: 'fail' } });
    expect(read.ok ? '' : read.error.message).toMatch(/must name a document under data/);
  });
});

describe('opaResultContext', () => {
  it('carries the binding, its effect when given, and the limits', () => {
    const context = opaResultContext({ query: 'data.s3.deny', kind: 'violations' }, { ...BINDING, effect: 'warn' }, DEFAULT_ENGINE_LIMITS);
    expect(context).toMatchObject({
      query: 'data.s3.deny',
      policyId: 's3.public',
      effect: 'warn',
      kind: 'violations',
      maxViolations: DEFAULT_ENGINE_LIMITS.maxSarifResults,
      maxMessageLength: DEFAULT_ENGINE_LIMITS.maxMessageLength,
    });
    expect(context.scrub('/tmp/x')).toBe('/tmp/x');
    expect('effect' in opaResultContext({ query: 'data.s3.deny', kind: 'violations' }, BINDING, DEFAULT_ENGINE_LIMITS)).toBe(false);
  });
});
