import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/paths.js';

/**
 * `tierguard mcp` asked by scope, as a coding agent asks before it writes
 * Terraform for an S3 bucket in prod: the built CLI over stdio and over
 * Streamable HTTP, the SDK's own client, the policies of
 * tests/fixtures/guidance-registry. `npm test` builds before vitest runs.
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const REGISTRY = join(ROOT, 'tests', 'fixtures', 'guidance-registry');
const S3_PROD = { providers: 'aws', resourceTypes: 'aws_s3_bucket', environments: 'prod', languages: 'hcl' };
// Process start-up on a busy two-core machine: generous, and only the failure case waits this long.
const DEADLINE_MS = 30_000;

type Child = ChildProcessByStdio<null, Readable, Readable>;

const children: Child[] = [];
const clients: Client[] = [];

beforeAll(() => {
  requireBuild();
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

async function connected(transport: StdioClientTransport | StreamableHTTPClientTransport): Promise<Client> {
  const client = new Client({ name: 'e2e-agent', version: '0.0.0' });
  await client.connect(transport);
  clients.push(client);
  // Listing caches the output schemas: from here on the client validates structuredContent.
  await client.listTools();
  return client;
}

/** Starts `tierguard mcp --http --port 0` on the registry and resolves with the URL it prints. */
async function serveHttp(): Promise<URL> {
  const child = spawn(process.execPath, [BIN, 'mcp', '--policies', REGISTRY, '--http', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  return new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${DEADLINE_MS} ms; stderr: ${stderr}`)), DEADLINE_MS);
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /tierguard mcp: listening on (http:\/\/\S+)\n/.exec(stderr);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve(new URL(match[1]));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)} before listening; stderr: ${stderr}`));
    });
  });
}

interface Structured {
  readonly policies?: { id: string; severity: string; guidance?: unknown; deprecated?: boolean }[];
  readonly constraints?: { policyId: string; status: string; remediation?: string }[];
  readonly [key: string]: unknown;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<{ structured: Structured; text: string }> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const [content] = result.content as { type: string; text: string }[];
  return { structured: result.structuredContent as Structured, text: content?.text ?? '' };
}

/** The same questions on either transport, with the same answers. */
async function askAsAnAgent(client: Client): Promise<void> {
  const scope = await call(client, 'describe_scope', {});
  expect(scope.structured).toMatchObject({
    available: true,
    categories: ['architectural', 'infrastructure', 'organizational'],
    severities: ['hard', 'soft', 'advisory'],
    engines: ['opa'],
    artifacts: ['*.tf'],
  });
  expect((scope.structured.selectors as { resourceTypes: string[] }).resourceTypes).toContain('aws_s3_bucket');

  const constraints = await call(client, 'get_constraints', { scope: S3_PROD });
  expect(constraints.structured.policies?.map((policy) => [policy.id, policy.severity])).toEqual([
    ['org.tag-owners', 'advisory'],
    ['arch.no-sync-across-domains', 'hard'],
    ['s3.no-public-acl', 'hard'],
    ['s3.encryption', 'hard'],
    ['s3.versioning-v1', 'soft'],
  ]);
  expect(constraints.structured.policies?.[2]?.guidance).toMatchObject({
    do: ['keep acl private', 'add an aws_s3_bucket_public_access_block'],
  });
  expect(constraints.structured.policies?.[4]?.deprecated).toBe(true);
  expect(constraints.text).toContain('  DEPRECATED: replaced by s3.no-public-acl');

  const hard = await call(client, 'get_constraints', { scope: S3_PROD, severity: 'hard', category: 'infrastructure' });
  expect(hard.structured.policies?.map((policy) => policy.id)).toEqual(['s3.no-public-acl', 's3.encryption']);

  const typo = await client.callTool({ name: 'get_constraints', arguments: { scope: { resourceType: 'aws_s3_bucket' } } });
  expect(typo.isError).toBe(true);
  expect((typo.content as { text: string }[])[0]?.text).toContain(
    '"resourceType" is not a dimension of scope (did you mean "resourceTypes"?)',
  );

  const validated = await call(client, 'validate', {
    action: { tool: 'terraform.apply', arguments: { acl: 'public-read' } },
    scope: S3_PROD,
  });
  expect(validated.structured.verdict).toBe('deny');
  expect(validated.structured.constraints?.find((result) => result.policyId === 's3.no-public-acl')).toMatchObject({
    status: 'violated',
    remediation: expect.stringContaining('Do: keep acl private') as unknown,
  });
  expect(validated.structured.constraints?.find((result) => result.policyId === 'org.tag-owners')?.status).toBe('informational');
}

describe('tierguard mcp asked by scope', () => {
  it('answers over stdio', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--policies', REGISTRY],
      cwd: ROOT,
      stderr: 'pipe',
    });
    const client = await connected(transport);
    await askAsAnAgent(client);
  });

  it('answers over Streamable HTTP', async () => {
    const url = await serveHttp();
    const client = await connected(new StreamableHTTPClientTransport(url));
    await askAsAnAgent(client);
  });
});
