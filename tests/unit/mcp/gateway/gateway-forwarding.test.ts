import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDefinition } from '../../../../src/index.js';
import { DECISION_META_KEY, TIERGUARD_DENIED } from '../../../../src/mcp/deny-response.js';
import { rejectionOf } from '../guard-support.js';
import { ECHO_TARGET, cleanUp, eventually, fronted, temporaryDirectory } from './gateway-support.js';

/**
 * createGateway in front of a real downstream process (the echo fixture over
 * stdio), driven by a real SDK Client: what passes, what is refused before it
 * reaches the server (a marker file proves it), rewrites and response policies.
 */

const NO_OUTSIDE_WRITES: PolicyDefinition = {
  id: 'marker.inside-allowed',
  tools: ['write_marker'],
  assert: { not: { field: 'arguments.path', op: 'glob', value: '**/forbidden-*' } },
  message: 'writing {actual} is not allowed',
};
const LOUD_ECHO: PolicyDefinition = {
  id: 'echo.loud',
  tools: ['echo'],
  rewrite: [{ op: 'set_default', field: 'arguments.loud', value: true }],
};
const NO_SECRET_READS: PolicyDefinition = {
  id: 'resources.no-secret',
  tools: ['echo://secret'],
  assert: { field: 'tool', op: 'neq', value: 'echo://secret' },
  message: 'the secret is not for you',
};
const REDACT_HELLO: PolicyDefinition = {
  id: 'output.redact-hello',
  on: 'response',
  tools: ['echo://greeting'],
  rewrite: [{ op: 'replace', field: 'result.contents.*.text', pattern: 'hello', with: '[redacted]' }],
};
const POLICIES = [NO_OUTSIDE_WRITES, NO_SECRET_READS, REDACT_HELLO];

let direct: Client;

beforeAll(async () => {
  direct = new Client({ name: 'direct', version: '1.0.0' });
  await direct.connect(new StdioClientTransport({ command: ECHO_TARGET.command, args: [...ECHO_TARGET.args], stderr: 'ignore' }));
});
afterAll(async () => {
  await direct.close();
});
afterEach(cleanUp);

describe('createGateway: pass-through', () => {
  it("advertises the downstream server's capabilities, name and instructions, and lists its tools with their schemas unchanged", async () => {
    const { client } = await fronted(POLICIES);
    expect(client.getServerVersion()).toEqual(direct.getServerVersion());
    expect(client.getInstructions()).toBe('An echo server for tests.');
    expect(client.getServerCapabilities()).toEqual(direct.getServerCapabilities());
    expect(await client.listTools()).toEqual(await direct.listTools());
    expect(await client.listResources()).toEqual(await direct.listResources());
    expect(await client.listResourceTemplates()).toEqual(await direct.listResourceTemplates());
    expect(await client.listPrompts()).toEqual(await direct.listPrompts());
  });

  it("returns an allowed call's result exactly as the downstream server gave it", async () => {
    const { client, events } = await fronted(POLICIES);
    const args = { name: 'echo', arguments: { text: 'héllo "world"' } };
    expect(await client.callTool(args)).toEqual(await direct.callTool(args));
    expect(await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } })).toEqual(
      await direct.getPrompt({ name: 'greet', arguments: { name: 'Ada' } }),
    );
    expect(await client.readResource({ uri: 'echo://notes/a' })).toEqual(await direct.readResource({ uri: 'echo://notes/a' }));
    expect(
      events.filter((event) => event.phase === 'request').map((event) => [event.labels?.['method'], event.tool, event.verdict]),
    ).toEqual([
      ['initialize', 'initialize', 'allow'],
      ['tools/call', 'echo', 'allow'],
      ['prompts/get', 'greet', 'allow'],
      ['resources/read', 'echo://notes/a', 'allow'],
    ]);
  });

  it('never lets a denied call reach the downstream server', async () => {
    const directory = temporaryDirectory();
    const { client, events } = await fronted(POLICIES);
    const forbidden = join(directory, 'forbidden-file');
    const refused = await client.callTool({ name: 'write_marker', arguments: { path: forbidden } });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain('marker.inside-allowed');
    expect(refused._meta?.[DECISION_META_KEY]).toMatchObject({ verdict: 'deny' });
    expect(existsSync(forbidden)).toBe(false);
    const allowed = join(directory, 'allowed-file');
    await client.callTool({ name: 'write_marker', arguments: { path: allowed } });
    expect(readFileSync(allowed, 'utf8')).toBe('reached');
    expect(events.filter((event) => event.tool === 'write_marker' && event.phase === 'request').map((event) => event.verdict)).toEqual([
      'deny',
      'allow',
    ]);
  });

  it("refuses arguments nested past the engine's depth limit without forwarding them", async () => {
    const marker = join(temporaryDirectory(), 'deep');
    const { client } = await fronted(POLICIES);
    let deep: unknown = 'bottom';
    for (let level = 0; level < 200; level += 1) deep = { deeper: deep };
    const refused = await client.callTool({ name: 'write_marker', arguments: { path: marker, content: 'x', deep } });
    expect(refused.isError).toBe(true);
    expect(refused._meta?.[DECISION_META_KEY]).toMatchObject({ errors: [expect.objectContaining({ code: 'LIMIT_EXCEEDED' })] });
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a denied resource read with TIERGUARD_DENIED, and applies response rewrites', async () => {
    const { client } = await fronted(POLICIES);
    const error = await rejectionOf(client.readResource({ uri: 'echo://secret' }));
    expect(error.code).toBe(TIERGUARD_DENIED);
    const read = await client.readResource({ uri: 'echo://greeting' });
    expect(read.contents).toEqual([{ uri: 'echo://greeting', text: '[redacted]' }]);
  });

  it('hands the downstream server the rewritten arguments', async () => {
    const { client } = await fronted([LOUD_ECHO]);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'quiet' } });
    expect(result.content).toEqual([{ type: 'text', text: 'QUIET' }]);
  });

  it('passes a downstream JSON-RPC error on with its code and message', async () => {
    const { client } = await fronted(POLICIES);
    const viaGateway = await rejectionOf(client.readResource({ uri: 'echo://missing' }));
    const viaDirect = await rejectionOf(direct.readResource({ uri: 'echo://missing' }));
    expect(viaGateway.code).toBe(viaDirect.code);
    expect(viaGateway.message).toBe(viaDirect.message);
  });
});

describe('createGateway: resource subscriptions', () => {
  it('judges subscriptions and delivers only the updates of allowed ones', async () => {
    const { client } = await fronted(POLICIES);
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      updates.push(notification.params.uri);
    });
    await client.subscribeResource({ uri: 'echo://greeting' });
    const refused = await rejectionOf(client.subscribeResource({ uri: 'echo://secret' }));
    expect(refused.code).toBe(TIERGUARD_DENIED);
    await client.callTool({ name: 'touch', arguments: { uri: 'echo://secret' } });
    await client.callTool({ name: 'touch', arguments: { uri: 'echo://notes/never-subscribed' } });
    await client.callTool({ name: 'touch', arguments: { uri: 'echo://greeting' } });
    await eventually(() => updates.length > 0);
    // A ping after the last touch: anything the gateway were to deliver late would have come before its answer.
    await client.ping();
    expect(updates).toEqual(['echo://greeting']);
    await client.unsubscribeResource({ uri: 'echo://greeting' });
  });
});
