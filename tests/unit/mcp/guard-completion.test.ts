import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CompleteResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createEngine } from '../../../src/index.js';
import type { AuditEvent, Engine, PolicyDefinition } from '../../../src/index.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import { closeClients, connect } from './guard-support.js';

/**
 * completion/complete suggests nothing its ref could not be used for: a prompt
 * ref is judged as that prompt's get, a resource ref as the read of its template.
 */

let asked: string[];
let events: AuditEvent[];

beforeEach(() => {
  asked = [];
  events = [];
});
afterEach(closeClients);

const engineWith = (policies: readonly PolicyDefinition[]): Promise<Engine> =>
  createEngine({ policies, onDecision: (event) => events.push(event) });

const ADMINS_DEPLOY: PolicyDefinition = {
  id: 'prompts.admins-deploy',
  tools: ['deploy'],
  assert: { field: 'context.auth.extra.roles', op: 'in', value: ['admin'] },
  message: 'only admins deploy',
};
const NO_SECRETS: PolicyDefinition = { id: 'resources.no-secrets', tools: ['secret://vault/**'], message: 'the vault is off limits' };
const NOT_PROD: PolicyDefinition = {
  id: 'prompts.not-prod',
  tools: ['deploy'],
  assert: { field: 'arguments.env', op: 'neq', value: 'prod' },
};

/** An McpServer whose prompt `deploy` and templates over the vault and the notes complete their variables, recording each ask. */
function completingServer(): McpServer {
  const server = new McpServer({ name: 'ops', version: '1.0.0' });
  const suggest = (what: string, values: string[]) => (value: string) => {
    asked.push(what);
    return values.filter((candidate) => candidate.startsWith(value));
  };
  server.registerPrompt(
    'deploy',
    { argsSchema: { env: completable(z.string(), suggest('env', ['prod', 'prod-eu', 'staging'])) } },
    ({ env }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `deploy to ${env}` } }],
    }),
  );
  server.registerResource(
    'entry',
    new ResourceTemplate('secret://vault/{name}', { list: undefined, complete: { name: suggest('name', ['root-key', 'db-password']) } }),
    {},
    (uri) => ({ contents: [{ uri: uri.href, text: 'SECRET' }] }),
  );
  server.registerResource(
    'day',
    new ResourceTemplate('notes://local/{day}', { list: undefined, complete: { day: suggest('day', ['today', 'tomorrow']) } }),
    {},
    (uri) => ({ contents: [{ uri: uri.href, text: 'notes' }] }),
  );
  return server;
}

const promptRef = { type: 'ref/prompt', name: 'deploy' } as const;

describe('guardServer: completion/complete', () => {
  it('suggests nothing for a prompt the caller may not get, and does not ask the server', async () => {
    const server = completingServer();
    guardServer(server, await engineWith([ADMINS_DEPLOY]));
    const client = await connect(server);
    const result = await client.complete({ ref: promptRef, argument: { name: 'env', value: 'p' } });
    expect(result.completion).toEqual({ values: [], hasMore: false });
    expect(asked).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      tool: 'deploy',
      kind: 'prompts/get',
      verdict: 'deny',
      labels: { method: 'completion/complete' },
    });
  });

  it('suggests for a prompt the caller may get', async () => {
    const server = completingServer();
    guardServer(server, await engineWith([ADMINS_DEPLOY]));
    const client = await connect(server, { authInfo: { token: 't', clientId: 'ada', scopes: [], extra: { roles: ['admin'] } } });
    const result = await client.complete({ ref: promptRef, argument: { name: 'env', value: 'p' } });
    expect(result.completion.values).toEqual(['prod', 'prod-eu']);
  });

  it('judges the prompt with the arguments the completion knows, the partial value included', async () => {
    const server = completingServer();
    guardServer(server, await engineWith([NOT_PROD]));
    const client = await connect(server);
    expect((await client.complete({ ref: promptRef, argument: { name: 'env', value: 'prod' } })).completion.values).toEqual([]);
    expect((await client.complete({ ref: promptRef, argument: { name: 'env', value: 'st' } })).completion.values).toEqual(['staging']);
    const gets = events.filter((event) => event.kind === 'prompts/get');
    expect(gets.map((event) => event.verdict)).toEqual(['deny', 'allow']);
    expect(gets[0]).toMatchObject({ kind: 'prompts/get', violations: [{ policyId: 'prompts.not-prod', path: ['arguments', 'env'] }] });
  });

  it.each([['secret://vault/{name}'], ['SECRET://Vault/{name}']])(
    'suggests nothing for the variables of %j, a template whose reads are refused',
    async (uri) => {
      const server = completingServer();
      guardServer(server, await engineWith([NO_SECRETS]));
      const client = await connect(server);
      const result = await client.complete({ ref: { type: 'ref/resource', uri }, argument: { name: 'name', value: '' } });
      expect(result.completion.values).toEqual([]);
      expect(asked).toEqual([]);
      expect(events.at(-1)).toMatchObject({ tool: 'secret://vault/%7Bname%7D', kind: 'resources/read', verdict: 'deny' });
    },
  );

  it('suggests for a template the caller may read, asking the server with the ref as sent', async () => {
    const server = completingServer();
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    const result = await client.complete({
      ref: { type: 'ref/resource', uri: 'notes://local/{day}' },
      argument: { name: 'day', value: 'to' },
    });
    expect(result.completion.values).toEqual(['today', 'tomorrow']);
  });

  it.each([
    ['a template that does not parse', { type: 'ref/resource', uri: 'not a uri {x}' }],
    ['a ref of an unknown type', { type: 'ref/tool', name: 'deploy' }],
  ])('suggests nothing for %s', async (_what, ref) => {
    const server = completingServer();
    // Without the guard the SDK refuses these refs itself; through a fallback handler the guard is all there is.
    server.server.fallbackRequestHandler = () => {
      asked.push('fallback');
      return Promise.resolve({ completion: { values: ['leaked'], hasMore: false } });
    };
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    const result = await client.request(
      { method: 'completion/complete', params: { ref, argument: { name: 'x', value: '' } } },
      CompleteResultSchema,
    );
    expect(result.completion.values).toEqual([]);
  });
});
