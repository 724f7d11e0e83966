import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildBundleArchive } from '../../../../src/index.js';
import type { PolicyDefinition } from '../../../../src/index.js';
import type { Gateway } from '../../../../src/mcp/gateway/create-gateway.js';
import { createGateway } from '../../../../src/mcp/gateway/create-gateway.js';
import type { GatewayHttpEndpoint } from '../../../../src/mcp/gateway/serve-gateway-http.js';
import { serveGatewayHttp } from '../../../../src/mcp/gateway/serve-gateway-http.js';
import type { BundleServer } from '../../bundle/bundle-server.js';
import { startBundleServer } from '../../bundle/bundle-server.js';
import { SIGNER } from '../../bundle/support-archives.js';
import { makeTree, rejectionOf, removeTrees, sleep } from '../../bundle/support.js';
import { ECHO_TARGET, connectClient } from './gateway-support.js';

/**
 * A gateway fed a bundle URL, as each instance of a fleet is: it serves the
 * bundle's policies, moves to a new bundle when the server has one, reports
 * which it serves (`status()`, `/healthz`), and stops polling when closed.
 */

/** A bundle whose one policy refuses to echo `word`. */
async function refusing(word: string): Promise<{ bytes: Uint8Array; version: string }> {
  const policy: PolicyDefinition = { id: 'echo.no-word', tools: ['echo'], assert: { field: 'arguments.text', op: 'neq', value: word } };
  const root = await makeTree({ 'policies/echo.json': JSON.stringify(policy) });
  const built = await buildBundleArchive(join(root, 'policies'), { signingKey: SIGNER.privateKey });
  return { bytes: built.bytes, version: built.bundle.version };
}

let server: BundleServer;
let apple: { bytes: Uint8Array; version: string };
let pear: { bytes: Uint8Array; version: string };
const gateways: Gateway[] = [];
const endpoints: GatewayHttpEndpoint[] = [];

beforeAll(async () => {
  server = await startBundleServer();
  apple = await refusing('apple');
  pear = await refusing('pear');
});

afterEach(async () => {
  await Promise.allSettled([
    ...gateways.splice(0).map((gateway) => gateway.close()),
    ...endpoints.splice(0).map((endpoint) => endpoint.close()),
  ]);
});

afterAll(async () => {
  await server.close();
  await removeTrees();
});

const WATCH = { intervalMs: 30, publicKey: SIGNER.publicKey, remote: { headers: { 'x-instance': 'gateway' } } } as const;

async function echo(client: Client, text: string): Promise<boolean> {
  return (await client.callTool({ name: 'echo', arguments: { text } })).isError === true;
}

/** Waits until `done`, or until the gateway has polled `polls` more times (counted by the server, never timed). */
async function untilPolled(polls: number, done: () => Promise<boolean>): Promise<void> {
  const start = server.countFor('gateway');
  while (!(await done()) && server.countFor('gateway') - start < polls) await sleep(5);
}

describe('createGateway({ policies: <bundle URL> })', () => {
  it('judges by the bundle, follows it to the next one, reports what it serves, and stops polling when closed', async () => {
    server.set('/echo.tar.gz', { kind: 'bundle', bytes: apple.bytes });
    const gateway = await createGateway({ policies: server.url('/echo.tar.gz?sig=abc'), watch: WATCH, downstream: ECHO_TARGET });
    gateways.push(gateway);
    const client = await connectClient(gateway);
    expect(await gateway.status()).toMatchObject({ policyVersion: apple.version, policySource: server.url('/echo.tar.gz') });
    expect(await echo(client, 'apple')).toBe(true);
    expect(await echo(client, 'pear')).toBe(false);

    server.set('/echo.tar.gz', { kind: 'bundle', bytes: pear.bytes });
    await untilPolled(3, async () => (await gateway.status()).policyVersion === pear.version);
    expect((await gateway.status()).policyVersion).toBe(pear.version);
    expect(await echo(client, 'apple')).toBe(false);
    expect(await echo(client, 'pear')).toBe(true);

    await gateway.close();
    const after = server.countFor('gateway');
    await sleep(150);
    expect(server.countFor('gateway')).toBe(after);
  });

  it('refuses to start on a bundle that fails verification', async () => {
    server.set('/damaged.tar.gz', { kind: 'bundle', bytes: Buffer.from((await refusing('fig')).bytes).subarray(0, 50) });
    const error = await rejectionOf(createGateway({ policies: server.url('/damaged.tar.gz'), watch: WATCH, downstream: ECHO_TARGET }));
    expect(error.code).toBe('INVALID_BUNDLE');
  });

  it('refuses watch options without a path or URL to watch, and an engine inside them', async () => {
    const notWatched = await rejectionOf(createGateway({ policies: [], watch: { intervalMs: 30 }, downstream: ECHO_TARGET }));
    expect(notWatched.details.option).toBe('watch');
    const engine = await rejectionOf(
      createGateway({ policies: server.url('/echo.tar.gz'), watch: { engine: {} } as never, downstream: ECHO_TARGET }),
    );
    expect(engine.details.option).toBe('watch.engine');
    expect((await rejectionOf(createGateway({ policies: '', downstream: ECHO_TARGET }))).details.option).toBe('policies');
  });
});

describe('serveGatewayHttp({ policies: <bundle URL> })', () => {
  it('serves every session from one watcher and names the bundle and its hash on /healthz', async () => {
    server.set('/echo.tar.gz', { kind: 'bundle', bytes: apple.bytes });
    const endpoint = await serveGatewayHttp({ policies: server.url('/echo.tar.gz'), watch: WATCH, downstream: ECHO_TARGET, port: 0 });
    endpoints.push(endpoint);
    const health = async (): Promise<{ policyVersion: string; policySource: string }> =>
      (await (await fetch(new URL('/healthz', endpoint.url))).json()) as { policyVersion: string; policySource: string };
    expect(await health()).toMatchObject({ policyVersion: apple.version, policySource: server.url('/echo.tar.gz') });
    server.set('/echo.tar.gz', { kind: 'bundle', bytes: pear.bytes });
    await untilPolled(3, async () => (await health()).policyVersion === pear.version);
    expect((await health()).policyVersion).toBe(pear.version);
    await endpoint.close();
    const after = server.countFor('gateway');
    await sleep(150);
    expect(server.countFor('gateway')).toBe(after);
  });
});
