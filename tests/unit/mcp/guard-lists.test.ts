import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListResourcesRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createEngine } from '../../../src/index.js';
import type { AuditEvent, PolicyDefinition } from '../../../src/index.js';
import type { GuardServerOptions } from '../../../src/mcp/guard-options.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import { closeClients, connect } from './guard-support.js';

/**
 * filterLists: resources/list, resources/templates/list and prompts/list hide
 * what the caller can never use, by the rule tools/list follows, and pages keep
 * their cursors.
 */

let events: AuditEvent[];

beforeEach(() => {
  events = [];
});
afterEach(closeClients);

const POLICIES: PolicyDefinition[] = [
  // Hidden for non-admins: resources, and the template, since only the tool pattern and the roles decide.
  { id: 'vault.admins', tools: ['secret://vault/**'], assert: { field: 'context.user.roles', op: 'in', value: ['admin'] } },
  // Reads the URI: a listed resource is judged on it; a template cannot be, so it stays.
  { id: 'notes.txt-only', tools: ['notes://**'], assert: { field: 'tool', op: 'regex', value: '\\.txt$' } },
  // An escalation can be approved: listed.
  { id: 'audit.review', tools: ['audit://**'], effect: 'escalate' },
  // Hidden for non-admins whatever the arguments.
  { id: 'deploy.admins', tools: ['deploy'], assert: { field: 'context.user.roles', op: 'in', value: ['admin'] } },
  // A bound on an argument: some call may pass, listed.
  { id: 'greet.not-root', tools: ['greet'], assert: { field: 'arguments.who', op: 'neq', value: 'root' } },
];

function contentServer(): McpServer {
  const server = new McpServer({ name: 'content', version: '1.0.0' });
  const text = (uri: URL) => ({ contents: [{ uri: uri.href, text: uri.href }] });
  server.registerResource('key', 'secret://vault/key', {}, text);
  server.registerResource('today', 'notes://local/today', {}, text);
  server.registerResource('today.txt', 'notes://local/today.txt', {}, text);
  server.registerResource('log', 'audit://log/latest', {}, text);
  server.registerResource('entry', new ResourceTemplate('secret://vault/{name}', { list: undefined }), {}, text);
  server.registerResource('day', new ResourceTemplate('notes://local/{day}', { list: undefined }), {}, text);
  const prompt = () => ({ messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'hi' } }] });
  server.registerPrompt('deploy', { argsSchema: { env: z.string() } }, prompt);
  server.registerPrompt('greet', { argsSchema: { who: z.string() } }, prompt);
  return server;
}

async function lists(roles: string[], options: GuardServerOptions = { filterLists: true }) {
  const server = contentServer();
  guardServer(server, await createEngine({ policies: POLICIES, onDecision: (event) => events.push(event) }), {
    context: () => ({ user: { roles } }),
    ...options,
  });
  const client = await connect(server);
  return {
    resources: (await client.listResources()).resources.map((resource) => resource.uri),
    templates: (await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate),
    prompts: (await client.listPrompts()).prompts.map((prompt) => prompt.name),
  };
}

const EVERYTHING = {
  resources: ['secret://vault/key', 'notes://local/today', 'notes://local/today.txt', 'audit://log/latest'],
  templates: ['secret://vault/{name}', 'notes://local/{day}'],
  prompts: ['deploy', 'greet'],
};

describe('guardServer: filterLists', () => {
  it('hides the resources, templates and prompts the caller can never use', async () => {
    expect(await lists(['dev'])).toEqual({
      resources: ['notes://local/today.txt', 'audit://log/latest'],
      templates: ['notes://local/{day}'],
      prompts: ['greet'],
    });
  });

  it('hides for each caller what is forbidden to that caller only', async () => {
    expect(await lists(['admin'])).toEqual({
      ...EVERYTHING,
      resources: EVERYTHING.resources.filter((uri) => uri !== 'notes://local/today'),
    });
  });

  it('lists everything without the option, and with filterToolList alone', async () => {
    expect(await lists(['dev'], {})).toEqual(EVERYTHING);
    expect(await lists(['dev'], { filterToolList: true })).toEqual(EVERYTHING);
  });

  it('labels the probes with the list method', async () => {
    await lists(['dev']);
    const probes = (method: string) =>
      events.filter((event) => event.labels?.['method'] === method).map((event) => `${event.kind} ${event.tool}`);
    expect(probes('resources/list')).toEqual(EVERYTHING.resources.map((uri) => `resources/read ${uri}`));
    expect(probes('resources/templates/list')).toEqual([
      'resources/read secret://vault/%7Bname%7D',
      'resources/read notes://local/%7Bday%7D',
    ]);
    expect(probes('prompts/list')).toEqual(['prompts/get deploy', 'prompts/get greet']);
  });

  it('filters each page and keeps its cursor, so a client pages through everything it may see', async () => {
    const pages: Record<string, { resources: { uri: string; name: string }[]; nextCursor?: string }> = {
      start: {
        resources: [
          { uri: 'secret://vault/a', name: 'a' },
          { uri: 'notes://x.txt', name: 'x' },
        ],
        nextCursor: 'p2',
      },
      p2: { resources: [{ uri: 'SECRET://vault/b', name: 'b' }], nextCursor: 'p3' },
      p3: {
        resources: [
          { uri: 'notes://y.txt', name: 'y' },
          { uri: 'not a uri', name: 'broken' },
        ],
      },
    };
    const cursors: unknown[] = [];
    const server = new Server({ name: 'paged', version: '1.0.0' }, { capabilities: { resources: {} } });
    server.setRequestHandler(ListResourcesRequestSchema, (request) => {
      cursors.push(request.params?.cursor);
      const page = pages[request.params?.cursor ?? 'start'];
      if (page === undefined) throw new Error('unknown cursor');
      return page;
    });
    guardServer(server, await createEngine({ policies: POLICIES }), { filterLists: true, context: () => ({ user: { roles: ['dev'] } }) });
    const client = await connect(server);

    const seen: { uris: string[]; nextCursor: string | undefined }[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listResources(cursor === undefined ? {} : { cursor });
      seen.push({ uris: page.resources.map((resource) => resource.uri), nextCursor: page.nextCursor });
      cursor = page.nextCursor;
    } while (cursor !== undefined);

    expect(seen).toEqual([
      { uris: ['notes://x.txt'], nextCursor: 'p2' },
      { uris: [], nextCursor: 'p3' },
      // A URI that does not parse can never be read through the guard.
      { uris: ['notes://y.txt'], nextCursor: undefined },
    ]);
    expect(cursors).toEqual([undefined, 'p2', 'p3']);
  });
});
