import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CreateTaskResultSchema, ReadResourceResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Engine, PolicyDefinition } from '../../../src/index.js';
import { TIERGUARD_DENIED } from '../../../src/mcp/deny-response.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import type { Received } from './guard-support.js';
import { closeClients, connect, registerOpsTools, rejectionOf } from './guard-support.js';

/**
 * A task-augmented tools/call returns a CreateTaskResult, and the tool's result
 * comes later through tasks/result, which no response policy sees: a call whose
 * result a response policy must judge is refused before it runs.
 */

let calls: Received[];

beforeEach(() => {
  calls = [];
});
afterEach(closeClients);

const NO_SECRETS_OUT: PolicyDefinition = {
  id: 'output.no-secrets',
  on: 'response',
  tools: ['secrets.*'],
  assert: { not: { field: '$.result.content[*].text', op: 'regex', value: 'SECRET-\\d+', quantifier: 'any' } },
};

const engineWith = (policies: readonly PolicyDefinition[]): Promise<Engine> => createEngine({ policies });

/** The ops tools on a server that keeps tasks, so task-augmented calls reach its tools/call handler. */
function taskServer(): McpServer {
  const server = new McpServer(
    { name: 'ops', version: '1.0.0' },
    { capabilities: { tasks: { requests: { tools: { call: {} } } } }, taskStore: new InMemoryTaskStore() },
  );
  registerOpsTools(server, calls);
  return server;
}

const taskCall = (name: string) => ({ method: 'tools/call' as const, params: { name, arguments: {}, task: { ttl: 60_000 } } });

describe('guardServer: task-augmented tools/call', () => {
  it('refuses, without running it, a task call to a tool a response policy selects', async () => {
    const server = taskServer();
    guardServer(server, await engineWith([NO_SECRETS_OUT]));
    const client = await connect(server);
    const error = await rejectionOf(client.request(taskCall('secrets.dump'), CreateTaskResultSchema));
    expect(error.code).toBe(TIERGUARD_DENIED);
    expect(error.data).toMatchObject({
      reason: 'evaluation-failed',
      method: 'tools/call',
      tool: 'secrets.dump',
      errors: [{ code: 'UNJUDGED_RESULT' }],
    });
    expect(calls).toEqual([]);
  });

  it('hands a task call to a tool no response policy selects to the server', async () => {
    const server = taskServer();
    guardServer(server, await engineWith([NO_SECRETS_OUT]));
    const client = await connect(server);
    // This tool is not a task tool, so the SDK refuses its result as a task's; the guard let it run.
    const error = await rejectionOf(client.request(taskCall('monitor.status'), CreateTaskResultSchema));
    expect(error.code).not.toBe(TIERGUARD_DENIED);
    expect(calls).toEqual([{ tool: 'monitor.status', args: {} }]);
  });
});

describe('guardServer: a task flag on a read or a prompt', () => {
  // The SDK accepts `task` on any request and answers a read or a prompt in full, so the answer must still be judged.
  const NO_SECRETS_READ: PolicyDefinition = {
    id: 'output.no-secrets-read',
    on: 'response',
    tools: ['notes://**'],
    assert: { not: { field: '$.result.contents[*].text', op: 'regex', value: 'SECRET-\\d+', quantifier: 'any' } },
  };

  it('does not skip the response policies of resources/read', async () => {
    const server = taskServer();
    server.registerResource('today', 'notes://local/today', {}, (uri) => ({ contents: [{ uri: uri.href, text: 'SECRET-42' }] }));
    guardServer(server, await engineWith([NO_SECRETS_READ]));
    const client = await connect(server);
    const read = { method: 'resources/read' as const, params: { uri: 'notes://local/today', task: { ttl: 60_000 } } };
    const error = await rejectionOf(client.request(read, ReadResourceResultSchema));
    expect(error.code).toBe(TIERGUARD_DENIED);
    // Without the flag, the same read is judged the same way.
    const plain = await rejectionOf(
      client.request({ method: 'resources/read', params: { uri: 'notes://local/today' } }, ReadResourceResultSchema),
    );
    expect(plain.code).toBe(TIERGUARD_DENIED);
  });
});
