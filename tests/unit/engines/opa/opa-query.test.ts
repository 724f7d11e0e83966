import { describe, expect, it } from 'vitest';
import { queryToPath } from '../../../../src/engines/opa/opa-query.js';

describe('queryToPath', () => {
  it('turns a data reference into a REST path and Wasm entrypoint', () => {
    expect(queryToPath('data.s3.deny')).toEqual({ ok: true, path: 's3/deny' });
    expect(queryToPath(' data.a_b.c1 ')).toEqual({ ok: true, path: 'a_b/c1' });
  });

  it('refuses anything that is not a plain document reference', () => {
    for (const query of [
      'data',
      'data.',
      'input.x',
      'data.s3.deny[x]',
      'count(data.s3.deny)',
      'data["s3"].deny',
      'data.s3..deny',
      'data.1x',
      'data.s3/../x',
    ]) {
      const mapped = queryToPath(query);
      expect(mapped.ok ? mapped.path : mapped.error.code, query).toBe('INVALID_BINDING');
    }
  });
});
