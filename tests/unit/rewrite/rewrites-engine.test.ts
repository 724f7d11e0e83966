import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, AuditEvent, Decision, PolicyDefinition } from '../../../src/index.js';

/**
 * Rewrites through the engine: they run before the checks of both tiers, in
 * priority order, never touch the caller's object, are only proposed by
 * monitored policies, and leave nothing they hid in the audit trail.
 */

const CAP: PolicyDefinition = {
  id: 'search.cap',
  tools: ['search'],
  rewrite: [{ op: 'cap_value', field: 'arguments.limit', value: 100 }],
};
const LIMIT_CHECK: PolicyDefinition = {
  id: 'search.limit-check',
  tools: ['search'],
  assert: { field: 'arguments.limit', op: 'lte', value: 100 },
};
const SECRET = 'sk-live-0123456789abcdef';
const MASK: PolicyDefinition = {
  id: 'http.mask-token',
  tools: ['http'],
  rewrite: [{ op: 'mask_field', field: 'arguments.token' }],
};
const TOKEN_FORMAT: PolicyDefinition = {
  id: 'http.token-format',
  tools: ['http'],
  assert: { field: 'arguments.token', op: 'regex', value: '^tok-' },
};

const search = (limit: unknown): Action => ({ tool: 'search', arguments: { query: 'q', limit } });

async function both(policies: PolicyDefinition[], action: Action): Promise<Decision> {
  const engine = await createEngine({ policies });
  const sync = engine.evaluateAuto(action);
  expect(await engine.evaluate(action)).toEqual(sync);
  return sync;
}

describe('rewrites in a decision', () => {
  it('an assertion sees the rewritten value: a capped limit passes the check it would have failed', async () => {
    const action = Object.freeze({ tool: 'search', arguments: Object.freeze({ query: 'q', limit: 5000 }) });
    const decision = await both([LIMIT_CHECK, CAP], action);
    expect(decision.verdict).toBe('allow');
    expect(decision.action).toEqual({ tool: 'search', arguments: { query: 'q', limit: 100 } });
    expect(decision.rewrites).toEqual([
      { policyId: 'search.cap', op: 'cap_value', path: ['arguments', 'limit'], value: 100, applied: true },
    ]);
    // The caller's (frozen) object is untouched; the decision's action is a new object.
    expect(action.arguments.limit).toBe(5000);
    expect(decision.action).not.toBe(action);
  });

  it('without a rewrite the decision carries the caller’s own action object', async () => {
    const action = search(5);
    const decision = await both([LIMIT_CHECK, CAP], action);
    expect(decision.rewrites).toEqual([]);
    expect(decision.action).toBe(action);
  });

  it('a wrong type is a violation of the rewriting policy, with its effect, not a silent pass', async () => {
    const decision = await both([CAP, { ...CAP, id: 'search.cap-escalate', effect: 'escalate', priority: 1 }], search('all'));
    expect(decision.verdict).toBe('deny');
    expect(decision.violations.map((violation) => [violation.policyId, violation.constraint, violation.effect])).toEqual([
      ['search.cap', 'cap_value', 'deny'],
      ['search.cap-escalate', 'cap_value', 'escalate'],
    ]);
    expect(decision.violations[0]).not.toHaveProperty('actual');
  });

  it('the formal tier judges the rewritten action too', async () => {
    const shape: PolicyDefinition = {
      id: 'search.shape',
      tools: ['search'],
      shape: { properties: [{ path: 'arguments.limit', maxInclusive: 100 }] },
    };
    const engine = await createEngine({ policies: [shape, CAP] });
    expect((await engine.evaluate(search(5000))).verdict).toBe('allow');
    const withoutCap = await createEngine({ policies: [shape] });
    expect((await withoutCap.evaluate(search(5000))).verdict).toBe('deny');
  });

  it('a policy rewrites only when its when holds, judged on the action as rewritten so far', async () => {
    const defaults: PolicyDefinition = {
      id: 'search.default-limit',
      tools: ['search'],
      priority: 1,
      rewrite: [{ op: 'set_default', field: 'arguments.limit', value: 500 }],
    };
    const guarded: PolicyDefinition = { ...CAP, when: { field: 'arguments.limit', op: 'gt', value: 100 } };
    const decision = await both([guarded, defaults], { tool: 'search', arguments: { query: 'q' } });
    expect(decision.action.arguments).toEqual({ query: 'q', limit: 100 });
    expect(decision.rewrites.map((rewrite) => [rewrite.policyId, rewrite.op, rewrite.value])).toEqual([
      ['search.default-limit', 'set_default', 500],
      ['search.cap', 'cap_value', 100],
    ]);
  });

  it('priority orders rewrites of one field: higher first, each seeing the previous result', async () => {
    const strip: PolicyDefinition = {
      id: 'out.strip',
      tools: ['echo'],
      priority: 2,
      rewrite: [{ op: 'replace', field: 'arguments.text', pattern: '\\u001b\\[[0-9;]*m', with: '' }],
    };
    const redact: PolicyDefinition = {
      id: 'out.redact',
      tools: ['echo'],
      rewrite: [{ op: 'replace', field: 'arguments.text', pattern: 'sk-[a-z0-9]+', with: '[key]' }],
    };
    // The colour codes split the key: only stripping them first lets the redaction see it.
    const decision = await both([redact, strip], { tool: 'echo', arguments: { text: 'key sk-\u001b[1mabc123\u001b[0m' } });
    expect(decision.action.arguments).toEqual({ text: 'key [key]' });
    expect(decision.rewrites.map((rewrite) => rewrite.policyId)).toEqual(['out.strip', 'out.redact']);
  });

  it('two policies rewriting one field at the same priority are refused, naming both', async () => {
    await expect(createEngine({ policies: [CAP, { ...CAP, id: 'search.cap-again' }] })).rejects.toMatchObject({
      code: 'INVALID_POLICY',
      message: expect.stringMatching(/search\.cap-again[\s\S]*search\.cap\b/) as unknown,
    });
  });
});

