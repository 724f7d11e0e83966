import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, CallToolResultSchema, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createEngine, isTierguardError } from '../../../src/index.js';
import type { AuditEvent, Engine, PolicyDefinition } from '../../../src/index.js';
import { TIERGUARD_DENIED } from '../../../src/mcp/deny-response.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import type { GuardServerOptions } from '../../../src/mcp/guard-options.js';
import type { Received } from './guard-support.js';
import { closeClients, connect, opsServer, registerOpsTools, rejectionOf, summaryOf, textOf } from './guard-support.js';

/**
 * guardServer beyond tools/call: initialize, resources/read, prompts/get and
 * tools/list; installing before or after registration; the low-level Server and
 * its fallback handler; and refusing to guard what it cannot.
 */

let calls: Received[];
let events: AuditEvent[];

beforeEach(() => {
  calls = [];
  events = [];
});
afterEach(closeClients);

const engineWith = (policies: readonly PolicyDefinition[], mode: 'enforce' | 'monitor' = 'enforce'): Promise<Engine> =>
  createEngine({ policies, mode, onDecision: (event) => events.push(event) });

const TEMP_BOUNDS: PolicyDefinition = {
  id: 'temp.bounds',
  tools: ['temp.convert'],
  assert: { field: 'arguments.temp', op: 'gte', value: -273.15 },
};

async function errorOf(promise: Promise<unknown>) {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(McpError);
  return error;
}

describe('guardServer: initialize', () => {
  it('sees initialize, with the client info and protocol version as arguments', async () => {
    const seen: unknown[] = [];
    const server = opsServer(calls);
    guardServer(server, await engineWith([{ id: 'init.review', tools: ['initialize'], effect: 'escalate' }]), {
      onEscalate: (action) => seen.push(action) > 0,
    });
    await connect(server, { clientName: 'friendly-agent' });
    expect(seen).toEqual([
      {
        tool: 'initialize',
        kind: 'initialize',
        arguments: {
          protocolVersion: expect.any(String) as string,
          capabilities: {},
          clientInfo: { name: 'friendly-agent', version: '1.0.0' },
        },
        context: { auth: {}, requestId: 0 },
      },
    ]);
    expect(events[0]).toMatchObject({ tool: 'initialize', kind: 'initialize', labels: { method: 'initialize', requestId: 0 } });
  });

  it('can refuse a client: connect rejects with code -31001 and the summary', async () => {
    const knownClients: PolicyDefinition = {
      id: 'clients.known',
      tools: ['initialize'],
      assert: { field: 'arguments.clientInfo.name', op: 'in', value: ['friendly-agent'] },
      message: 'client {actual} is not on the list',
    };
    const server = opsServer(calls);
    guardServer(server, await engineWith([knownClients]));
    const error = await errorOf(connect(server, { clientName: 'intruder' }));
    expect(error.code).toBe(TIERGUARD_DENIED);
    expect(error.message).toContain('tierguard denied this initialize request, so it was not run:');
    expect(error.message).toContain('- policy "clients.known", field arguments.clientInfo.name: client "intruder" is not on the list');
    expect(error.data).toMatchObject({
      reason: 'denied',
      method: 'initialize',
      tool: 'initialize',
      violations: [{ policyId: 'clients.known' }],
    });

    const other = opsServer(calls);
    guardServer(other, await engineWith([knownClients]));
    await expect(connect(other, { clientName: 'friendly-agent' })).resolves.toBeDefined();
  });
});

