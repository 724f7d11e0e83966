import { CallToolResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Action, AuditEvent, Decision, Engine, EngineOptions, PolicyDefinition } from '../../../src/index.js';
import type { GuardRequest } from '../../../src/mcp/guard-options.js';
import { TIERGUARD_DENIED } from '../../../src/mcp/deny-response.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import type { GuardServerOptions } from '../../../src/mcp/guard-options.js';
import type { Received } from './guard-support.js';
import { closeClients, connect, opsServer, rejectionOf, summaryOf, textOf } from './guard-support.js';
import type { ConnectOptions } from './guard-support.js';

/**
 * guardServer on tools/call, end to end: a real Client over InMemoryTransport,
 * a real McpServer with real tools, a real engine. What the tools received is
 * recorded, so "not run" and "ran with rewritten arguments" are observed, not assumed.
 */

const TEMP_BOUNDS: PolicyDefinition = {
  id: 'temp.physical-bounds',
  tools: ['temp.convert'],
  assert: { field: 'arguments.temp', op: 'gte', value: -273.15 },
  message: 'temperature {actual} is below absolute zero',
};
const PAY_REVIEW: PolicyDefinition = {
  id: 'pay.review',
  tools: ['pay'],
  effect: 'escalate',
  assert: { field: 'arguments.amount', op: 'lte', value: 500 },
  message: 'payments over {expected} need a human',
};
const SEARCH_LIMIT: PolicyDefinition = {
  id: 'search.limit',
  tools: ['search'],
  rewrite: [
    { op: 'set_default', field: 'arguments.limit', value: 20 },
    { op: 'cap_value', field: 'arguments.limit', value: 100 },
  ],
};
const STRIP_ANSI: PolicyDefinition = {
  id: 'output.strip-ansi',
  on: 'response',
  rewrite: [{ op: 'replace', field: 'result.content.*.text', pattern: '\\u001b\\[[0-9;]*m', with: '' }],
};
const NO_SECRETS_OUT: PolicyDefinition = {
  id: 'output.no-secrets',
  on: 'response',
  tools: ['secrets.*'],
  assert: { not: { field: '$.result.content[*].text', op: 'regex', value: 'SECRET-\\d+', quantifier: 'any' } },
  message: 'the result holds a secret',
};
const POLICIES = [TEMP_BOUNDS, PAY_REVIEW, SEARCH_LIMIT, STRIP_ANSI, NO_SECRETS_OUT];

let calls: Received[];
let events: AuditEvent[];

beforeEach(() => {
  calls = [];
  events = [];
});
afterEach(async () => {
  await closeClients();
  vi.restoreAllMocks();
});

async function engineWith(
  policies: readonly PolicyDefinition[] = POLICIES,
  options: Omit<EngineOptions, 'policies'> = {},
): Promise<Engine> {
  return createEngine({ policies, onDecision: (event) => events.push(event), ...options });
}

async function guarded(engine: Engine, options: GuardServerOptions = {}, connectOptions: ConnectOptions = {}) {
  const server = opsServer(calls);
  guardServer(server, engine, options);
  return connect(server, connectOptions);
}

