import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine, loadPolicies } from '../../../src/index.js';
import type { Action, AuditEvent, Engine, EngineOptions, PolicyDefinition } from '../../../src/index.js';
import { decidesSynchronously } from '../../../src/engine.js';
import type { GuardServerOptions } from '../../../src/mcp/guard-options.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import { policyParts } from '../../../src/policy/policy-parts.js';
import { closeClients, connect } from './guard-support.js';

/**
 * The guard decides with `evaluateAuto`, without a promise, for an engine that
 * `decidesSynchronously`, and awaits `evaluate` for any other engine. A copy of
 * an engine (`{ ...engine }`) takes the second path with the same policies, so
 * the two paths are compared request by request: every example action as a
 * tools/call, refused calls (limits, a malformed name), `onError: 'throw'`, an
 * audit sink that throws, and a context hook must give the same answer, the
 * same tool runs and the same audit events (but their clock readings).
 */

const EXAMPLES = fileURLToPath(new URL('../../../examples', import.meta.url));

afterEach(async () => {
  await closeClients();
  vi.restoreAllMocks();
});

async function autoPolicies(): Promise<PolicyDefinition[]> {
  const { definitions } = await loadPolicies(join(EXAMPLES, 'policies'));
  return definitions.filter((definition) => policyParts(definition).formal.length === 0);
}

async function exampleCalls(): Promise<{ name: unknown; arguments?: unknown }[]> {
  const folder = join(EXAMPLES, 'actions');
  const files = (await readdir(folder)).filter((file) => file.endsWith('.json')).sort();
  const actions = await Promise.all(files.map(async (file) => JSON.parse(await readFile(join(folder, file), 'utf8')) as Action));
  return actions.map((action) => ({ name: action.tool, arguments: action.arguments }));
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 0; level < depth; level += 1) value = { next: value };
  return value;
}

/** Calls the guard refuses whatever the policies say. */
const REFUSED = [
  { name: 'payments.transfer', arguments: { deep: nested(100) } },
  { name: 'payments.transfer', arguments: { many: Array.from({ length: 200_000 }, (_, index) => index) } },
];

/** A low-level Server that runs any tool, recording which, guarded by `engine`. */
async function guardedClient(engine: Engine, ran: string[], options: GuardServerOptions) {
  const server = new Server({ name: 'any-tool', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    ran.push(request.params.name);
    return { content: [{ type: 'text', text: `ran ${request.params.name}` }] };
  });
  guardServer(server, engine, options);
  return connect(server);
}

const timeless = ({ time: _time, durationMs: _durationMs, ...rest }: AuditEvent): Omit<AuditEvent, 'time' | 'durationMs'> => rest;

async function answerOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { result: await call() };
  } catch (error) {
    const { message, code, data } = error as Error & { code?: unknown; data?: unknown };
    return { error: { message, code, data } };
  }
}

/** The same calls through the synchronous path and through the awaited one: answers, tool runs and audit events. */
async function bothPaths(engineOptions: Omit<EngineOptions, 'onDecision'>, calls: readonly unknown[], options: GuardServerOptions = {}) {
  const observed = [];
  for (const path of ['synchronous', 'awaited'] as const) {
    const events: AuditEvent[] = [];
    const engine = await createEngine({ ...engineOptions, onDecision: (event) => events.push(event) });
    expect(decidesSynchronously(engine)).toBe(true);
    const ran: string[] = [];
    const client = await guardedClient(path === 'synchronous' ? engine : { ...engine }, ran, options);
    const answers = [];
    for (const call of calls) answers.push(await answerOf(() => client.callTool(call as { name: string })));
    observed.push({ answers, ran, events: events.map(timeless) });
  }
  return { synchronous: observed[0], awaited: observed[1] };
}

describe('guardServer: the synchronous decision', () => {
  it('answers every example call as the awaited path does, and audits it the same', async () => {
    const { synchronous, awaited } = await bothPaths({ policies: await autoPolicies() }, [...(await exampleCalls()), ...REFUSED]);
    expect(synchronous?.events.length).toBeGreaterThan(20);
    expect(synchronous?.answers.some((answer) => JSON.stringify(answer).includes('"isError":true'))).toBe(true);
    expect(synchronous?.ran.length).toBeGreaterThan(0);
    expect(synchronous).toEqual(awaited);
  });

  it('with a context hook, as the awaited path does', async () => {
    const context = () => ({ user: { id: 'u-17', roles: ['finance'] }, limits: { maxAmount: 5000 } });
    const { synchronous, awaited } = await bothPaths({ policies: await autoPolicies() }, await exampleCalls(), { context });
    expect(synchronous).toEqual(awaited);
  });

  it('refuses as the awaited path does when evaluation throws: onError "throw", an audit sink that throws', async () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const policies = await autoPolicies();
    const throwing = await bothPaths({ policies, onError: 'throw' }, REFUSED);
    expect(throwing.synchronous?.ran).toEqual([]);
    expect(JSON.stringify(throwing.synchronous?.answers)).toContain('LIMIT_EXCEEDED');
    expect(throwing.synchronous).toEqual(throwing.awaited);

    // The sink fails for calls only: a connection whose initialize is refused never gets that far.
    const calls = await exampleCalls();
    const refusals = [];
    for (const path of ['synchronous', 'awaited'] as const) {
      const engine = await createEngine({
        policies,
        onDecision: (event) => {
          if (event.kind === 'tools/call') throw new Error('disk full');
        },
      });
      const ran: string[] = [];
      const client = await guardedClient(path === 'synchronous' ? engine : { ...engine }, ran, {});
      const answers = [];
      for (const call of calls) answers.push(await answerOf(() => client.callTool(call as { name: string })));
      expect(ran).toEqual([]);
      expect(answers.every((answer) => JSON.stringify(answer).includes('(AUDIT_FAILED)'))).toBe(true);
      refusals.push(answers);
    }
    expect(refusals[0]).toEqual(refusals[1]);
  });
});