describe('guardServer: resources and prompts', () => {
  function contentServer(): McpServer {
    const server = new McpServer({ name: 'content', version: '1.0.0' });
    server.registerResource('vault', 'secret://vault/main', {}, (uri) => ({ contents: [{ uri: uri.href, text: 'the vault' }] }));
    server.registerResource('notes', 'notes://local/today', {}, (uri) => ({
      contents: [{ uri: uri.href, text: '\u001b[1mnotes\u001b[0m' }],
    }));
    server.registerPrompt('greet', { argsSchema: { who: z.string(), tone: z.string().optional() } }, (args) => {
      calls.push({ tool: 'greet', args });
      return { messages: [{ role: 'user', content: { type: 'text', text: `greet ${args.who} (${args.tone ?? 'plain'})` } }] };
    });
    return server;
  }
  const POLICIES: PolicyDefinition[] = [
    { id: 'resources.no-secrets', tools: ['secret://**'], message: 'secret resources are off limits' },
    {
      id: 'resources.strip-ansi',
      on: 'response',
      tools: ['notes://**'],
      rewrite: [{ op: 'replace', field: 'result.contents.*.text', pattern: '\\u001b\\[[0-9;]*m', with: '' }],
    },
    { id: 'prompts.tone', tools: ['greet'], rewrite: [{ op: 'set_default', field: 'arguments.tone', value: 'polite' }] },
    { id: 'prompts.no-root', tools: ['greet'], assert: { field: 'arguments.who', op: 'neq', value: 'root' } },
  ];

  it('refuses a resources/read with a JSON-RPC error, the URI as sent in the action', async () => {
    const server = contentServer();
    const engine = await engineWith(POLICIES);
    guardServer(server, engine);
    const client = await connect(server);
    const error = await errorOf(client.readResource({ uri: 'secret://vault/main' }));
    expect(error.code).toBe(TIERGUARD_DENIED);
    expect(error.message).toContain('tierguard denied this read of resource "secret://vault/main", so it was not run:');
    expect(error.data).toMatchObject({
      method: 'resources/read',
      tool: 'secret://vault/main',
      violations: [{ policyId: 'resources.no-secrets', field: 'tool' }],
    });
    expect(events.find((event) => event.kind === 'resources/read')).toMatchObject({ tool: 'secret://vault/main', verdict: 'deny' });
  });

  it('sanitises what an allowed resources/read returns', async () => {
    const server = contentServer();
    guardServer(server, await engineWith(POLICIES));
    const client = await connect(server);
    expect(await client.readResource({ uri: 'notes://local/today' })).toEqual({
      contents: [{ uri: 'notes://local/today', text: 'notes' }],
    });
  });

  it('reads the URI a policy rewrote to, and refuses a read whose URI a rewrite removed', async () => {
    const server = contentServer();
    guardServer(
      server,
      await engineWith([
        {
          id: 'resources.moved',
          tools: ['notes://old/*'],
          rewrite: [{ op: 'replace', field: 'arguments.uri', pattern: '^notes://old/', with: 'notes://local/' }],
        },
        { id: 'resources.dropped', tools: ['drop://**'], priority: 1, rewrite: [{ op: 'remove_field', field: 'arguments.uri' }] },
      ]),
    );
    const client = await connect(server);
    expect(await client.readResource({ uri: 'notes://old/today' })).toEqual({
      contents: [{ uri: 'notes://local/today', text: '\u001b[1mnotes\u001b[0m' }],
    });
    const error = await errorOf(client.readResource({ uri: 'drop://x' }));
    expect(error.data).toMatchObject({ reason: 'evaluation-failed', method: 'resources/read', errors: [{ code: 'INVALID_REWRITE' }] });
  });

  it('judges prompts/get and hands the prompt the rewritten arguments', async () => {
    const server = contentServer();
    guardServer(server, await engineWith(POLICIES));
    const client = await connect(server);
    const prompt = await client.getPrompt({ name: 'greet', arguments: { who: 'ada' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'greet ada (polite)' });
    expect(calls).toEqual([{ tool: 'greet', args: { who: 'ada', tone: 'polite' } }]);

    const error = await errorOf(client.getPrompt({ name: 'greet', arguments: { who: 'root' } }));
    expect(error.code).toBe(TIERGUARD_DENIED);
    expect(error.message).toContain('tierguard denied this request for prompt "greet", so it was not run:');
    expect(error.data).toMatchObject({ method: 'prompts/get', violations: [{ policyId: 'prompts.no-root', field: 'arguments.who' }] });
    expect(calls).toHaveLength(1);
  });
});

describe('guardServer: tools/list filtering', () => {
  const POLICIES: PolicyDefinition[] = [
    // Hidden: the caller's roles decide, whatever the arguments.
    { id: 'db.backup-roles', tools: ['database.backup'], assert: { field: 'context.user.roles', op: 'in', value: ['admin', 'dba'] } },
    // Hidden: denied outright.
    { id: 'secrets.never', tools: ['secrets.*'] },
    // Visible: a bound on an argument; other arguments pass.
    { id: 'temp.bounds', tools: ['temp.convert'], assert: { field: 'arguments.temp', op: 'gte', value: -273.15 } },
    // Visible: an escalation can be approved.
    { id: 'pay.review', tools: ['pay'], effect: 'escalate', assert: { field: 'context.user.roles', op: 'in', value: ['admin'] } },
    // Visible: the violation is on context, but the policy only applies for some arguments.
    {
      id: 'search.deep-roles',
      tools: ['search'],
      when: { not: { field: 'arguments.shallow', op: 'eq', value: true } },
      assert: { field: 'context.user.roles', op: 'in', value: ['admin'] },
    },
    // Visible: a JSONPath that may reach the arguments.
    { id: 'echo.anywhere', tools: ['echo'], assert: { field: '$..allowed', op: 'eq', value: true } },
  ];
  const ALL = ['echo', 'temp.convert', 'database.backup', 'pay', 'search', 'monitor.status', 'secrets.dump'];

  async function listed(options: GuardServerOptions, roles: string[], mode: 'enforce' | 'monitor' = 'enforce'): Promise<string[]> {
    const server = opsServer(calls);
    guardServer(server, await engineWith(POLICIES, mode), { context: () => ({ user: { roles } }), ...options });
    const client = await connect(server);
    return (await client.listTools()).tools.map((tool) => tool.name);
  }

  it('hides only the tools the caller can never call', async () => {
    expect(await listed({ filterToolList: true }, ['dev'])).toEqual(['echo', 'temp.convert', 'pay', 'search', 'monitor.status']);
    expect(await listed({ filterToolList: true }, ['admin'])).toEqual(ALL.filter((name) => name !== 'secrets.dump'));
  });

  it('lists every tool without the option, and in monitor mode', async () => {
    expect(await listed({}, ['dev'])).toEqual(ALL);
    expect(await listed({ filterToolList: true }, ['dev'], 'monitor')).toEqual(ALL);
  });

  it('labels the probes with the list request', async () => {
    await listed({ filterToolList: true }, ['dev']);
    const probes = events.filter((event) => event.labels?.['method'] === 'tools/list');
    expect(probes.map((event) => event.tool).sort()).toEqual([...ALL].sort());
    for (const probe of probes) expect(probe.kind).toBe('tools/call');
  });

  it('still refuses a call to a hidden tool', async () => {
    const server = opsServer(calls);
    guardServer(server, await engineWith(POLICIES), { filterToolList: true, context: () => ({ user: { roles: ['dev'] } }) });
    const client = await connect(server);
    expect((await client.callTool({ name: 'secrets.dump', arguments: {} })).isError).toBe(true);
    expect(calls).toEqual([]);
  });
});

describe('guardServer: when it is installed', () => {
  it('guards tools registered after it, before and after connecting', async () => {
    const server = new McpServer({ name: 'late', version: '1.0.0' });
    guardServer(server, await engineWith([TEMP_BOUNDS]));
    registerOpsTools(server, calls);
    const client = await connect(server);
    server.registerTool('temp.later', { inputSchema: { temp: z.number() } }, (args) => {
      calls.push({ tool: 'temp.later', args });
      return { content: [{ type: 'text', text: 'later' }] };
    });
    expect((await client.callTool({ name: 'temp.convert', arguments: { temp: -500, unit: 'C' } })).isError).toBe(true);
    expect(textOf(await client.callTool({ name: 'temp.later', arguments: { temp: 1 } }))).toBe('later');
    expect(calls.map((call) => call.tool)).toEqual(['temp.later']);
  });

  it('guards tools registered before it', async () => {
    const server = opsServer(calls);
    guardServer(server, await engineWith([TEMP_BOUNDS]));
    const client = await connect(server);
    expect((await client.callTool({ name: 'temp.convert', arguments: { temp: -500, unit: 'C' } })).isError).toBe(true);
    expect(calls).toEqual([]);
  });

  it('guards an McpServer whose capabilities installed the tool handlers in its constructor', async () => {
    const server = new McpServer({ name: 'eager', version: '1.0.0' }, { capabilities: { tools: {} } });
    guardServer(server, await engineWith([TEMP_BOUNDS]));
    registerOpsTools(server, calls);
    const client = await connect(server);
    expect((await client.callTool({ name: 'temp.convert', arguments: { temp: -500, unit: 'C' } })).isError).toBe(true);
    expect(calls).toEqual([]);
  });

  it('guards a low-level Server, and a handler set again later', async () => {
    const server = new Server({ name: 'low', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [{ name: 'temp.convert', inputSchema: { type: 'object' } }] }));
    server.setRequestHandler(CallToolRequestSchema, (request) => {
      calls.push({ tool: request.params.name, args: request.params.arguments ?? {} });
      return { content: [{ type: 'text', text: 'first handler' }] };
    });
    guardServer(server, await engineWith([TEMP_BOUNDS]));
    const client = await connect(server);
    expect(textOf(await client.callTool({ name: 'temp.convert', arguments: { temp: 1 } }))).toBe('first handler');
    expect(summaryOf(await client.callTool({ name: 'temp.convert', arguments: { temp: -500 } }))).toMatchObject({ reason: 'denied' });

    server.setRequestHandler(CallToolRequestSchema, (request) => {
      calls.push({ tool: request.params.name, args: request.params.arguments ?? {} });
      return { content: [{ type: 'text', text: 'second handler' }] };
    });
    expect(textOf(await client.callTool({ name: 'temp.convert', arguments: { temp: 2 } }))).toBe('second handler');
    expect((await client.callTool({ name: 'temp.convert', arguments: { temp: -500 } })).isError).toBe(true);
    expect(calls.map((call) => call.args)).toEqual([{ temp: 1 }, { temp: 2 }]);
  });

  it('guards the fallback handler, which receives unparsed requests', async () => {
    const server = new Server({ name: 'fallback', version: '1.0.0' }, { capabilities: { tools: {} } });
    guardServer(server, await engineWith([TEMP_BOUNDS]));
    server.fallbackRequestHandler = async (request: JSONRPCRequest) => {
      calls.push({ tool: String(request.params?.['name']), args: {} });
      return { content: [{ type: 'text', text: `fallback ${request.method}` }] };
    };
    const client = await connect(server);
    expect(textOf(await client.callTool({ name: 'temp.convert', arguments: { temp: 1 } }))).toBe('fallback tools/call');
    expect((await client.callTool({ name: 'temp.convert', arguments: { temp: -500 } })).isError).toBe(true);
    // Raw requests reach a fallback handler, so a malformed one is judged (and refused) before it.
    expect((await client.request({ method: 'tools/call', params: {} }, CallToolResultSchema)).isError).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('runs each request through the guard once, however often handlers are set', async () => {
    const server = opsServer(calls);
    guardServer(
      server,
      await engineWith([TEMP_BOUNDS, { id: 'out.any', on: 'response', rewrite: [{ op: 'remove_field', field: 'result.debug' }] }]),
    );
    const client = await connect(server);
    await client.callTool({ name: 'echo', arguments: { text: 'once' } });
    expect(events.filter((event) => event.kind === 'tools/call').map((event) => event.phase)).toEqual(['request', 'response']);
  });
});

describe('guardServer: unguard and refusals to guard', () => {
  it('refuses to guard a server twice, and unguard removes the guard', async () => {
    const server = opsServer(calls);
    const guard = guardServer(server, await engineWith([TEMP_BOUNDS]));
    let thrown: unknown;
    try {
      guardServer(server, await engineWith([]));
    } catch (error) {
      thrown = error;
    }
    expect(isTierguardError(thrown, 'INVALID_OPTIONS')).toBe(true);
    expect((thrown as Error).message).toContain('already guarded');

    guard.unguard();
    guard.unguard();
    server.registerTool('after', {}, () => ({ content: [{ type: 'text', text: 'after' }] }));
    const client = await connect(server);
    expect(textOf(await client.callTool({ name: 'temp.convert', arguments: { temp: -500, unit: 'C' } }))).toBe('converted -500 C');
    expect(events).toEqual([]);

    guardServer(server, await engineWith([TEMP_BOUNDS]));
    expect((await client.callTool({ name: 'temp.convert', arguments: { temp: -500, unit: 'C' } })).isError).toBe(true);
  });

  it('fails loudly on what is not an MCP server or whose SDK internals differ', async () => {
    const engine = await engineWith([]);
    const codeOf = (guard: () => unknown): string | undefined => {
      try {
        guard();
      } catch (error) {
        return isTierguardError(error) ? `${error.code}: ${error.message}` : String(error);
      }
      return undefined;
    };
    expect(codeOf(() => guardServer({} as McpServer, engine))).toMatch(/^INVALID_OPTIONS: guardServer needs an McpServer or a Server/);

    const moved = new Server({ name: 'other-sdk', version: '1.0.0' });
    // As an SDK that keeps its handlers elsewhere would look.
    Object.assign(moved, { _requestHandlers: {} });
    expect(codeOf(() => guardServer(moved, engine))).toMatch(/^INVALID_OPTIONS: guardServer cannot guard this server: .*sdk \^1\.32/);
  });

  it('rejects malformed options, naming the option', async () => {
    const engine = await engineWith([]);
    const cases: [unknown, unknown, RegExp][] = [
      [engine, { denyAs: 'throw' }, /denyAs must be "result" or "error"/],
      [engine, { onUnavailable: 'maybe' }, /onUnavailable must be "deny" or "allow"/],
      [engine, { onEscalate: true }, /onEscalate must be a function/],
      [engine, { context: {} }, /context must be a function/],
      [engine, { filterToolList: 'yes' }, /filterToolList must be a boolean/],
      [engine, { filter: true }, /unknown option "filter"/],
      [{ policies: [] }, {}, /needs a tierguard engine or a function/],
    ];
    for (const [source, options, message] of cases) {
      let thrown: unknown;
      try {
        guardServer(opsServer(calls), source as Engine, options as GuardServerOptions);
      } catch (error) {
        thrown = error;
      }
      expect(isTierguardError(thrown, 'INVALID_OPTIONS')).toBe(true);
      expect((thrown as Error).message).toMatch(message);
    }
  });
});
