import { describe, expect, it } from 'vitest';
import { effectiveSeverity } from '../../../src/guidance/severity.js';

/** The severity get_constraints reports and filters by when a policy declares none. */

describe('effectiveSeverity', () => {
  it('is the declared severity, else hard for deny and escalate (and no effect), soft for warn', () => {
    expect(effectiveSeverity({ severity: 'advisory' })).toBe('advisory');
    expect(effectiveSeverity({ severity: 'soft', effect: 'escalate' })).toBe('soft');
    expect(effectiveSeverity({})).toBe('hard');
    expect(effectiveSeverity({ effect: 'deny' })).toBe('hard');
    expect(effectiveSeverity({ effect: 'escalate' })).toBe('hard');
    expect(effectiveSeverity({ effect: 'warn' })).toBe('soft');
  });
});
