import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  McpError,
  ResourceUpdatedNotificationSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { AuditEvent, Engine, PolicyDefinition } from '../../../src/index.js';
import { TIERGUARD_DENIED } from '../../../src/mcp/deny-response.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import { MAX_RESOURCE_SUBSCRIPTIONS } from '../../../src/limits.js';
import { closeClients, connect, rejectionOf } from './guard-support.js';

/**
 * resources/subscribe is judged as the read of its canonical URI, and a
 * notifications/resources/updated reaches the client only for what it could read.
 */

let subscribed: string[];
let unsubscribed: string[];
let events: AuditEvent[];

beforeEach(() => {
  subscribed = [];
  unsubscribed = [];
  events = [];
});
afterEach(closeClients);

const NO_SECRETS: PolicyDefinition = { id: 'resources.no-secrets', tools: ['secret://vault/**'], message: 'the vault is off limits' };
const NO_PRIVATE: PolicyDefinition = {
  id: 'resources.no-private',
  tools: ['notes://local/private'],
  message: 'private notes are off limits',
};

const engineWith = (policies: readonly PolicyDefinition[]): Promise<Engine> =>
  createEngine({ policies, onDecision: (event) => events.push(event) });

/** An McpServer that supports subscriptions and records the URIs its handlers are given. */
function subscribingServer(): McpServer {
  const server = new McpServer({ name: 'vault', version: '1.0.0' }, { capabilities: { resources: { subscribe: true } } });
  server.registerResource('today', 'notes://local/today', {}, (uri) => ({ contents: [{ uri: uri.href, text: 'notes' }] }));
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscribed.push(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    unsubscribed.push(request.params.uri);
    return {};
  });
  return server;
}

/** The URIs of the updates the client receives. */
function updatesOf(client: Client): string[] {
  const received: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    received.push(notification.params.uri);
  });
  return received;
}

/**
 * Sends `uris` as updates one after another, then a marker update the client is
 * subscribed to, and waits for the marker: whatever came before it has arrived by then.
 */
async function sendUpdates(server: McpServer, received: string[], uris: readonly string[], marker = 'notes://local/today'): Promise<void> {
  for (const uri of uris) await server.server.sendResourceUpdated({ uri });
  await server.server.sendResourceUpdated({ uri: marker });
  await vi.waitFor(() => expect(received).toContain(marker), { timeout: 5000 });
}

describe('guardServer: resources/subscribe', () => {
  it.each([['secret://vault/key'], ['SECRET://Vault/key'], [' secret://vault/%6Bey'], ['secret://vault/public/../key']])(
    'refuses a subscription to %j, whose read a policy refuses, and runs no handler',
    async (uri) => {
      const server = subscribingServer();
      guardServer(server, await engineWith([NO_SECRETS]));
      const client = await connect(server);
      const error = await rejectionOf(client.subscribeResource({ uri }));
      expect(error).toBeInstanceOf(McpError);
      expect(error.code).toBe(TIERGUARD_DENIED);
      expect(error.data).toMatchObject({
        reason: 'denied',
        method: 'resources/subscribe',
        tool: 'secret://vault/key',
        violations: [{ policyId: 'resources.no-secrets' }],
      });
      expect(error.message).toContain('tierguard denied this subscription to resource "secret://vault/key", so it was not run:');
      expect(subscribed).toEqual([]);
    },
  );

  it('judges a subscription as the read of the same URI, whatever a policy says of kind', async () => {
    const readsOnly: PolicyDefinition = {
      id: 'resources.reads',
      tools: ['secret://**'],
      when: { field: 'kind', op: 'eq', value: 'resources/read' },
    };
    const server = subscribingServer();
    guardServer(server, await engineWith([readsOnly]));
    const client = await connect(server);
    expect((await rejectionOf(client.subscribeResource({ uri: 'secret://vault/key' }))).code).toBe(TIERGUARD_DENIED);
    expect(events.at(-1)).toMatchObject({
      tool: 'secret://vault/key',
      kind: 'resources/read',
      verdict: 'deny',
      labels: { method: 'resources/subscribe' },
    });
  });

  it('hands an allowed subscription to the handler in canonical form', async () => {
    const server = subscribingServer();
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    await client.subscribeResource({ uri: 'NOTES://Local/%74oday' });
    expect(subscribed).toEqual(['notes://local/today']);
  });

  it.each([['not a uri'], ['vault/key'], [42]])('refuses a subscription to %j, which does not parse', async (uri) => {
    const server = subscribingServer();
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    const error = await rejectionOf(client.subscribeResource({ uri: uri as string }));
    expect(error.code).toBe(TIERGUARD_DENIED);
    expect(error.data).toMatchObject({ reason: 'evaluation-failed', method: 'resources/subscribe', errors: [{ code: 'INVALID_ACTION' }] });
    expect(subscribed).toEqual([]);
  });

  it('canonicalises an unsubscribe, so it names the URI the subscription was made under', async () => {
    const server = subscribingServer();
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    await client.unsubscribeResource({ uri: 'Notes://LOCAL/%74oday' });
    expect(unsubscribed).toEqual(['notes://local/today']);
    expect((await rejectionOf(client.unsubscribeResource({ uri: 'not a uri' }))).code).toBe(TIERGUARD_DENIED);
    expect(unsubscribed).toHaveLength(1);
  });
});

