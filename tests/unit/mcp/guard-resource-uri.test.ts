import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError, ReadResourceRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { AuditEvent, Engine, PolicyDefinition } from '../../../src/index.js';
import { TIERGUARD_DENIED } from '../../../src/mcp/deny-response.js';
import { guardServer } from '../../../src/mcp/guard-server.js';
import { canonicalResourceUri } from '../../../src/mcp/index.js';
import { closeClients, connect, rejectionOf } from './guard-support.js';

/**
 * resources/read is judged on the URI the server resolves, not on the URI as
 * sent: no spelling of a secret URI gets past a policy written on its canonical
 * form, and a URI that does not parse is refused before any handler runs.
 */

let served: string[];
let events: AuditEvent[];

beforeEach(() => {
  served = [];
  events = [];
});
afterEach(closeClients);

const NO_SECRETS: PolicyDefinition = { id: 'resources.no-secrets', tools: ['secret://vault/**'], message: 'the vault is off limits' };
// An exact URI: any spelling the guard did not reduce to this one would get past it.
const NO_KEY: PolicyDefinition = { id: 'resources.no-key', tools: ['secret://vault/key'], message: 'the key is off limits' };

const engineWith = (policies: readonly PolicyDefinition[]): Promise<Engine> =>
  createEngine({ policies, onDecision: (event) => events.push(event) });

/** An McpServer with a static secret, a template over the vault that decodes its variable as servers commonly do, and public notes. */
function vaultServer(): McpServer {
  const server = new McpServer({ name: 'vault', version: '1.0.0' });
  server.registerResource('key', 'secret://vault/key', {}, (uri) => {
    served.push(uri.href);
    return { contents: [{ uri: uri.href, text: 'SECRET-123' }] };
  });
  server.registerResource('entry', new ResourceTemplate('secret://vault/{name}', { list: undefined }), {}, (uri, { name }) => {
    served.push(uri.href);
    return { contents: [{ uri: uri.href, text: `entry ${decodeURIComponent(String(name))}` }] };
  });
  server.registerResource('notes', 'notes://local/today', {}, (uri) => {
    served.push(uri.href);
    return { contents: [{ uri: uri.href, text: 'notes' }] };
  });
  return server;
}