describe('guardServer: allow and deny', () => {
  it('lets a compliant call run and returns its result', async () => {
    const client = await guarded(await engineWith());
    const result = await client.callTool({ name: 'temp.convert', arguments: { temp: 20, unit: 'C' } });
    expect(result.isError).toBeUndefined();
    expect(textOf(result)).toBe('converted 20 C');
    expect(calls).toEqual([{ tool: 'temp.convert', args: { temp: 20, unit: 'C' } }]);
  });

  it('refuses a violating call with a tool error result that tells the model what to fix', async () => {
    const engine = await engineWith();
    const client = await guarded(engine);
    const result = await client.callTool({ name: 'temp.convert', arguments: { temp: -500, unit: 'C' } });

    expect(calls).toEqual([]);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      [
        'tierguard denied this call to tool "temp.convert", so it was not run:',
        '- policy "temp.physical-bounds", field arguments.temp: temperature -500 is below absolute zero',
        'You may retry with a call that satisfies these constraints.',
      ].join('\n'),
    );
    expect(summaryOf(result)).toEqual({
      reason: 'denied',
      phase: 'request',
      method: 'tools/call',
      tool: 'temp.convert',
      verdict: 'deny',
      outcome: 'deny',
      violations: [
        {
          policyId: 'temp.physical-bounds',
          field: 'arguments.temp',
          path: ['arguments', 'temp'],
          constraint: 'gte',
          effect: 'deny',
          message: 'temperature -500 is below absolute zero',
        },
      ],
      escalatedBy: [],
      errors: [],
      policyVersion: engine.version,
    });
  });

  it('refuses with a JSON-RPC error carrying code -31001 and the summary when denyAs is "error"', async () => {
    const engine = await engineWith();
    const client = await guarded(engine, { denyAs: 'error' });
    const error = await rejectionOf(client.callTool({ name: 'temp.convert', arguments: { temp: -500, unit: 'C' } }));

    expect(calls).toEqual([]);
    expect(error).toBeInstanceOf(McpError);
    expect(TIERGUARD_DENIED).toBe(-31001);
    expect(error.code).toBe(-31001);
    // One prefix, added by the client: the server throws a plain Error, not an McpError.
    expect(error.message).toMatch(/^MCP error -31001: tierguard denied this call to tool "temp.convert", so it was not run:\n/);
    expect(error.message.match(/MCP error/g)).toHaveLength(1);
    expect(error.message).toContain('field arguments.temp: temperature -500 is below absolute zero');
    expect(error.data).toMatchObject({
      reason: 'denied',
      verdict: 'deny',
      outcome: 'deny',
      violations: [{ policyId: 'temp.physical-bounds', field: 'arguments.temp', message: 'temperature -500 is below absolute zero' }],
      policyVersion: engine.version,
    });
  });
});

describe('guardServer: escalation', () => {
  it('refuses an escalation when there is no onEscalate hook, naming the policies that ask for approval', async () => {
    const client = await guarded(await engineWith());
    const result = await client.callTool({ name: 'pay', arguments: { amount: 900 } });

    expect(calls).toEqual([]);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      'This call to tool "pay" needs a human\'s approval (asked by policy "pay.review") and this server has no approval step, so it was not run:',
    );
    expect(textOf(result)).toContain('- policy "pay.review", field arguments.amount: payments over 500 need a human');
    expect(summaryOf(result)).toMatchObject({ reason: 'approval-required', verdict: 'escalate', escalatedBy: ['pay.review'] });
  });

  it('runs the call when onEscalate approves, asking it with the action, the decision and the request', async () => {
    const asked: [Action, Decision, GuardRequest][] = [];
    const client = await guarded(await engineWith(), {
      onEscalate: async (action, decision, request) => {
        asked.push([action, decision, request]);
        return true;
      },
    });
    const result = await client.callTool({ name: 'pay', arguments: { amount: 900 } });

    expect(textOf(result)).toBe('paid 900');
    expect(calls).toEqual([{ tool: 'pay', args: { amount: 900 } }]);
    expect(asked).toHaveLength(1);
    const [action, decision, request] = asked[0] ?? [];
    expect(action).toMatchObject({ tool: 'pay', kind: 'tools/call', arguments: { amount: 900 } });
    expect(decision?.escalatedBy).toEqual(['pay.review']);
    expect(request?.method).toBe('tools/call');
    expect(request?.request.params).toMatchObject({ name: 'pay', arguments: { amount: 900 } });
  });

  it("runs an approved call on the decision's rewritten arguments", async () => {
    const bigSearch: PolicyDefinition = {
      id: 'search.big',
      tools: ['search'],
      effect: 'escalate',
      assert: { field: 'arguments.limit', op: 'lte', value: 50 },
    };
    const client = await guarded(await engineWith([SEARCH_LIMIT, bigSearch]), {
      onEscalate: (action) => action.arguments?.['limit'] === 500,
    });
    await client.callTool({ name: 'search', arguments: { query: 'q', limit: 500 } });
    expect(calls).toEqual([{ tool: 'search', args: { query: 'q', limit: 100 } }]);
  });

  it('escapes what it warns the operator of, so a thrown message cannot write terminal controls', async () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const client = await guarded(await engineWith(), {
      onEscalate: () => {
        throw new Error('down\n(node) allow\u001b[2J\u202e');
      },
    });
    await client.callTool({ name: 'pay', arguments: { amount: 900 } });
    const messages = emitted.mock.calls.map(([message]) => String(message));
    expect(messages).toEqual([expect.stringContaining('onEscalate threw') as string]);
    expect(messages[0]).toContain('down\\n(node) allow\\x1b[2J\\u202e');
    // eslint-disable-next-line no-control-regex -- the escape character must not appear raw
    expect(messages[0]).not.toMatch(/[\u001b\u202e\n]/);
  });

  it('refuses the call when onEscalate says no, or throws', async () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    for (const onEscalate of [
      () => false,
      () => Promise.resolve(false),
      () => 'yes' as unknown as boolean,
      () => {
        throw new Error('approval service down');
      },
    ]) {
      const client = await guarded(await engineWith(), { onEscalate });
      const result = await client.callTool({ name: 'pay', arguments: { amount: 900 } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(
        'Approval was refused for this call to tool "pay" (asked by policy "pay.review"), so it was not run:',
      );
      expect(summaryOf(result)).toMatchObject({ reason: 'approval-refused', verdict: 'escalate' });
    }
    expect(calls).toEqual([]);
    // The thrown hook is reported to the operator, not to the client.
    expect(emitted.mock.calls.map(([message]) => String(message))).toEqual([expect.stringContaining('onEscalate threw') as string]);
  });

  it('does not ask onEscalate about a call the policies allow', async () => {
    const onEscalate = vi.fn(() => true);
    const client = await guarded(await engineWith(), { onEscalate });
    await client.callTool({ name: 'pay', arguments: { amount: 100 } });
    expect(onEscalate).not.toHaveBeenCalled();
    expect(calls).toHaveLength(1);
  });
});

