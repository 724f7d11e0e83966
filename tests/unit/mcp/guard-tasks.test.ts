import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
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
  const server = new McpServer({ name: 'ops', version: '1.0.0' }, { capabilities: { tasks: { requests: { tools: { call: {} } } } }, taskStore: new InMemoryTaskStore() });
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
    expect(error.data).toMatchObject({ reason: 'evaluation-failed', method: 'tools/call', tool: 'secrets.dump', errors: [{ code: 'UNJUDGED_RESULT' }] });
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
