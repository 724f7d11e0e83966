import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, LoggingMessageNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyDefinition } from '../../../../src/index.js';
import { DOWNSTREAM_UNAVAILABLE } from '../../../../src/mcp/gateway/downstream-error.js';
import { rejectionOf } from '../guard-support.js';
import { cleanUp, eventually, fronted, temporaryDirectory } from './gateway-support.js';

/**
 * What happens around a forwarded request: progress and cancellation relayed,
 * a downstream that never answers or answers garbage, one that crashes (and is
 * restarted), notifications from downstream, and the audit through all of it.
 */

const NOTHING_DENIED: PolicyDefinition = { id: 'nothing.denied', tools: ['never-called'], assert: { field: 'tool', op: 'eq', value: 'x' } };

afterEach(cleanUp);

describe('createGateway: progress and cancellation', () => {
  it("relays downstream progress to the client under the client's own token", async () => {
    const { client } = await fronted([NOTHING_DENIED]);
    const seen: Progress[] = [];
    const result = await client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, {
      onprogress: (progress) => seen.push(progress),
    });
    expect(result.content).toEqual([{ type: 'text', text: 'done 3' }]);
    expect(seen.map((progress) => progress.progress)).toEqual([1, 2, 3]);
  });

  it("passes a client's cancellation on to the downstream server", async () => {
    const marker = join(temporaryDirectory(), 'cancelled');
    const { client } = await fronted([NOTHING_DENIED]);
    const controller = new AbortController();
    const call = client.callTool({ name: 'hang', arguments: { marker } }, undefined, {
      signal: controller.signal,
      onprogress: () => controller.abort('changed my mind'),
    });
    await rejectionOf(call);
    await eventually(() => existsSync(marker));
  });
});

describe('createGateway: a downstream that does not answer', () => {
  it('answers a request the downstream never answers with a timeout error, and keeps serving', async () => {
    const { client } = await fronted([NOTHING_DENIED], { requestTimeoutMs: 300 });
    const error = await rejectionOf(client.callTool({ name: 'hang', arguments: {} }));
    expect(error.code).toBe(ErrorCode.RequestTimeout);
    expect(error.message).toContain('did not answer tools/call within 300 ms');
    expect(error.message).toContain('echo-fixture');
    expect((await client.callTool({ name: 'echo', arguments: { text: 'still here' } })).content).toEqual([
      { type: 'text', text: 'still here' },
    ]);
  });

  it('answers a request the downstream answers with garbage with an error, and keeps serving', async () => {
    const { client } = await fronted([NOTHING_DENIED], { requestTimeoutMs: 300 });
    const error = await rejectionOf(client.callTool({ name: 'garbage', arguments: {} }));
    expect(error.code).toBe(ErrorCode.RequestTimeout);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'ok' } })).content).toEqual([{ type: 'text', text: 'ok' }]);
  });
});

describe('createGateway: a downstream that crashes', () => {
  it('fails the pending and every later request with an error naming the server and its exit; the audit keeps the decision', async () => {
    const { client, events } = await fronted([NOTHING_DENIED]);
    const pending = await rejectionOf(client.callTool({ name: 'crash', arguments: {} }));
    expect(pending.code).toBe(DOWNSTREAM_UNAVAILABLE);
    expect(pending.message).toMatch(
      /"echo-fixture" \(.*echo-server\.mjs\) exited with code 3 before answering tools\/call; it is not restarted/,
    );
    const later = await rejectionOf(client.callTool({ name: 'echo', arguments: { text: 'anyone?' } }));
    expect(later.code).toBe(DOWNSTREAM_UNAVAILABLE);
    expect(later.data).toMatchObject({ state: 'exited', exit: { code: 3, signal: null } });
    expect(events.filter((event) => event.phase === 'request').map((event) => event.tool)).toEqual(['initialize', 'crash', 'echo']);
  });

  it('restarts it under restart "on-failure" and tells the client its lists may have changed', async () => {
    const { client, gateway, logs } = await fronted([NOTHING_DENIED], { restart: 'on-failure', restartBackoffMs: 20, maxRestarts: 1 });
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed += 1;
    });
    await rejectionOf(client.callTool({ name: 'crash', arguments: {} }));
    await eventually(() => changed > 0);
    expect((await gateway.status()).downstream).toMatchObject({ state: 'connected', restarts: 1, lastExit: { code: 3 } });
    expect((await client.callTool({ name: 'echo', arguments: { text: 'back' } })).content).toEqual([{ type: 'text', text: 'back' }]);
    await rejectionOf(client.callTool({ name: 'crash', arguments: {} }));
    const after = await rejectionOf(client.callTool({ name: 'echo', arguments: { text: 'again?' } }));
    expect(after.message).toContain('it stays down (all 1 restarts used)');
    expect(logs.some((line) => line.includes('is serving again (restart 1 of 1)'))).toBe(true);
  });
});

describe('createGateway: when the client leaves', () => {
  it('closes the downstream connection, ending the server it spawned', async () => {
    const { client, gateway } = await fronted([NOTHING_DENIED]);
    expect((await gateway.status()).downstream.state).toBe('connected');
    await client.close();
    let state = (await gateway.status()).downstream.state;
    for (let tries = 0; state !== 'closed' && tries < 500; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      state = (await gateway.status()).downstream.state;
    }
    expect(state).toBe('closed');
  });
});

describe('createGateway: notifications from downstream', () => {
  it('forwards tools/list_changed and checks the new tools again', async () => {
    const checked: string[][] = [];
    const { client } = await fronted([NOTHING_DENIED], {
      checkToolSchemas: (tools) => {
        checked.push(tools.map((tool) => tool.name));
        return [];
      },
    });
    let changed = false;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed = true;
    });
    await client.callTool({ name: 'add_tool', arguments: { name: 'added' } });
    await eventually(() => changed && checked.length === 2);
    expect(checked[0]).not.toContain('added');
    expect(checked[1]).toContain('added');
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('added');
  });

  it('forwards logging messages', async () => {
    const { client } = await fronted([NOTHING_DENIED]);
    const messages: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      messages.push(notification.params.data);
    });
    await client.setLoggingLevel('info');
    await client.callTool({ name: 'log', arguments: { message: 'careful' } });
    await eventually(() => messages.length > 0);
    expect(messages).toEqual(['careful']);
  });
});
