import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ClientCapabilities, CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  McpError,
  PingRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyDefinition } from '../../../../src/index.js';
import { ASKING_TARGET, cleanUp, eventually, fronted } from './gateway-support.js';

/**
 * Requests the downstream server sends its client (roots/list, sampling,
 * elicitation, ping), relayed by the gateway to a real SDK Client upstream
 * that answers them, for the capabilities that client declared, bounded, with
 * cancellation, timeouts and garbage from either side answered with errors.
 */

const NOTHING_DENIED: PolicyDefinition = { id: 'nothing.denied', tools: ['never-called'], assert: { field: 'tool', op: 'eq', value: 'x' } };
const ROOTS = [{ uri: 'file:///example/project', name: 'project' }];

afterEach(cleanUp);

function upstream(capabilities: ClientCapabilities): Client {
  return new Client({ name: 'asked-client', version: '1.0.0' }, { capabilities });
}

/** A tool's JSON answer from the asking fixture. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const [first] = result.content;
  if (first?.type !== 'text') throw new Error(`no text from ${name}`);
  return JSON.parse(first.text) as Record<string, unknown>;
}

/** The tool's answer once `done` holds for it, asking again until then (at most 250 times). */
async function polled(client: Client, name: string, done: (answer: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  let answer = await call(client, name);
  for (let tries = 0; !done(answer) && tries < 250; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    answer = await call(client, name);
  }
  return answer;
}

async function asking(client: Client, options: Parameters<typeof fronted>[1] = {}): Promise<Awaited<ReturnType<typeof fronted>>> {
  return fronted([NOTHING_DENIED], { downstream: ASKING_TARGET, ...options }, client);
}

describe('createGateway: requests the server sends its client', () => {
  it("relays roots/list to the client's handler and its roots back; the server sees the client's roots capability", async () => {
    const client = upstream({ roots: { listChanged: true } });
    let asked = 0;
    client.setRequestHandler(ListRootsRequestSchema, () => {
      asked += 1;
      return { roots: ROOTS };
    });
    const { client: connected } = await asking(client);
    expect(await call(connected, 'capabilities')).toEqual({ roots: { listChanged: true } });
    expect(await call(connected, 'list_roots')).toEqual({ result: { roots: ROOTS } });
    expect(asked).toBe(1);
  });

  it('relays sampling/createMessage and elicitation/create with their params as the server sent them', async () => {
    const client = upstream({ sampling: {}, elicitation: { form: {} } });
    const prompts: unknown[] = [];
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      prompts.push(request.params.messages[0]?.content);
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled' } };
    });
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      prompts.push(request.params.message);
      return { action: 'accept', content: { name: 'Ada' } };
    });
    const { client: connected } = await asking(client);
    expect(await call(connected, 'sample', { text: 'hello?' })).toEqual({
      result: { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled' } },
    });
    expect(await call(connected, 'elicit', { message: 'your name?' })).toEqual({ result: { action: 'accept', content: { name: 'Ada' } } });
    expect(prompts).toEqual([{ type: 'text', text: 'hello?' }, 'your name?']);
  });

  it('declares nothing the client did not: the server sees no such capability, and asking anyway gets "Method not found"', async () => {
    const { client: bare } = await asking(upstream({}));
    expect(await call(bare, 'capabilities')).toEqual({});
    expect(await call(bare, 'ask', { method: 'roots/list' })).toMatchObject({ error: { code: ErrorCode.MethodNotFound } });

    const client = upstream({ roots: {} });
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
    const { client: rootsOnly } = await asking(client);
    expect(await call(rootsOnly, 'capabilities')).toEqual({ roots: {} });
    const sampling = await call(rootsOnly, 'ask', { method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } });
    expect(sampling).toMatchObject({ error: { code: ErrorCode.MethodNotFound } });
  });

  it("relays the server's ping to the client", async () => {
    const client = upstream({});
    let pinged = 0;
    client.setRequestHandler(PingRequestSchema, () => {
      pinged += 1;
      return {};
    });
    const { client: connected } = await asking(client);
    expect(await call(connected, 'ask', { method: 'ping' })).toEqual({ result: {} });
    expect(pinged).toBe(1);
  });

  it("passes the client's notifications/roots/list_changed down to the server", async () => {
    const client = upstream({ roots: { listChanged: true } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: ROOTS }));
    const { client: connected } = await asking(client);
    await call(connected, 'capabilities');
    await client.sendRootsListChanged();
    expect(await polled(connected, 'state', (state) => state['rootsChanged'] === 1)).toMatchObject({ rootsChanged: 1 });
  });
});

