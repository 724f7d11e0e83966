import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, createJsonLinesSink, loadPolicies, watchPolicies } from '../../../src/index.js';
import type { AuditEvent, EngineOptions, PolicyWatcher } from '../../../src/index.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import type { Received } from './guard-support.js';
import { closeClients, connect, opsServer, summaryOf, textOf } from './guard-support.js';

/**
 * The stories the MCP guard exists for, told with the example policy bundle
 * (examples/policies) in front of a real MCP server and client.
 */

const EXAMPLES = fileURLToPath(new URL('../../../examples/policies', import.meta.url));
const temporary: string[] = [];
const watchers: PolicyWatcher[] = [];

afterEach(async () => {
  await closeClients();
  for (const watcher of watchers.splice(0)) watcher.close();
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tierguard-mcp-'));
  temporary.push(dir);
  return dir;
}

/** The example bundle's engine; the caller's roles come from the server's own auth (here: by client id). */
async function examplesServer(calls: Received[], options: Omit<EngineOptions, 'policies'> = {}) {
  const { definitions, sources } = await loadPolicies(EXAMPLES);
  const engine = await createEngine({ policies: definitions, sources, ...options });
  const server = opsServer(calls);
  const roles: Record<string, string[]> = { 'dev-agent': ['dev'], 'ops-agent': ['admin'] };
  guardServer(server, engine, { context: ({ extra }) => ({ user: { roles: roles[extra.authInfo?.clientId ?? ''] ?? [] } }) });
  return server;
}

const asClient = (clientId: string) => ({ authInfo: { token: `token-of-${clientId}`, clientId, scopes: [] } });

describe('stories', () => {
  it('a developer asking for a database backup is denied, and the audit log says why', async () => {
    const events: AuditEvent[] = [];
    const calls: Received[] = [];
    const server = await examplesServer(calls, { onDecision: (event) => events.push(event) });
    const client = await connect(server, asClient('dev-agent'));

    const result = await client.callTool({ name: 'database.backup', arguments: { database: 'orders' } });
    expect(calls).toEqual([]);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      '- policy "database.backup-roles", field context.user.roles: database.backup needs the role admin or dba (caller has ["dev"])',
    );

    const audit = events.find((event) => event.tool === 'database.backup');
    expect(audit).toMatchObject({
      phase: 'request',
      kind: 'tools/call',
      verdict: 'deny',
      policyIds: ['database.backup-roles'],
      violations: [{ policyId: 'database.backup-roles', message: 'database.backup needs the role admin or dba (caller has ["dev"])' }],
      labels: { method: 'tools/call', requestId: expect.any(Number) as number },
    });

    const admin = await connect(await examplesServer(calls), asClient('ops-agent'));
    expect(textOf(await admin.callTool({ name: 'database.backup', arguments: { database: 'orders' } }))).toBe('backed up orders');
  });

  it('a temperature below absolute zero is rejected before the tool runs', async () => {
    const calls: Received[] = [];
    const client = await connect(await examplesServer(calls));
    const result = await client.callTool({ name: 'temp.convert', arguments: { temp: -500, unit: 'C' } });
    expect(calls).toEqual([]);
    expect(summaryOf(result).violations).toMatchObject([
      { policyId: 'temp.physical-bounds', message: 'temperature -500 is below absolute zero for its unit' },
    ]);
    expect(textOf(await client.callTool({ name: 'temp.convert', arguments: { temp: -40, unit: 'C' } }))).toBe('converted -40 C');
  });

  it("terminal colour codes in a tool's output never reach the model", async () => {
    const client = await connect(await examplesServer([]));
    const result = await client.callTool({ name: 'monitor.status', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'ALERT' }]);
  });

  it('a policy edited on disk applies to the next request, without a restart', async () => {
    const dir = await tempDir();
    const policy = (min: number) =>
      JSON.stringify({ id: 'temp.floor', tools: ['temp.convert'], assert: { field: 'arguments.temp', op: 'gte', value: min } });
    await writeFile(join(dir, 'temp.json'), policy(0));
    const watcher = await watchPolicies(dir, { intervalMs: 60_000 });
    watchers.push(watcher);
    const calls: Received[] = [];
    const server = opsServer(calls);
    guardServer(server, () => watcher.engine);
    const client = await connect(server);

    const before = await client.callTool({ name: 'temp.convert', arguments: { temp: -10, unit: 'C' } });
    expect(summaryOf(before).violations).toMatchObject([{ policyId: 'temp.floor', field: 'arguments.temp' }]);

    await writeFile(join(dir, 'temp.json'), policy(-273.15));
    await watcher.reload();
    expect(textOf(await client.callTool({ name: 'temp.convert', arguments: { temp: -10, unit: 'C' } }))).toBe('converted -10 C');
    expect(calls).toHaveLength(1);
  });

  it('in monitor mode a violating request runs, and the audit log records would_deny', async () => {
    const log = join(await tempDir(), 'audit.jsonl');
    const sink = createJsonLinesSink(log);
    const calls: Received[] = [];
    const client = await connect(await examplesServer(calls, { mode: 'monitor', onDecision: sink.write }), asClient('dev-agent'));

    const result = await client.callTool({ name: 'database.backup', arguments: { database: 'orders' } });
    expect(textOf(result)).toBe('backed up orders');
    expect(calls).toEqual([{ tool: 'database.backup', args: { database: 'orders' } }]);

    await sink.flush();
    const lines = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEvent);
    const request = lines.find((event) => event.tool === 'database.backup' && event.phase === 'request');
    expect(request).toMatchObject({
      verdict: 'allow',
      outcome: 'would_deny',
      wouldDeny: [{ policyId: 'database.backup-roles' }],
      labels: { method: 'tools/call' },
    });
    expect(await readFile(log, 'utf8')).not.toContain('token-of-dev-agent');
    await sink.close();
  });
});
