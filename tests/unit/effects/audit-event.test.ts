import { describe, expect, it } from 'vitest';
import { actionDigest } from '../../../src/effects/action-digest.js';
import { buildAuditEvent } from '../../../src/effects/audit-event.js';
import type { AuditFacts } from '../../../src/effects/audit-event.js';
import { AUDIT_VALUE_BOUNDS } from '../../../src/effects/redact-violations.js';
import type { AuditEvent, Decision, Violation } from '../../../src/types.js';
import { thrownBy } from '../../support/thrown-by.js';
import { FACTS, makeDecision, makeRewrite, makeViolation } from './make-decision.js';

/** The event as it comes back from a JSON log line. */
const roundTrip = (event: AuditEvent): unknown => JSON.parse(JSON.stringify(event));

/** The only `actual` of the event's first violation. */
function renderedActual(actual: unknown): unknown {
  const event = buildAuditEvent(makeDecision({ verdict: 'deny', outcome: 'deny', violations: [makeViolation({ actual })] }), FACTS);
  expect(roundTrip(event)).toStrictEqual(event);
  return event.violations[0]?.actual;
}

describe('buildAuditEvent: fields', () => {
  const limit = makeViolation();
  const review = makeViolation({ policyId: 'pay.review', constraint: 'lte', expected: 500, effect: 'escalate' });
  const note = makeViolation({
    policyId: 'pay.note',
    constraint: 'require',
    path: ['arguments', 'memo'],
    message: 'arguments.memo is required',
    expected: undefined,
    actual: undefined,
    effect: 'warn',
    severity: 'warning',
  });
  const shadow = makeViolation({ policyId: 'pay.shadow', expected: 100, effect: 'deny' });
  const shadowReview = makeViolation({ policyId: 'pay.shadow-review', expected: 50, effect: 'escalate' });
  const decision: Decision = makeDecision({
    verdict: 'deny',
    outcome: 'deny',
    violations: [limit, review],
    warnings: [note],
    wouldDeny: [shadow],
    wouldEscalate: [shadowReview],
    escalatedBy: ['pay.review'],
    errors: [
      { code: 'EVALUATION_FAILED', message: 'pay.broken: a getter threw', policyId: 'pay.broken' },
      { code: 'LIMIT_EXCEEDED', message: 'action is nested too deep' },
    ],
    rewrites: [
      { policyId: 'pay.cap', op: 'cap_value', path: ['arguments', 'amount'], value: 5000, applied: true },
      { policyId: 'pay.limit', op: 'set_default', path: ['arguments', 'currency'], value: 'EUR', applied: false },
      { policyId: 'pay.strip', op: 'remove_field', path: ['arguments', 'debug'], applied: true },
    ],
    action: { tool: 'pay', kind: 'tools/call', arguments: { amount: 5000, currency: 'EUR' } },
    policyVersion: 'sha256:abc',
  });
  const facts: AuditFacts = {
    phase: 'request',
    tool: 'pay',
    kind: 'tools/call',
    durationMs: { auto: 0.1234567, formal: 2.5, total: 2.6234567 },
    time: new Date('2025-06-07T08:09:10.111Z'),
    labels: { method: 'tools/call', requestId: 7, retried: false, parent: null },
  };

  it('holds every field of the decision and the facts, in the order of AuditEvent', () => {
    const event = buildAuditEvent(decision, facts);
    expect(event).toStrictEqual({
      time: '2025-06-07T08:09:10.111Z',
      phase: 'request',
      tool: 'pay',
      kind: 'tools/call',
      actionDigest: actionDigest(decision.action),
      verdict: 'deny',
      outcome: 'deny',
      policyIds: ['pay.limit', 'pay.review', 'pay.note', 'pay.shadow', 'pay.shadow-review', 'pay.cap', 'pay.strip', 'pay.broken'],
      violations: [limit, review],
      warnings: [
        {
          policyId: 'pay.note',
          tier: 'auto',
          constraint: 'require',
          path: ['arguments', 'memo'],
          message: 'arguments.memo is required',
          effect: 'warn',
          severity: 'warning',
        },
      ],
      wouldDeny: [shadow],
      wouldEscalate: [shadowReview],
      escalatedBy: ['pay.review'],
      errors: decision.errors,
      rewrites: decision.rewrites,
      policyVersion: 'sha256:abc',
      durationMs: { auto: 0.123, formal: 2.5, total: 2.623 },
      labels: { method: 'tools/call', requestId: 7, retried: false, parent: null },
    });
    expect(Object.keys(event)).toEqual([
      'time',
      'phase',
      'tool',
      'kind',
      'actionDigest',
      'verdict',
      'outcome',
      'policyIds',
      'violations',
      'warnings',
      'wouldDeny',
      'wouldEscalate',
      'escalatedBy',
      'errors',
      'rewrites',
      'policyVersion',
      'durationMs',
      'labels',
    ]);
    expect(event.actionDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('survives a JSON round trip unchanged', () => {
    const event = buildAuditEvent(decision, facts);
    expect(roundTrip(event)).toStrictEqual(event);
  });

  it("copies rather than shares the decision's lists, so a handler cannot change the decision", () => {
    const event = buildAuditEvent(decision, facts);
    expect(event.violations).not.toBe(decision.violations);
    expect(event.violations[0]).not.toBe(decision.violations[0]);
    expect(event.violations[0]?.path).not.toBe(decision.violations[0]?.path);
    expect(event.rewrites[0]).not.toBe(decision.rewrites[0]);
    expect(event.escalatedBy).not.toBe(decision.escalatedBy);
    expect(event.labels).not.toBe(facts.labels);
  });

  it('leaves out kind and labels when not given, and says null for a tool that could not be read', () => {
    const event = buildAuditEvent(makeDecision(), { phase: 'response', tool: null, durationMs: FACTS.durationMs, time: FACTS.time });
    expect(event).not.toHaveProperty('kind');
    expect(event).not.toHaveProperty('labels');
    expect(event.tool).toBeNull();
    expect(event.phase).toBe('response');
    expect(event.policyIds).toEqual([]);
    expect(roundTrip(event)).toStrictEqual(event);
  });

  it('names each policy once, first seen in decision order, and skips errors without a policy', () => {
    const event = buildAuditEvent(
      makeDecision({
        violations: [makeViolation({ policyId: 'b' }), makeViolation({ policyId: 'a' }), makeViolation({ policyId: 'b' })],
        warnings: [makeViolation({ policyId: 'c' }), makeViolation({ policyId: 'a' })],
        rewrites: [makeRewrite({ policyId: 'd' }), makeRewrite({ policyId: 'c' })],
        errors: [
          { code: 'INVALID_ACTION', message: 'no tool' },
          { code: 'EVALUATION_FAILED', message: 'x', policyId: 'e' },
          { code: 'EVALUATION_FAILED', message: 'y', policyId: 'b' },
        ],
      }),
      FACTS,
    );
    expect(event.policyIds).toEqual(['b', 'a', 'c', 'd', 'e']);
  });

  it('writes the digest of the action as decided, and null when the action is not JSON', () => {
    const cyclic: Record<string, unknown> = { tool: 'loop' };
    cyclic.self = cyclic;
    const event = buildAuditEvent(makeDecision({ action: cyclic as Decision['action'] }), FACTS);
    expect(event.actionDigest).toBeNull();
    expect(roundTrip(event)).toStrictEqual(event);
    expect(buildAuditEvent(makeDecision({ action: { tool: 'x', a: 1 } }), FACTS).actionDigest).toBe(actionDigest({ a: 1, tool: 'x' }));
  });

  it('keeps durations finite and non-negative, and the time valid', () => {
    const event = buildAuditEvent(makeDecision(), {
      ...FACTS,
      durationMs: { auto: Number.NaN, formal: -0.0001, total: Number.POSITIVE_INFINITY },
      time: new Date(Number.NaN),
    });
    expect(event.durationMs).toStrictEqual({ auto: 0, formal: 0, total: 0 });
    expect(Object.is(event.durationMs.formal, 0)).toBe(true);
    expect(Number.isNaN(Date.parse(event.time))).toBe(false);
  });

  it("copies only the labels' own keys and makes their values JSON", () => {
    const labels = JSON.parse('{"__proto__":"p","n":1}') as Record<string, unknown>;
    Object.assign(labels, { nan: Number.NaN, big: 1n, nested: { a: 1 }, list: [1], gone: undefined });
    const event = buildAuditEvent(makeDecision(), { ...FACTS, labels: labels as AuditFacts['labels'] & object });
    expect(event.labels).toStrictEqual(
      JSON.parse('{"__proto__":"p","n":1,"nan":"<NaN>","big":"<bigint>","nested":"<object>","list":"<array>"}'),
    );
    expect(roundTrip(event)).toStrictEqual(event);
  });
});

describe('buildAuditEvent: violation values are JSON-safe and bounded', () => {
  it('keeps JSON values as they are', () => {
    expect(renderedActual({ a: [1, 'two', null, true, { b: 2.5 }] })).toStrictEqual({ a: [1, 'two', null, true, { b: 2.5 }] });
  });

  it('describes what JSON cannot hold', () => {
    expect(renderedActual(10n)).toBe('<bigint>');
    expect(renderedActual(() => 1)).toBe('<function>');
    expect(renderedActual(Symbol('s'))).toBe('<symbol>');
    expect(renderedActual(Number.NaN)).toBe('<NaN>');
    expect(renderedActual(Number.NEGATIVE_INFINITY)).toBe('<-Infinity>');
    expect(renderedActual(new Date('2025-01-01T00:00:00Z'))).toBe('2025-01-01T00:00:00.000Z');
    expect(renderedActual(new Date(Number.NaN))).toBe('<invalid date>');
    expect(renderedActual(new Proxy({ a: 1 }, {}))).toBe('<proxy>');
  });

  it('writes -0 as 0, drops undefined keys and writes undefined elements and holes as null', () => {
    // eslint-disable-next-line no-sparse-arrays
    const actual = renderedActual({ zero: -0, gone: undefined, list: [undefined, , 1] }) as { zero: number; list: unknown[] };
    expect(actual).toStrictEqual({ zero: 0, list: [null, null, 1] });
    expect(Object.is(actual.zero, 0)).toBe(true);
  });

  it('marks a cycle, and renders a shared reference twice', () => {
    const shared = { x: 1 };
    const actual: Record<string, unknown> = { a: shared, b: shared };
    actual.self = actual;
    expect(renderedActual(actual)).toStrictEqual({ a: { x: 1 }, b: { x: 1 }, self: '<cycle>' });
  });

  it('describes a throwing getter and never runs a Proxy trap', () => {
    let trapped = false;
    const trap = (): never => {
      trapped = true;
      throw new Error('trap');
    };
    const actual = {
      ok: 1,
      get bad(): unknown {
        throw new Error('hostile');
      },
      proxy: new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap, has: trap }),
    };
    expect(renderedActual(actual)).toStrictEqual({ ok: 1, bad: '<unreadable>', proxy: '<proxy>' });
    expect(trapped).toBe(false);
  });

  it('cuts long strings and keys with a marker, never between surrogate halves', () => {
    const max = AUDIT_VALUE_BOUNDS.maxStringLength;
    expect(renderedActual('a'.repeat(max))).toBe('a'.repeat(max));
    expect(renderedActual('a'.repeat(5_000))).toBe(`${'a'.repeat(max)}…(5000 chars)`);
    const emoji = `${'a'.repeat(max - 1)}😀tail`;
    expect(renderedActual(emoji)).toBe(`${'a'.repeat(max - 1)}…(${emoji.length} chars)`);
    expect(Object.keys(renderedActual({ ['k'.repeat(3_000)]: 1 }) as object)).toEqual([`${'k'.repeat(max)}…(3000 chars)`]);
  });

  it('marks nesting past its depth, and replaces a value with too many parts by a description', () => {
    let deep: unknown = 'bottom';
    for (let level = 0; level < 40; level += 1) deep = { d: deep };
    const rendered = JSON.stringify(renderedActual(deep));
    expect(rendered).toContain('"<too deep>"');
    expect(rendered).not.toContain('bottom');
    expect(rendered.split('{"d":').length - 1).toBe(AUDIT_VALUE_BOUNDS.maxDepth);
    expect(renderedActual(Array.from({ length: 100_000 }, (_, index) => index))).toBe(
      `<array of more than ${AUDIT_VALUE_BOUNDS.maxNodes} values>`,
    );
    expect(renderedActual(Object.fromEntries(Array.from({ length: 5_000 }, (_, index) => [`k${index}`, index])))).toBe(
      `<object of more than ${AUDIT_VALUE_BOUNDS.maxNodes} values>`,
    );
  });

  it('keeps an own "__proto__" key as a key, not as a prototype', () => {
    const actual = renderedActual(JSON.parse('{"__proto__":{"polluted":true}}')) as object;
    expect(Object.getPrototypeOf(actual)).toBe(Object.prototype);
    expect(Object.keys(actual)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('renders expected the same way, and drops an undefined one', () => {
    const event = buildAuditEvent(makeDecision({ violations: [makeViolation({ expected: 1n, actual: undefined })] }), FACTS);
    const [violation] = event.violations as [Violation];
    expect(violation.expected).toBe('<bigint>');
    expect(violation).not.toHaveProperty('actual');
  });
});

describe('buildAuditEvent: robustness', () => {
  it("never throws for a hostile action, and copies no action value but the violations'", () => {
    const hostile = new Proxy(
      { tool: 'x' },
      {
        get: () => {
          throw new Error('get');
        },
        ownKeys: () => {
          throw new Error('ownKeys');
        },
        getPrototypeOf: () => {
          throw new Error('getPrototypeOf');
        },
      },
    );
    const withRewrite = makeDecision({ action: hostile, rewrites: [makeRewrite({ applied: false })], violations: [makeViolation()] });
    expect(thrownBy(() => buildAuditEvent(withRewrite, FACTS))).toBeUndefined();

    const action = {
      tool: 'pay',
      arguments: { amount: 5000, note: 'UNIQUE-ACTION-VALUE-91', nested: { deeper: 'UNIQUE-ACTION-VALUE-92' } },
    };
    const event = buildAuditEvent(makeDecision({ action, violations: [makeViolation()] }), { ...FACTS, kind: 'tools/call' });
    expect(JSON.stringify(event)).not.toContain('UNIQUE-ACTION-VALUE');
  });

  it('does not throw for facts a JavaScript caller got wrong', () => {
    const facts = { ...FACTS, time: 'yesterday' } as unknown as AuditFacts;
    expect(thrownBy(() => buildAuditEvent(makeDecision(), facts))).toBeUndefined();
  });
});