describe('monitored rewrites', () => {
  it('are listed as proposed and not applied; the check sees the original value', async () => {
    const engine = await createEngine({ policies: [LIMIT_CHECK, { ...CAP, mode: 'monitor' }] });
    const action = search(5000);
    const decision = engine.evaluateAuto(action);
    expect(decision.action).toBe(action);
    expect(decision.rewrites).toEqual([
      { policyId: 'search.cap', op: 'cap_value', path: ['arguments', 'limit'], value: 100, applied: false },
    ]);
    expect(decision.verdict).toBe('deny');
  });

  it('on an engine in monitor mode nothing is rewritten and nothing blocks', async () => {
    const engine = await createEngine({ policies: [LIMIT_CHECK, CAP], mode: 'monitor' });
    const decision = engine.evaluateAuto(search(5000));
    expect(decision).toMatchObject({ verdict: 'allow', outcome: 'would_deny', action: search(5000) });
    expect(decision.rewrites.map((rewrite) => rewrite.applied)).toEqual([false]);
  });
});

describe('evaluateResponse', () => {
  const STRIP: PolicyDefinition = {
    id: 'out.strip-ansi',
    on: 'response',
    rewrite: [{ op: 'replace', field: 'result.content.*.text', pattern: '\\u001b\\[[0-9;]*m', with: '' }],
  };
  const NO_STACK: PolicyDefinition = {
    id: 'out.no-stack-traces',
    on: 'response',
    effect: 'deny',
    assert: { not: { field: '$.result.content[*].text', op: 'regex', value: '\\n\\s+at ', quantifier: 'any' } },
  };

  it('sanitises a tool result and leaves the caller’s result untouched', async () => {
    const engine = await createEngine({ policies: [STRIP, LIMIT_CHECK] });
    const result = {
      content: [
        { type: 'text', text: '\u001b[31mALERT\u001b[0m' },
        { type: 'image', data: 'x' },
      ],
    };
    const decision = await engine.evaluateResponse({ tool: 'status', arguments: {} }, result);
    expect(decision.verdict).toBe('allow');
    expect(decision.action.result).toEqual({
      content: [
        { type: 'text', text: 'ALERT' },
        { type: 'image', data: 'x' },
      ],
    });
    expect(result.content[0]?.text).toBe('\u001b[31mALERT\u001b[0m');
    expect(decision.rewrites).toEqual([
      { policyId: 'out.strip-ansi', op: 'replace', path: ['result', 'content', 0, 'text'], applied: true },
    ]);
  });

  it('judges only response policies, and evaluate judges only request policies', async () => {
    const engine = await createEngine({ policies: [NO_STACK, LIMIT_CHECK] });
    const leaking = { content: [{ type: 'text', text: 'Error: boom\n    at main (server.js:1:1)' }] };
    const response = await engine.evaluateResponse(search(5000), leaking);
    expect(response.violations.map((violation) => violation.policyId)).toEqual(['out.no-stack-traces']);
    const request = await engine.evaluate({ ...search(5), result: leaking });
    expect(request.verdict).toBe('allow');
  });

  it('passes the result through unchanged when there are no response policies', async () => {
    const engine = await createEngine({ policies: [LIMIT_CHECK] });
    const result = { content: [] };
    const decision = await engine.evaluateResponse(search(1), result);
    expect(decision).toMatchObject({ verdict: 'allow', rewrites: [] });
    expect(decision.action.result).toBe(result);
  });

  it('an action that is not an object is an action-level error, decided by onError', async () => {
    const engine = await createEngine({ policies: [STRIP] });
    const decision = await engine.evaluateResponse(null as unknown as Action, {});
    expect(decision.verdict).toBe('deny');
    expect(decision.errors.map((error) => error.code)).toEqual(['INVALID_ACTION']);
  });

  it('a result beyond the limits is refused like an action beyond them', async () => {
    const engine = await createEngine({ policies: [STRIP], limits: { maxDepth: 8 } });
    let deep: unknown = 'x';
    for (let level = 0; level < 20; level += 1) deep = [deep];
    const decision = await engine.evaluateResponse({ tool: 'status' }, deep);
    expect(decision.verdict).toBe('deny');
    expect(decision.errors.map((error) => error.code)).toEqual(['LIMIT_EXCEEDED']);
  });

  it('a response policy with a shape is refused at compile time', async () => {
    await expect(
      createEngine({ policies: [{ id: 'out.shape', on: 'response', shape: { properties: [{ path: 'result', minCount: 1 }] } }] }),
    ).rejects.toMatchObject({ code: 'INVALID_POLICY', message: expect.stringContaining('/on') as unknown });
  });
});