async function deniedRead(uri: string, policy: PolicyDefinition = NO_SECRETS): Promise<McpError> {
  const server = vaultServer();
  guardServer(server, await engineWith([policy]));
  const client = await connect(server);
  const error = await rejectionOf(client.readResource({ uri }));
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

describe('guardServer: resources/read on the canonical URI', () => {
  it.each([
    ['secret://vault/key'],
    ['SECRET://vault/key'],
    ['Secret://vault/key'],
    [' secret://vault/key'],
    ['secret://vault/key '],
    ['secret://vault/k\tey'],
    ['secret://VAULT/key'],
    ['secret://%76ault/key'],
    ['secret://vault/%6Bey'],
    ['secret://vault/%6b%65%79'],
    ['secret://vault/public/../key'],
    ['secret://vault/public/%2e%2e/key'],
    ['secret://vault/./key'],
  ])('denies %j under a policy on the exact URI, and serves nothing', async (uri) => {
    const error = await deniedRead(uri, NO_KEY);
    expect(error.code).toBe(TIERGUARD_DENIED);
    expect(error.data).toMatchObject({
      reason: 'denied',
      method: 'resources/read',
      tool: 'secret://vault/key',
      violations: [{ policyId: 'resources.no-key' }],
    });
    expect(served).toEqual([]);
  });

  it.each([['SECRET://vault/other'], [' secret://Vault/a/b'], ['secret://vault/x/../%6Bey']])(
    'denies %j under a glob over the vault',
    async (uri) => {
      const error = await deniedRead(uri);
      expect(error.data).toMatchObject({ reason: 'denied', violations: [{ policyId: 'resources.no-secrets' }] });
      expect(served).toEqual([]);
    },
  );

  it('judges and audits the canonical URI, and names it in the refusal', async () => {
    const error = await deniedRead('SECRET://Vault/public/../%6Bey');
    expect(error.data).toMatchObject({ tool: 'secret://vault/key' });
    expect(events.find((event) => event.kind === 'resources/read')).toMatchObject({ tool: 'secret://vault/key', verdict: 'deny' });
  });

  it('hands an allowed read to the handler in canonical form', async () => {
    const server = vaultServer();
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    expect(await client.readResource({ uri: ' NOTES://Local/./today' })).toEqual({
      contents: [{ uri: 'notes://local/today', text: 'notes' }],
    });
    expect(served).toEqual(['notes://local/today']);
  });

  it('finds a resource registered under canonicalResourceUri, whichever spelling is read', async () => {
    const server = new McpServer({ name: 'notes', version: '1.0.0' });
    const registered = canonicalResourceUri('notes://Local/%7Eada') ?? 'unparsable';
    server.registerResource('ada', registered, {}, (uri) => ({ contents: [{ uri: uri.href, text: 'ada' }] }));
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    expect(registered).toBe('notes://local/~ada');
    for (const uri of ['notes://local/~ada', 'NOTES://LOCAL/%7eada']) {
      expect(await client.readResource({ uri })).toEqual({ contents: [{ uri: 'notes://local/~ada', text: 'ada' }] });
    }
  });

  it('hands a low-level Server handler the URI that was judged, not the one sent', async () => {
    const received: unknown[] = [];
    const server = new Server({ name: 'raw', version: '1.0.0' }, { capabilities: { resources: {} } });
    server.setRequestHandler(ReadResourceRequestSchema, (request) => {
      received.push(request.params.uri);
      return { contents: [{ uri: request.params.uri, text: 'raw' }] };
    });
    guardServer(server, await engineWith([NO_SECRETS]));
    const client = await connect(server);
    await client.readResource({ uri: 'Notes://LOCAL/%74oday' });
    expect(received).toEqual(['notes://local/today']);
    // A handler that folds case itself still cannot be reached with a secret in another spelling.
    expect((await rejectionOf(client.readResource({ uri: 'SECRET://VAULT/KEY' }))).message).toContain('tierguard denied');
    expect(received).toHaveLength(1);
  });

  it.each([['not a uri'], [''], ['vault/key'], ['/secret/key'], ['http://exa mple.com/']])(
    'refuses %j, which does not parse, with a JSON-RPC error and runs nothing',
    async (uri) => {
      const error = await deniedRead(uri);
      expect(error.code).toBe(TIERGUARD_DENIED);
      expect(error.data).toMatchObject({ reason: 'evaluation-failed', method: 'resources/read', errors: [{ code: 'INVALID_ACTION' }] });
      expect(served).toEqual([]);
    },
  );

  it('refuses a read whose URI is not a string', async () => {
    const error = await deniedRead(42 as unknown as string);
    expect(error.code).toBe(TIERGUARD_DENIED);
    expect(error.data).toMatchObject({ reason: 'evaluation-failed', tool: null, errors: [{ code: 'INVALID_ACTION' }] });
  });

  it('refuses a read a rewrite sends to a URI that does not parse', async () => {
    const server = vaultServer();
    guardServer(
      server,
      await engineWith([
        {
          id: 'resources.mangle',
          tools: ['notes://**'],
          rewrite: [{ op: 'replace', field: 'arguments.uri', pattern: '^notes://', with: 'not a uri ' }],
        },
      ]),
    );
    const client = await connect(server);
    const error = await rejectionOf(client.readResource({ uri: 'notes://local/today' }));
    expect(error.data).toMatchObject({ reason: 'evaluation-failed', errors: [{ code: 'INVALID_REWRITE' }] });
    expect(served).toEqual([]);
  });
});
