import { describe, expect, it } from 'vitest';
import { errorVerdict, findingsVerdict } from '../../../src/engines/verdict.js';
import type { EngineBinding, EngineVerdict, ValidationOutcome } from '../../../src/engines/types.js';
import type { Violation } from '../../../src/types.js';

const BINDING: EngineBinding = { engine: 'semgrep', policy: 'rules.yaml', policyId: 'p' };
const VIOLATION: Violation = {
  policyId: 'p',
  tier: 'engine',
  constraint: 'no-eval',
  path: [],
  message: 'eval',
  effect: 'deny',
  severity: 'violation',
};
const ERROR = { code: 'ENGINE_FAILED', message: 'it crashed' } as const;

/** What a caller reads of a verdict, through the tag alone: no optional access, no assertion. */
function summary(verdict: EngineVerdict): string {
  switch (verdict.verdict) {
    case 'error':
      return `error ${verdict.error.code}`;
    case 'fail':
      return `fail ${verdict.violations.map((violation) => violation.constraint).join(',')}`;
    case 'pass':
      return `pass ${verdict.violations.length}`;
  }
}

describe('engine verdicts', () => {
  it('are fail with violations, pass without, and error with why', () => {
    const started = performance.now();
    expect(findingsVerdict('semgrep', BINDING, [VIOLATION], started)).toMatchObject({
      verdict: 'fail',
      policy: 'rules.yaml',
      violations: [VIOLATION],
    });
    expect(findingsVerdict('semgrep', BINDING, [], started)).toMatchObject({ verdict: 'pass', violations: [] });
    expect(findingsVerdict('semgrep', BINDING, [], started)).not.toHaveProperty('error');
    expect(errorVerdict('semgrep', BINDING, ERROR, started)).toMatchObject({ verdict: 'error', violations: [], error: ERROR });
    expect(summary(errorVerdict('semgrep', BINDING, ERROR, started))).toBe('error ENGINE_FAILED');
    expect(summary(findingsVerdict('semgrep', BINDING, [VIOLATION], started))).toBe('fail no-eval');
  });

  it('are told apart by the tag, which the compiler holds producers to', () => {
    const fields = { engine: 'semgrep', policy: 'rules.yaml', durationMs: 1 };
    const wellFormed: EngineVerdict[] = [
      { verdict: 'pass', ...fields, violations: [] },
      { verdict: 'fail', ...fields, violations: [VIOLATION] },
      { verdict: 'error', ...fields, violations: [], error: ERROR },
    ];
    const outcomes: ValidationOutcome[] = wellFormed.map((verdict) => verdict.verdict);
    expect(outcomes).toEqual(['pass', 'fail', 'error']);
    const malformed: EngineVerdict[] = [
      // @ts-expect-error an error verdict must say why
      { verdict: 'error', ...fields, violations: [] },
      // @ts-expect-error a pass verdict carries no error
      { verdict: 'pass', ...fields, violations: [], error: ERROR },
      // @ts-expect-error a pass verdict has no violations
      { verdict: 'pass', ...fields, violations: [VIOLATION] },
      // @ts-expect-error an error verdict has no violations
      { verdict: 'error', ...fields, violations: [VIOLATION], error: ERROR },
    ];
    expect(malformed).toHaveLength(4);
  });
});