describe('audit of rewritten actions', () => {
  it('masked values appear nowhere in the event, applied or only proposed', async () => {
    for (const mode of ['enforce', 'monitor'] as const) {
      const events: AuditEvent[] = [];
      const engine = await createEngine({ policies: [TOKEN_FORMAT, MASK], mode, onDecision: (event) => events.push(event) });
      const decision = engine.evaluateAuto({ tool: 'http', arguments: { token: SECRET, url: 'https://example.com' } });
      expect(decision.rewrites.map((rewrite) => [rewrite.op, rewrite.applied])).toEqual([['mask_field', mode === 'enforce']]);
      // The format check fails either way: on the mask, or (monitored) on the secret itself.
      expect([...decision.violations, ...decision.wouldDeny].map((violation) => violation.policyId)).toEqual(['http.token-format']);
      expect(JSON.stringify(events)).not.toContain(SECRET);
      expect(JSON.stringify(events)).not.toContain('0123456789abcdef');
    }
  });

  it('the digest is of the action as decided, so the masked secret cannot be confirmed from it', async () => {
    const events: AuditEvent[] = [];
    const engine = await createEngine({ policies: [MASK], onDecision: (event) => events.push(event) });
    engine.evaluateAuto({ tool: 'http', arguments: { token: SECRET } });
    engine.evaluateAuto({ tool: 'http', arguments: { token: 'another-secret' } });
    expect(events[0]?.actionDigest).toBe(events[1]?.actionDigest);
  });
});
