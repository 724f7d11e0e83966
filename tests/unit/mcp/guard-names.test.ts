import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createEngine } from '../../../src/index.js';
import type { AuditEvent, PolicyDefinition } from '../../../src/index.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import type { Received } from './guard-support.js';
import { closeClients, connect, opsServer } from './guard-support.js';

/**
 * Tool and prompt names are matched exactly, as sent: no case folding, trimming or
 * Unicode normalisation, in the guard or in the SDK's own lookup. So a spelling a
 * policy does not match is a name the server does not serve either.
 */

let calls: Received[];
let events: AuditEvent[];

beforeEach(() => {
  calls = [];
  events = [];
});
afterEach(closeClients);

const VARIANTS = [
  'Secrets.dump',
  'SECRETS.DUMP',
  ' secrets.dump',
  'secrets.dump ',
  'secrets.dump\u200b',
  'secrets.dump\n',
  '\uff53ecrets.dump',
  'secrets\u2024dump',
];

describe('guardServer: tool names are exact', () => {
  it.each([
    ['an exact name', { id: 'secrets.never', tools: ['secrets.dump'] }],
    ['a glob', { id: 'secrets.never', tools: ['secrets.*'] }],
  ] as const)('a policy on %s refuses the name; no other spelling reaches the tool', async (_label, policy: PolicyDefinition) => {
    const server = opsServer(calls);
    guardServer(server, await createEngine({ policies: [policy], onDecision: (event) => events.push(event) }));
    const client = await connect(server);
    expect((await client.callTool({ name: 'secrets.dump', arguments: {} })).isError).toBe(true);
    for (const name of VARIANTS) {
      // The SDK finds no tool by that name: an error result or a JSON-RPC error, never the tool.
      const result = await client.callTool({ name, arguments: {} }).catch((error: unknown) => ({ isError: true, error }));
      expect(result.isError).toBe(true);
    }
    expect(calls).toEqual([]);
    // Judged as sent: the policies saw each spelling, unchanged.
    expect(events.filter((event) => event.kind === 'tools/call').map((event) => event.tool)).toEqual(['secrets.dump', ...VARIANTS]);
  });

  it('prompt names are exact too', async () => {
    const server = new McpServer({ name: 'prompts', version: '1.0.0' });
    const got: string[] = [];
    server.registerPrompt('deploy', { argsSchema: { env: z.string() } }, (args) => {
      got.push(args.env);
      return { messages: [{ role: 'user', content: { type: 'text', text: `deploy ${args.env}` } }] };
    });
    guardServer(
      server,
      await createEngine({ policies: [{ id: 'prompts.no-deploy', tools: ['deploy'] }], onDecision: (event) => events.push(event) }),
    );
    const client = await connect(server);
    for (const name of ['deploy', 'Deploy', ' deploy', 'deploy\u200b']) {
      await expect(client.getPrompt({ name, arguments: { env: 'prod' } })).rejects.toThrow();
    }
    expect(got).toEqual([]);
    expect(events.filter((event) => event.kind === 'prompts/get').map((event) => event.tool)).toEqual([
      'deploy',
      'Deploy',
      ' deploy',
      'deploy\u200b',
    ]);
  });
});
