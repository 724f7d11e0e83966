import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyDefinition } from '../../../../src/index.js';
import { rejectionOf } from '../guard-support.js';
import { ASKING_TARGET, cleanUp, eventually, fronted, temporaryDirectory } from './gateway-support.js';

/**
 * A downstream server restarted under `restart: 'on-failure'` is a new
 * process: the gateway sets the client's session up on it again (its resource
 * subscriptions and log level) before it serves, drops a subscription it
 * refuses and tells the client so, and declares the client's capabilities to
 * it as before.
 */

const NOTHING_DENIED: PolicyDefinition = { id: 'nothing.denied', tools: ['never-called'], assert: { field: 'tool', op: 'eq', value: 'x' } };

afterEach(cleanUp);

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const [first] = result.content;
  if (first?.type !== 'text') throw new Error(`no text from ${name}`);
  return JSON.parse(first.text) as unknown;
}

/** A gateway in front of the asking fixture that restarts it once, with `client` connected; resolves after a crash and the restart. */
async function restartable(client = new Client({ name: 'restart-client', version: '1.0.0' })) {
  const fronting = await fronted(
    [NOTHING_DENIED],
    {
      downstream: { ...ASKING_TARGET, env: { ASKING_MARKER: join(temporaryDirectory(), 'started') } },
      restart: 'on-failure',
      restartBackoffMs: 20,
      maxRestarts: 1,
    },
    client,
  );
  let restarted = false;
  fronting.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    restarted = true;
  });
  const crash = async (): Promise<void> => {
    await rejectionOf(fronting.client.callTool({ name: 'crash', arguments: {} }));
    await eventually(() => restarted);
  };
  return { ...fronting, crash };
}

describe('createGateway: a restarted downstream server gets the session back', () => {
  it('re-subscribes the kept subscriptions, so an update after the restart still reaches the client, and sets the log level again', async () => {
    const { client, crash } = await restartable();
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      updates.push(notification.params.uri);
    });
    await client.subscribeResource({ uri: 'echo://kept' });
    await client.subscribeResource({ uri: 'echo://gone' });
    await client.unsubscribeResource({ uri: 'echo://gone' });
    await client.setLoggingLevel('error');
    expect(await call(client, 'state')).toEqual({ subscriptions: ['echo://kept'], level: 'error', rootsChanged: 0, restarted: false });

    await crash();
    expect(await call(client, 'state')).toEqual({ subscriptions: ['echo://kept'], level: 'error', rootsChanged: 0, restarted: true });
    expect(await call(client, 'touch', { uri: 'echo://kept' })).toBe('sent');
    await eventually(() => updates.length > 0);
    expect(updates).toEqual(['echo://kept']);
  });

  it('drops a subscription the restarted server refuses, logs it, and tells the client with a warning message', async () => {
    const { client, crash, logs } = await restartable();
    const messages: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      messages.push(notification.params);
    });
    await client.subscribeResource({ uri: 'echo://kept' });
    await client.subscribeResource({ uri: 'echo://fragile' });
    await client.setLoggingLevel('warning');

    await crash();
    expect(await call(client, 'state')).toMatchObject({ subscriptions: ['echo://kept'], level: 'warning', restarted: true });
    expect(logs.some((line) => line.includes('refused the subscription to echo://fragile again') && line.includes('it is dropped'))).toBe(
      true,
    );
    await eventually(() => messages.length > 0);
    expect(messages).toEqual([
      {
        level: 'warning',
        logger: 'tierguard-gateway',
        data: expect.objectContaining({ event: 'resource_subscription_dropped', uri: 'echo://fragile' }) as unknown,
      },
    ]);
    // The restarted server holds only what it took again.
    expect(await call(client, 'touch', { uri: 'echo://fragile' })).toBe('not subscribed');
  });

  it('sends the drop notice only when the level the client set admits a warning', async () => {
    const { client, crash, logs } = await restartable();
    const messages: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      messages.push(notification.params);
    });
    await client.subscribeResource({ uri: 'echo://fragile' });
    await client.setLoggingLevel('error');
    await crash();
    expect(await call(client, 'state')).toMatchObject({ subscriptions: [], level: 'error', restarted: true });
    expect(logs.some((line) => line.includes('refused the subscription to echo://fragile again'))).toBe(true);
    expect(messages).toEqual([]);
  });

  it("declares the client's capabilities to the restarted server and relays its requests as before", async () => {
    const client = new Client({ name: 'restart-client', version: '1.0.0' }, { capabilities: { roots: {} } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///after' }] }));
    const { client: connected, crash } = await restartable(client);
    await crash();
    expect(await call(connected, 'capabilities')).toEqual({ roots: {} });
    expect(await call(connected, 'list_roots')).toEqual({ result: { roots: [{ uri: 'file:///after' }] } });
  });
});