describe('guardServer: rewrites', () => {
  it('runs the tool on the rewritten arguments', async () => {
    const client = await guarded(await engineWith());
    await client.callTool({ name: 'search', arguments: { query: 'q1' } });
    await client.callTool({ name: 'search', arguments: { query: 'q2', limit: 500 } });
    await client.callTool({ name: 'search', arguments: { query: 'q3', limit: 5 } });
    expect(calls).toEqual([
      { tool: 'search', args: { query: 'q1', limit: 20 } },
      { tool: 'search', args: { query: 'q2', limit: 100 } },
      { tool: 'search', args: { query: 'q3', limit: 5 } },
    ]);
  });

  it("sanitises a tool's output before it reaches the client", async () => {
    const client = await guarded(await engineWith());
    const result = await client.callTool({ name: 'monitor.status', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'ALERT' }]);
    expect(result.isError).toBeUndefined();
  });

  it('withholds a result the response policies deny; the tool did run', async () => {
    const client = await guarded(await engineWith());
    const result = await client.callTool({ name: 'secrets.dump', arguments: {} });
    expect(calls).toEqual([{ tool: 'secrets.dump', args: {} }]);
    expect(result.isError).toBe(true);
    expect(textOf(result)).not.toContain('SECRET-123');
    expect(textOf(result)).toContain(
      'tierguard withheld the result of this call to tool "secrets.dump": the tool ran, but its result breaks these policies:',
    );
    expect(textOf(result)).toContain('- policy "output.no-secrets", field result.content[0].text: the result holds a secret');
    expect(summaryOf(result)).toMatchObject({ reason: 'denied', phase: 'response', verdict: 'deny' });
  });

  it('turns a rewrite that breaks the result into an error result rather than sending it', async () => {
    const breaks: PolicyDefinition = {
      id: 'output.mask-all',
      on: 'response',
      tools: ['echo'],
      rewrite: [{ op: 'mask_field', field: 'result.content' }],
    };
    const client = await guarded(await engineWith([breaks]));
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });

    expect(CallToolResultSchema.safeParse(result).success).toBe(true);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      'tierguard withheld the result of this call to tool "echo": after the policies\' rewrites it is not a valid tools/call result:',
    );
    expect(textOf(result)).toContain('after rewrites by "output.mask-all", content: ');
    expect(summaryOf(result)).toMatchObject({ reason: 'invalid-result', phase: 'response', errors: [{ code: 'INVALID_RESULT' }] });
  });
});

