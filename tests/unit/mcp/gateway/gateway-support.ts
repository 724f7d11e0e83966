import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AuditEvent, PolicyDefinition } from '../../../../src/index.js';
import { createGateway } from '../../../../src/mcp/gateway/create-gateway.js';
import type { Gateway } from '../../../../src/mcp/gateway/create-gateway.js';
import type { GatewayOptions } from '../../../../src/mcp/gateway/gateway-options.js';
import { ROOT } from '../../../support/paths.js';

/** The downstream server every gateway test fronts: a real process running the SDK's McpServer. */
export const ECHO_SERVER = join(ROOT, 'tests', 'fixtures', 'gateway', 'echo-server.mjs');

/** The fixture as a downstream target. */
export const ECHO_TARGET = Object.freeze({ command: process.execPath, args: [ECHO_SERVER], stderr: 'ignore' as const });

/** A downstream server that asks its client things (roots, sampling, elicitation, ping) and keeps what it was told. */
export const ASKING_SERVER = join(ROOT, 'tests', 'fixtures', 'gateway', 'asking-server.mjs');

/** The asking fixture as a downstream target. */
export const ASKING_TARGET = Object.freeze({ command: process.execPath, args: [ASKING_SERVER], stderr: 'ignore' as const });

/** A gateway in front of the fixture, its upstream client (InMemoryTransport), the audit so far, and what it logged. */
export interface Fronted {
  readonly gateway: Gateway;
  readonly client: Client;
  readonly events: AuditEvent[];
  readonly logs: string[];
}

const open: Gateway[] = [];
const directories: string[] = [];

/**
 * A gateway with `policies` in front of the echo fixture (or `options.downstream`), and a real SDK Client
 * connected to it in memory: `client` when given (with its capabilities and handlers), a bare one otherwise.
 */
export async function fronted(
  policies: readonly PolicyDefinition[],
  options: Partial<GatewayOptions> = {},
  client?: Client,
): Promise<Fronted> {
  const events: AuditEvent[] = [];
  const logs: string[] = [];
  const gateway = await createGateway({
    policies,
    downstream: ECHO_TARGET,
    onDecision: (event) => events.push(event),
    log: (line) => logs.push(line),
    ...options,
  });
  open.push(gateway);
  return { gateway, client: await connectClient(gateway, client), events, logs };
}

/** `client` (a bare Client by default) connected to the gateway over InMemoryTransport. */
export async function connectClient(
  gateway: Gateway,
  client = new Client({ name: 'gateway-test-client', version: '1.0.0' }),
): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await gateway.connect(serverTransport);
  await client.connect(clientTransport);
  return client;
}

/** A fresh temporary directory, removed by {@link cleanUp}. */
export function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tierguard-gateway-'));
  directories.push(directory);
  return directory;
}

/** Closes every gateway (and so its downstream process) and removes the temporary directories; for `afterEach`. */
export async function cleanUp(): Promise<void> {
  await Promise.allSettled(open.splice(0).map((gateway) => gateway.close()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
}

/** Resolves once `condition` holds, polling; rejects after `ms`. */
export async function eventually(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
