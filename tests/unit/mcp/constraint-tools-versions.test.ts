import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, watchPolicies } from '../../../src/index.js';
import type { PolicyWatcher } from '../../../src/index.js';
import { registerConstraintTools } from '../../../src/mcp/constraint-tools.js';
import type { ConstraintToolsOptions } from '../../../src/mcp/constraint-tools.js';
import type { EngineSource } from '../../../src/mcp/engine-source.js';

/**
 * Pinned versions, as an agent uses them: it reads a version from
 * describe_scope (or a decision), the policies reload, and its calls with that
 * version still answer from the set it saw while the watcher holds it.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const limit = (id: string, max: number) =>
  JSON.stringify({ id, tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: max } });
const PAY_50 = { tool: 'pay', arguments: { amount: 50 } };

async function connect(source: EngineSource, options?: ConstraintToolsOptions): Promise<Client> {
  const server = new McpServer({ name: 'versions-test', version: '0.0.0' });
  registerConstraintTools(server, source, options);
  const client = new Client({ name: 'agent', version: '0.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([client.connect(clientSide), server.connect(serverSide)]);
  await client.listTools();
  cleanups.push(async () => {
    await client.close();
    await server.close();
  });
  return client;
}

async function watchedDirectory(keepVersions: number): Promise<{ watcher: PolicyWatcher; write: (text: string) => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'tierguard-versions-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const write = async (text: string) => {
    await writeFile(join(root, 'p.json.tmp'), text);
    await rename(join(root, 'p.json.tmp'), join(root, 'p.json'));
  };
  await write(limit('pay.small', 10));
  const watcher = await watchPolicies(root, { intervalMs: 60_000, settleMs: 0, keepVersions });
  cleanups.push(() => watcher.close());
  return { watcher, write };
}

interface Answer {
  readonly isError: boolean;
  readonly structured: Record<string, unknown>;
  readonly text: string;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Answer> {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as { text?: string }[])[0]?.text ?? '';
  return { isError: result.isError === true, structured: (result.structuredContent ?? {}) as Record<string, unknown>, text };
}

describe('the version input of the constraint tools', () => {
  it('answers from a held version after a reload, and errors once it is evicted', async () => {
    const { watcher, write } = await watchedDirectory(2);
    const client = await connect(() => watcher.engine, { versions: watcher });
    const v1 = (await call(client, 'describe_scope')).structured.version as string;

    await write(limit('pay.large', 100));
    const v2 = (await watcher.reload()).version;
    expect(v2).not.toBe(v1);

    // Unpinned calls see the new set; pinned ones the set they name.
    expect((await call(client, 'describe_scope')).structured).toMatchObject({ version: v2, policyIds: ['pay.large'] });
    expect((await call(client, 'describe_scope', { version: v1 })).structured).toMatchObject({ version: v1, policyIds: ['pay.small'] });
    const pinned = await call(client, 'get_constraints', { tool: 'pay', version: v1 });
    expect(pinned.isError).toBe(false);
    expect(pinned.structured).toMatchObject({ available: true, version: v1, policies: [{ id: 'pay.small' }] });
    expect((await call(client, 'validate', { action: PAY_50, version: v1 })).structured).toMatchObject({
      verdict: 'deny',
      policyVersion: v1,
    });
    expect((await call(client, 'validate', { action: PAY_50 })).structured).toMatchObject({ verdict: 'allow', policyVersion: v2 });

    await write(limit('pay.huge', 1000));
    const v3 = (await watcher.reload()).version;
    for (const [name, args] of [
      ['describe_scope', {}],
      ['get_constraints', { tool: 'pay' }],
      ['validate', { action: PAY_50 }],
    ] as const) {
      const evicted = await call(client, name, { ...args, version: v1 });
      expect(evicted.isError).toBe(true);
      expect(evicted.text).toContain(`version "${v1}" is not held by this server; it holds ${v3}, ${v2}`);
    }
    expect((await call(client, 'validate', { action: PAY_50, version: v2 })).structured).toMatchObject({ policyVersion: v2 });
  });

  it('makes a typo an error listing the held versions, never "available: false"', async () => {
    const { watcher } = await watchedDirectory(8);
    const client = await connect(() => watcher.engine, { versions: watcher });
    const answer = await call(client, 'get_constraints', { version: 'sha256:typo' });
    expect(answer.isError).toBe(true);
    expect(answer.structured).toEqual({});
    expect(answer.text).toContain(`it holds ${watcher.engine.version}`);
  });

  it('accepts only the current version without a versions option', async () => {
    const engine = await createEngine({ policies: [JSON.parse(limit('pay.small', 10)) as never] });
    const client = await connect(engine);
    expect((await call(client, 'describe_scope', { version: engine.version })).structured).toMatchObject({ version: engine.version });
    const other = await call(client, 'describe_scope', { version: `sha256:${'a'.repeat(64)}` });
    expect(other.isError).toBe(true);
    expect(other.text).toContain(`it holds ${engine.version}`);
  });

  it('still answers "unavailable" when the server cannot give an engine at all', async () => {
    const client = await connect(() => {
      throw new Error('no bundle yet');
    });
    const answer = await call(client, 'describe_scope', { version: 'sha256:x' });
    expect(answer.isError).toBe(false);
    expect(answer.structured).toMatchObject({ available: false, reason: 'no bundle yet' });
  });

  it('refuses a versions option that cannot look versions up', async () => {
    const engine = await createEngine({ policies: [JSON.parse(limit('pay.small', 10)) as never] });
    const server = new McpServer({ name: 'versions-test', version: '0.0.0' });
    expect(() => registerConstraintTools(server, engine, { versions: {} as never })).toThrow(/versions must hold versions and engineAt/);
  });
});