describe('guardServer: monitor mode and audit', () => {
  it('lets a violating call run in monitor mode and the audit event says would_deny', async () => {
    const client = await guarded(await engineWith(POLICIES, { mode: 'monitor' }));
    const result = await client.callTool({ name: 'temp.convert', arguments: { temp: -500, unit: 'C' } });

    expect(textOf(result)).toBe('converted -500 C');
    expect(calls).toHaveLength(1);
    const request = events.find((event) => event.phase === 'request' && event.tool === 'temp.convert');
    expect(request).toMatchObject({ verdict: 'allow', outcome: 'would_deny', wouldDeny: [{ policyId: 'temp.physical-bounds' }] });
  });

  it('labels every evaluation with the method and the request id', async () => {
    const client = await guarded(await engineWith());
    await client.callTool({ name: 'monitor.status', arguments: {} });

    const initialize = events.find((event) => event.kind === 'initialize');
    expect(initialize).toMatchObject({ phase: 'request', tool: 'initialize', labels: { method: 'initialize', requestId: 0 } });
    const call = events.filter((event) => event.tool === 'monitor.status');
    expect(call.map((event) => event.phase)).toEqual(['request', 'response']);
    for (const event of call) {
      expect(event.kind).toBe('tools/call');
      expect(event.labels).toEqual({ method: 'tools/call', requestId: expect.any(Number) as number });
    }
    // The request and its response carry the same request id.
    expect(call[0]?.labels?.['requestId']).toBe(call[1]?.labels?.['requestId']);
    expect(call[1]?.policyIds).toEqual(['output.strip-ansi']);
  });

  it('makes no response decision for a bundle without response policies: one event per call', async () => {
    const requestOnly = POLICIES.filter((policy) => policy.on !== 'response');
    const client = await guarded(await engineWith(requestOnly));
    const result = await client.callTool({ name: 'monitor.status', arguments: {} });

    // Nothing sanitises the output now, and no response event is emitted.
    expect(textOf(result)).toContain('\u001b[31m');
    expect(events.filter((event) => event.tool === 'monitor.status').map((event) => event.phase)).toEqual(['request']);
  });
});

