import { describe, expect, it } from 'vitest';
import { remediationOf } from '../../../src/guidance/remediation.js';

/** The remediation validate gives for a violated policy, from its guidance. */

describe('remediationOf', () => {
  it('joins do, dont and the compliant example, and leaves the non-compliant one out', () => {
    expect(
      remediationOf({
        do: ['block public ACLs', 'set an owner tag'],
        dont: ['use acl = "public-read"'],
        exampleCompliant: { language: 'hcl', note: 'blocks public access', code: 'block_public_acls = true' },
        exampleNoncompliant: 'acl = "public-read"',
      }),
    ).toBe(
      'Do: block public ACLs; set an owner tag. Don\'t: use acl = "public-read". Compliant example (hcl: blocks public access):\nblock_public_acls = true',
    );
    expect(remediationOf({ exampleCompliant: 'calls go through the event bus' })).toBe('Compliant example: calls go through the event bus');
    expect(remediationOf({ exampleCompliant: { code: 'x = 1' } })).toBe('Compliant example:\nx = 1');
  });

  it('is undefined without guidance, or with only a non-compliant example', () => {
    expect(remediationOf(undefined)).toBeUndefined();
    expect(remediationOf({ exampleNoncompliant: 'x', do: [] })).toBeUndefined();
  });
});
