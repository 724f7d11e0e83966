import { describe, expect, it } from 'vitest';
import { summariseDecision } from '../../../src/mcp/decision-summary.js';
import { createEngine } from '../../../src/index.js';
import type { Action, AuditEvent, Decision, PolicyDefinition } from '../../../src/index.js';

// A monitored mask_field leaves the secret in the action; another policy's valueRef can
// quote it. However large the masked value, the secret must not reach an audit event
// or an MCP client: collected whole, or everything that could carry it withheld.

const SECRET = 'sk-live-0123456789abcdef';

/** An object of `size` string values with the secret under `k<at>`. */
function wideObject(size: number, at: number): Record<string, string> {
  const object: Record<string, string> = {};
  for (let index = 0; index < size; index += 1) object[`k${index}`] = index === at ? SECRET : `filler-${index}`;
  return object;
}

const WATCH: PolicyDefinition = {
  id: 'creds.watch',
  tools: ['pay'],
  mode: 'monitor',
  rewrite: [{ op: 'mask_field', field: 'context.creds' }],
};
const matching = (ref: string): PolicyDefinition => ({
  id: 'token.matches',
  tools: ['pay'],
  assert: { field: 'arguments.token', op: 'eq', valueRef: ref },
});

async function decide(
  policies: PolicyDefinition[],
  action: Action,
  limits?: { maxNodes: number },
): Promise<{ event: AuditEvent; decision: Decision }> {
  const events: AuditEvent[] = [];
  const engine = await createEngine({ policies, onDecision: (event) => events.push(event), ...(limits === undefined ? {} : { limits }) });
  const decision = await engine.evaluate(action);
  expect(events).toHaveLength(1);
  return { event: events[0] as AuditEvent, decision };
}

const LARGE = 12_000;
const cases: [string, unknown, string][] = [
  ['an object of more than 10,000 values', wideObject(LARGE, 11_000), 'context.creds.k11000'],
  [
    'an array of more than 10,000 values',
    Array.from({ length: LARGE }, (_, index) => (index === 11_000 ? SECRET : index)),
    'context.creds.11000',
  ],
  [
    'a secret nested beside more than 10,000 values',
    { filler: wideObject(LARGE, -1), nested: { deeper: [{ key: SECRET }] } },
    'context.creds.nested.deeper.0.key',
  ],
];

describe('audit of a monitored mask_field over a large value', () => {
  it.each(cases)('keeps the secret out of expected and the message: %s', async (_what, creds, ref) => {
    const { event, decision } = await decide([WATCH, matching(ref)], { tool: 'pay', arguments: { token: 'guess' }, context: { creds } });
    // The engine really quoted the secret; the event does not.
    expect(decision.violations[0]?.expected).toBe(SECRET);
    expect(decision.violations[0]?.message).toContain(SECRET);
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(event.violations[0]).toMatchObject({
      policyId: 'token.matches',
      actual: 'guess',
      message: 'token.matches: eq failed at arguments.token (value redacted)',
    });
    expect(event.violations[0]).not.toHaveProperty('expected');
    // Collected whole: the digest stays.
    expect(event.actionDigest).toMatch(/^sha256:/);
  });

  it.each(cases)('keeps the secret out of actual elsewhere in the action: %s', async (_what, creds) => {
    const format: PolicyDefinition = {
      id: 'token.format',
      tools: ['pay'],
      assert: { field: 'arguments.token', op: 'regex', value: '^tok-' },
    };
    const { event, decision } = await decide([WATCH, format], { tool: 'pay', arguments: { token: SECRET }, context: { creds } });
    expect(decision.violations[0]?.actual).toBe(SECRET);
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(event.violations[0]).not.toHaveProperty('actual');
  });

  it.each(cases)('keeps the secret out of what an MCP client is told: %s', async (_what, creds, ref) => {
    const { decision } = await decide([WATCH, matching(ref)], { tool: 'pay', arguments: { token: 'guess' }, context: { creds } });
    const summary = summariseDecision({ method: 'tools/call', tool: 'pay', phase: 'request' }, 'denied', decision);
    expect(JSON.stringify(summary)).not.toContain(SECRET);
    expect(summary.violations[0]?.message).toBe('token.matches: eq failed at arguments.token (value redacted)');
  });

  it('withholds every value, message and the digest when the hidden value is too large to read whole', async () => {
    // Raised engine limits let in an action whose hidden part is past what redaction reads.
    const creds = wideObject(150_000, 140_000);
    const amount: PolicyDefinition = { id: 'pay.limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 10 } };
    const { event, decision } = await decide(
      [WATCH, matching('context.creds.k140000'), amount],
      { tool: 'pay', arguments: { token: 'guess', amount: 50 }, context: { creds } },
      {
        maxNodes: 400_000,
      },
    );
    expect(decision.violations.map((violation) => violation.policyId)).toEqual(['token.matches', 'pay.limit']);
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(event.actionDigest).toBeNull();
    for (const violation of event.violations) {
      expect(violation).not.toHaveProperty('expected');
      expect(violation).not.toHaveProperty('actual');
      expect(violation.message).toMatch(/\(value redacted\)$/);
    }
    const summary = summariseDecision({ method: 'tools/call', tool: 'pay', phase: 'request' }, 'denied', decision);
    expect(JSON.stringify(summary)).not.toContain(SECRET);
  });

  it('leaves events whole when nothing was hidden', async () => {
    const amount: PolicyDefinition = { id: 'pay.limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 10 } };
    const { event } = await decide([amount], { tool: 'pay', arguments: { amount: 50 }, context: { creds: wideObject(LARGE, -1) } });
    expect(event.violations[0]).toMatchObject({ expected: 10, actual: 50 });
    expect(event.actionDigest).toMatch(/^sha256:/);
  });
});