describe('guardServer: the caller in context', () => {
  const AUTH = {
    token: 'secret-token-value',
    clientId: 'agent-7',
    scopes: ['tools:read'],
    expiresAt: 4_102_444_800,
    resource: new URL('https://mcp.example.com/'),
    extra: { tenant: 'acme' },
  };

  it('puts authInfo without the token, the request id and the session in context', async () => {
    const seen: Action[] = [];
    const escalateAll: PolicyDefinition = { id: 'all.review', tools: ['echo'], effect: 'escalate' };
    const client = await guarded(await engineWith([escalateAll]), { onEscalate: (action) => seen.push(action) > 0 }, { authInfo: AUTH });
    await client.callTool({ name: 'echo', arguments: { text: 'hi' } });

    const facts = {
      clientId: 'agent-7',
      scopes: ['tools:read'],
      expiresAt: 4_102_444_800,
      resource: 'https://mcp.example.com/',
      extra: { tenant: 'acme' },
    };
    expect(seen[0]?.context).toEqual({ auth: facts, authInfo: facts, requestId: expect.any(Number) as number });
    expect(JSON.stringify(seen)).not.toContain('secret-token-value');
    expect(JSON.stringify(events)).not.toContain('secret-token-value');
  });

  it("lets policies judge the token's scopes", async () => {
    const needsWrite: PolicyDefinition = {
      id: 'scopes.write',
      tools: ['echo'],
      assert: { field: 'context.authInfo.scopes', op: 'in', value: ['tools:write'] },
      message: '{tool} needs the scope tools:write',
    };
    const reader = await guarded(await engineWith([needsWrite]), {}, { authInfo: AUTH });
    const denied = await reader.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(textOf(denied)).toContain('- policy "scopes.write", field context.authInfo.scopes: echo needs the scope tools:write');
    expect(textOf(denied)).not.toContain('secret-token-value');

    const writer = await guarded(await engineWith([needsWrite]), {}, { authInfo: { ...AUTH, scopes: ['tools:write'] } });
    expect(textOf(await writer.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('echo: hi');
  });

  it('passes HTTP headers without authorization, cookie and proxy-authorization', async () => {
    const agentOnly: PolicyDefinition = {
      id: 'agents.known',
      tools: ['echo'],
      assert: { field: 'context.headers["x-agent-id"]', op: 'in', value: ['agent-1'] },
    };
    const seen: Action[] = [];
    const headers = {
      authorization: 'Bearer secret-token-value',
      cookie: 'session=secret-cookie',
      'proxy-authorization': 'Basic c2VjcmV0',
      'x-agent-id': 'agent-1',
      'mcp-protocol-version': '2025-11-25',
    };
    const client = await guarded(
      await engineWith([agentOnly, { id: 'echo.review', tools: ['echo'], effect: 'escalate' }]),
      { onEscalate: (action) => seen.push(action) > 0 },
      { headers },
    );
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('echo: hi');
    expect(seen[0]?.context?.['headers']).toEqual({ 'x-agent-id': 'agent-1', 'mcp-protocol-version': '2025-11-25' });
    expect(JSON.stringify(seen)).not.toMatch(/secret|c2VjcmV0/);

    const stranger = await guarded(await engineWith([agentOnly]), {}, { headers: { ...headers, 'x-agent-id': 'agent-9' } });
    expect((await stranger.callTool({ name: 'echo', arguments: { text: 'hi' } })).isError).toBe(true);
  });

  it("merges the context hook's keys over the built-in context", async () => {
    const roles: PolicyDefinition = {
      id: 'echo.roles',
      tools: ['echo'],
      assert: { field: 'context.user.roles', op: 'in', value: ['admin'] },
    };
    const client = await guarded(
      await engineWith([roles]),
      { context: async ({ extra }) => ({ user: { roles: extra.authInfo?.clientId === 'root' ? ['admin'] : ['dev'] } }) },
      { authInfo: { ...AUTH, clientId: 'root' } },
    );
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('echo: hi');

    const other = await guarded(await engineWith([roles]), { context: () => ({ user: { roles: ['dev'] } }) });
    const denied = await other.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(summaryOf(denied).violations).toMatchObject([{ policyId: 'echo.roles', field: 'context.user.roles' }]);
  });

  it('refuses the request when the context hook throws or returns no object', async () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const failures = [
      () => {
        throw new Error('user store down: password=hunter2');
      },
      () => null as unknown as Record<string, unknown>,
    ];
    for (const fail of failures) {
      // initialize is judged too; let the client in so the call can be refused.
      const context = (request: GuardRequest) => (request.method === 'initialize' ? {} : fail());
      const client = await guarded(await engineWith(), { context });
      const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('tierguard could not evaluate this call to tool "echo", so it was not run:');
      expect(textOf(result)).not.toContain('hunter2');
      expect(summaryOf(result)).toMatchObject({ reason: 'evaluation-failed', errors: [{ code: 'CONTEXT_FAILED' }] });
    }
    expect(calls).toEqual([]);
    expect(String(emitted.mock.calls[0]?.[0])).toContain('user store down');
  });
});

describe('guardServer: evaluation that cannot happen', () => {
  it('refuses when the audit sink throws (the engine withholds the decision)', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const engine = await createEngine({
      policies: [TEMP_BOUNDS],
      onDecision: (event) => {
        if (event.kind === 'tools/call') throw new Error('disk full');
      },
    });
    const client = await guarded(engine);
    const result = await client.callTool({ name: 'temp.convert', arguments: { temp: 20, unit: 'C' } });
    expect(calls).toEqual([]);
    expect(summaryOf(result)).toMatchObject({
      reason: 'evaluation-failed',
      errors: [{ code: 'AUDIT_FAILED' }],
      policyVersion: engine.version,
    });
  });

  it("refuses a tools/call without a name per the engine's onError, and never runs a tool", async () => {
    const client = await guarded(await engineWith());
    const result = await client.request({ method: 'tools/call', params: { arguments: { text: 'hi' } } }, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('tierguard denied this tools/call request, so it was not run:');
    expect(textOf(result)).toContain('- could not evaluate the call: an action must have a string "tool"');
    expect(summaryOf(result)).toMatchObject({ tool: null, errors: [{ code: 'INVALID_ACTION' }] });
    expect(calls).toEqual([]);
    expect(events.find((event) => event.kind === 'tools/call')).toMatchObject({ verdict: 'deny', errors: [{ code: 'INVALID_ACTION' }] });
  });

  it('hands a nameless tools/call to the SDK, which rejects it, when onError is "allow"', async () => {
    const client = await guarded(await engineWith(POLICIES, { onError: 'allow' }));
    const error = await rejectionOf(client.request({ method: 'tools/call', params: { arguments: { text: 'hi' } } }, CallToolResultSchema));
    expect(error).toBeInstanceOf(McpError);
    expect(error.code).not.toBe(TIERGUARD_DENIED);
    expect(calls).toEqual([]);
    // The server is still serving.
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'still here' } }))).toBe('echo: still here');
  });
});