describe('guardServer: notifications/resources/updated', () => {
  it('never delivers an update of a URI the client could not subscribe to', async () => {
    const server = subscribingServer();
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    const received = updatesOf(client);
    await rejectionOf(client.subscribeResource({ uri: 'secret://vault/key' }));
    await client.subscribeResource({ uri: 'notes://local/today' });
    await sendUpdates(server, received, ['secret://vault/key', 'SECRET://vault/key']);
    expect(received).toEqual(['notes://local/today']);
  });

  it('delivers only updates of subscribed URIs, and none after an unsubscribe', async () => {
    const server = subscribingServer();
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    const received = updatesOf(client);
    await client.subscribeResource({ uri: 'notes://local/today' });
    await client.subscribeResource({ uri: 'notes://local/other' });
    await client.unsubscribeResource({ uri: 'NOTES://local/other' });
    await sendUpdates(server, received, ['notes://local/other', 'notes://local/never-subscribed']);
    expect(received).toEqual(['notes://local/today']);
  });

  it("judges an update of a sub-resource as its read, with the subscription's context", async () => {
    const server = subscribingServer();
    guardServer(server, await engineWith([NO_PRIVATE]));
    const client = await connect(server);
    const received = updatesOf(client);
    await client.subscribeResource({ uri: 'notes://local' });
    await sendUpdates(server, received, ['notes://local/private', 'notes://local/week'], 'notes://local/today');
    expect(received).toEqual(['notes://local/week', 'notes://local/today']);
  });

  it('judges each update with the engine of the moment, so a policy added after subscribing stops them', async () => {
    let engine = await engineWith([]);
    const server = subscribingServer();
    guardServer(server, () => engine);
    const client = await connect(server);
    const received = updatesOf(client);
    await client.subscribeResource({ uri: 'notes://local/today' });
    await client.subscribeResource({ uri: 'notes://local/private' });
    engine = await engineWith([NO_PRIVATE]);
    await sendUpdates(server, received, ['notes://local/private']);
    expect(received).toEqual(['notes://local/today']);
    expect(events.at(-2)).toMatchObject({
      tool: 'notes://local/private',
      verdict: 'deny',
      labels: { method: 'notifications/resources/updated' },
    });
  });

  it('delivers every update again once the guard is removed', async () => {
    const server = subscribingServer();
    const guard = guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    const received = updatesOf(client);
    await client.subscribeResource({ uri: 'notes://local/today' });
    guard.unguard();
    // Unguarded, the server's own notification method is back: everything it sends is delivered.
    await sendUpdates(server, received, ['secret://vault/key']);
    expect(received).toEqual(['secret://vault/key', 'notes://local/today']);
  });
});

describe('guardServer: the number of subscriptions kept', () => {
  it(`refuses a new subscription past ${MAX_RESOURCE_SUBSCRIPTIONS} on one connection before the handler runs, and takes one again after an unsubscribe`, async () => {
    const server = subscribingServer();
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    for (let index = 0; index < MAX_RESOURCE_SUBSCRIPTIONS; index += 1) await client.subscribeResource({ uri: `notes://local/n${index}` });
    expect(subscribed).toHaveLength(MAX_RESOURCE_SUBSCRIPTIONS);

    const error = await rejectionOf(client.subscribeResource({ uri: 'notes://local/one-too-many' }));
    expect(error.code).toBe(TIERGUARD_DENIED);
    expect(error.data).toMatchObject({ method: 'resources/subscribe', errors: [{ code: 'LIMIT_EXCEEDED' }] });
    expect(subscribed).toHaveLength(MAX_RESOURCE_SUBSCRIPTIONS);

    // Subscribing again to a URI already kept adds nothing, so it is not refused.
    await client.subscribeResource({ uri: 'notes://local/n0' });
    await client.unsubscribeResource({ uri: 'notes://local/n1' });
    // One place is free: of several new subscriptions sent at once, exactly one takes it.
    const racing = await Promise.allSettled(
      ['a', 'b', 'c', 'd', 'e'].map((name) => client.subscribeResource({ uri: `notes://local/race-${name}` })),
    );
    expect(racing.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(subscribed.filter((uri) => uri.startsWith('notes://local/race-'))).toHaveLength(1);
  });
});
