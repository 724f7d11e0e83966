import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, expect } from 'vitest';
import { createEngine, loadPolicies } from '../../../src/index.js';
import type { Engine } from '../../../src/index.js';
import { registerConstraintTools } from '../../../src/mcp/constraint-tools.js';
import type { ConstraintDescription } from '../../../src/mcp/policy-catalog.js';
import { ROOT } from '../../support/paths.js';

/**
 * What the tests of the constraint tools asked by scope share: the registry
 * fixture (S3, IAM, Kubernetes, an architectural rule and an advisory one), a
 * real SDK client over the in-memory transport, and calls that check the result.
 */

/** tests/fixtures/guidance-registry. */
export const REGISTRY = join(ROOT, 'tests', 'fixtures', 'guidance-registry');

/** Terraform for an S3 bucket in prod. */
export const S3_PROD = Object.freeze({ providers: 'aws', resourceTypes: 'aws_s3_bucket', environments: 'prod', languages: 'hcl' });

const open: { client: Client; server: McpServer }[] = [];

afterEach(async () => {
  for (const { client, server } of open.splice(0)) {
    await client.close();
    await server.close();
  }
});

/** The registry's engine. */
export async function registryEngine(): Promise<Engine> {
  const loaded = await loadPolicies(REGISTRY);
  return createEngine({ policies: loaded.definitions, sources: loaded.sources });
}

/** A client connected to the constraint tools of `engine`, closed after the test. */
export async function connect(engine: Engine): Promise<Client> {
  const server = new McpServer({ name: 'scope-test', version: '0.0.0' });
  registerConstraintTools(server, engine);
  const client = new Client({ name: 'agent', version: '0.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([client.connect(clientSide), server.connect(serverSide)]);
  // Listing caches the output schemas: from here on the client validates structuredContent.
  await client.listTools();
  open.push({ client, server });
  return client;
}

/** A tool's structured answer and its text. */
export interface Answer<T> {
  readonly structured: T;
  readonly text: string;
}

/** Calls a tool that must answer, and returns its structured content and text. */
export async function call<T>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Answer<T>> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const [content] = result.content as { type: string; text: string }[];
  return { structured: result.structuredContent as T, text: content?.text ?? '' };
}

/** Calls a tool that must fail, and returns its error text. */
export async function failing(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError).toBe(true);
  return (result.content as { text: string }[])[0]?.text ?? '';
}

/** A get_constraints answer. */
export interface Constraints {
  readonly policies: ConstraintDescription[];
  readonly scope?: unknown;
}

/** The ids of a get_constraints answer. */
export const ids = (answer: Answer<Constraints>): string[] => answer.structured.policies.map((policy) => policy.id);
