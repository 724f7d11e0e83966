import { describe, expect, expectTypeOf, it } from 'vitest';
import { checkAction } from '../../src/check-action.js';
import { createEngine } from '../../src/engine.js';
import { TierguardError, isTierguardError } from '../../src/errors.js';
import type { InvalidPolicyDetails, PolicyIssueDetails } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('TierguardError details typed per code', () => {
  it('narrows LIMIT_EXCEEDED details to their keys, with no cast', () => {
    const error = thrownBy(() => checkAction({ tool: 't', arguments: { a: { b: {} } } }, { ...DEFAULT_LIMITS, maxDepth: 2 }));
    if (!isTierguardError(error, 'LIMIT_EXCEEDED')) throw new Error('expected LIMIT_EXCEEDED');
    expectTypeOf(error.details.limit).toEqualTypeOf<string | undefined>();
    expectTypeOf(error.details.pointer).toEqualTypeOf<string | undefined>();
    expect(error.details.limit).toBe('maxDepth');
    expect(error.details.pointer).toBe('/arguments/a');
  });

  it('narrows INVALID_POLICY details to the policy, its index and its issues', async () => {
    const error: unknown = await createEngine({ policies: [{ id: 'p', assert: { field: 'x', op: 'equals', value: 1 } } as never] }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (!isTierguardError(error, 'INVALID_POLICY')) throw new Error('expected INVALID_POLICY');
    expectTypeOf(error.details.policyIndex).toEqualTypeOf<number | undefined>();
    expectTypeOf(error.details.issues).toEqualTypeOf<PolicyIssueDetails[] | undefined>();
    expectTypeOf(error.details.errors).toEqualTypeOf<InvalidPolicyDetails[] | undefined>();
    expect(error.details.policyIndex).toBe(0);
    expect(error.details.issues?.map((issue) => issue.pointer)).toEqual(['/assert/op']);
  });

  it('keeps every key readable as unknown when the code is not known, as before', () => {
    const error: TierguardError = new TierguardError('IO_ERROR', 'x', { file: 'f', extra: 1 });
    expectTypeOf(error.details['file']).toEqualTypeOf<unknown>();
    expect(error.details).toEqual({ file: 'f', extra: 1 });
    expect(new TierguardError('AUDIT_FAILED', 'y').details).toEqual({});
  });
});
