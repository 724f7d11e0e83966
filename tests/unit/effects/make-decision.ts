import type { AuditFacts } from '../../../src/effects/audit-event.js';
import type { Decision, Rewrite, Violation } from '../../../src/types.js';

/** Builders for hand-made decisions: every field of `Decision` filled, overridable one by one. */

/** An allow decision with every list empty, overridden by `parts`. */
export function makeDecision(parts: Partial<Decision> = {}): Decision {
  return {
    verdict: 'allow',
    outcome: 'allow',
    violations: [],
    warnings: [],
    wouldDeny: [],
    wouldEscalate: [],
    escalatedBy: [],
    errors: [],
    rewrites: [],
    action: { tool: 'pay', arguments: { amount: 10 } },
    policyVersion: 'sha256:0000',
    ...parts,
  };
}

/** A deny violation of an auto-tier `lte`, overridden by `parts`. */
export function makeViolation(parts: Partial<Violation> = {}): Violation {
  return {
    policyId: 'pay.limit',
    tier: 'auto',
    constraint: 'lte',
    path: ['arguments', 'amount'],
    message: 'arguments.amount must be at most 1000 (got 5000)',
    expected: 1000,
    actual: 5000,
    effect: 'deny',
    severity: 'violation',
    ...parts,
  };
}

/** An applied `mask_field` rewrite, overridden by `parts`; other ops carry no value unless given one. */
export function makeRewrite(parts: Partial<Rewrite> = {}): Rewrite {
  const masks = (parts.op ?? 'mask_field') === 'mask_field';
  return {
    policyId: 'secrets.mask',
    op: 'mask_field',
    path: ['arguments', 'apiKey'],
    ...(masks ? { value: '***' } : {}),
    applied: true,
    ...parts,
  };
}

/** Facts for a request decided at a fixed time. */
export const FACTS: AuditFacts = {
  phase: 'request',
  tool: 'pay',
  durationMs: { auto: 0.25, formal: 0, total: 0.25 },
  time: new Date('2025-01-02T03:04:05.678Z'),
};