describe('createGateway: cancellation and timeouts of relayed requests', () => {
  // The request under test is the first each side sends (id 0), which the SDK's Protocol would not let be cancelled.
  it("passes the server's cancellation of its request on to the client", async () => {
    const client = upstream({ sampling: {} });
    let signal: AbortSignal | undefined;
    client.setRequestHandler(CreateMessageRequestSchema, (_request, extra) => {
      signal = extra.signal;
      return new Promise(() => undefined);
    });
    const { client: connected } = await asking(client);
    expect(await call(connected, 'ask_pending', { text: 'wait' })).toBe('asked');
    await eventually(() => signal !== undefined);
    expect(signal?.aborted).toBe(false);
    expect(await call(connected, 'cancel_pending')).toBe('cancelled');
    await eventually(() => signal?.aborted === true);
    expect(await polled(connected, 'pending_outcome', (outcome) => outcome !== null)).toHaveProperty('error');
  });

  it('answers the server with a timeout error when the client does not answer in time, and cancels it at the client', async () => {
    const client = upstream({ sampling: {} });
    let signal: AbortSignal | undefined;
    client.setRequestHandler(CreateMessageRequestSchema, (_request, extra) => {
      signal = extra.signal;
      return new Promise(() => undefined);
    });
    const { client: connected } = await asking(client, { requestTimeoutMs: 300 });
    expect(await call(connected, 'ask_pending', { text: 'wait' })).toBe('asked');
    const settled = await polled(connected, 'pending_outcome', (outcome) => outcome !== null);
    expect(settled).toMatchObject({ error: { code: ErrorCode.RequestTimeout } });
    expect(JSON.stringify(settled)).toContain("the gateway's client did not answer sampling/createMessage within 300 ms");
    await eventually(() => signal?.aborted === true);
  });
});

describe('createGateway: garbage in relayed requests', () => {
  it("answers the server with an error for a client's answer that is no list of roots, too deep, or an error of its own", async () => {
    const client = upstream({ roots: {} });
    const answers: unknown[] = [
      { roots: [{ uri: 5 }] },
      { roots: [], _meta: { deep: Array.from({ length: 100 }).reduce((nested: unknown) => ({ nested }), {}) } },
    ];
    client.setRequestHandler(ListRootsRequestSchema, () => {
      const answer = answers.shift();
      if (answer === undefined) throw new McpError(4242, 'not telling', { why: 'private' });
      return answer as { roots: [] };
    });
    const { client: connected } = await asking(client);
    const notRoots = await call(connected, 'ask', { method: 'roots/list' });
    expect(notRoots).toMatchObject({ error: { code: ErrorCode.InternalError } });
    expect(JSON.stringify(notRoots)).toContain('is not a list of roots');
    const deep = await call(connected, 'ask', { method: 'roots/list' });
    expect(JSON.stringify(deep)).toContain(
      "the client's answer to roots/list is not relayed: it is nested deeper than limits.maxDepth (64)",
    );
    const refused = await call(connected, 'ask', { method: 'roots/list' });
    expect(refused).toMatchObject({ error: { code: 4242 } });
    expect(JSON.stringify(refused)).toContain('not telling');
    expect(await call(connected, 'capabilities')).toEqual({ roots: {} });
  });

  it("answers the server's malformed, too deep, task-augmented or unknown requests with errors, and never asks the client", async () => {
    const client = upstream({ roots: {}, sampling: {} });
    let asked = 0;
    client.setRequestHandler(ListRootsRequestSchema, () => {
      asked += 1;
      return { roots: [] };
    });
    client.setRequestHandler(CreateMessageRequestSchema, () => {
      asked += 1;
      return { model: 'm', role: 'assistant', content: { type: 'text', text: 'x' } };
    });
    const { client: connected } = await asking(client);
    const malformed = await call(connected, 'ask', { method: 'sampling/createMessage', params: { messages: 'nope' } });
    expect(malformed).toMatchObject({ error: { code: ErrorCode.InvalidParams } });
    const deep = await call(connected, 'ask', { method: 'roots/list', params: {}, deep: 100 });
    expect(deep).toMatchObject({ error: { code: ErrorCode.InvalidParams } });
    expect(JSON.stringify(deep)).toContain('the roots/list request is not relayed: it is nested deeper than limits.maxDepth (64)');
    const task = await call(connected, 'ask', {
      method: 'sampling/createMessage',
      params: { messages: [], maxTokens: 1, task: { ttl: 1000 } },
    });
    // Refused before it reaches the gateway's handler, by the SDK's Client (it declares no tasks); the gateway refuses it too.
    expect(task).toMatchObject({ error: { code: ErrorCode.InternalError } });
    expect(JSON.stringify(task)).toContain('task');
    expect(await call(connected, 'ask', { method: 'made/up' })).toMatchObject({ error: { code: ErrorCode.MethodNotFound } });
    expect(asked).toBe(0);
    expect(await call(connected, 'list_roots')).toEqual({ result: { roots: [] } });
  });
});
