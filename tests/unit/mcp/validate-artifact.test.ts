import { readFile } from 'node:fs/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpaCliAdapter } from '../../../src/engines/opa/opa-cli-adapter.js';
import { createEngine } from '../../../src/index.js';
import type { AuditEvent, Engine } from '../../../src/index.js';
import { registerConstraintTools } from '../../../src/mcp/constraint-tools.js';
import type { ArtifactValidationReport } from '../../../src/mcp/dry-run-validate-tool.js';
import { engineSkipReason } from '../engines/support.js';
import { OPA_INSTALL, S3_POLICY, artifact, sourcesFor } from '../enforcement/support.js';

/** The MCP `validate` tool given an artifact, as an agent calls it: a real client, a real server, real OPA. */

const opa = createOpaCliAdapter();
const skip = await engineSkipReason(opa, OPA_INSTALL);
const open: { client: Client; server: McpServer }[] = [];
const events: AuditEvent[] = [];
let engine: Engine;
let publicBucket: unknown;

async function connect(source: Engine): Promise<Client> {
  const server = new McpServer({ name: 'validate-artifact-test', version: '0.0.0' });
  registerConstraintTools(server, source);
  const client = new Client({ name: 'agent', version: '0.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([client.connect(clientSide), server.connect(serverSide)]);
  // Listing caches the output schemas: from here on the client validates structuredContent.
  await client.listTools();
  open.push({ client, server });
  return client;
}

async function callValidate(client: Client, args: Record<string, unknown>) {
  const result = await client.callTool({ name: 'validate', arguments: args });
  const text = (result.content as { text?: string }[])[0]?.text ?? '';
  return {
    isError: result.isError === true,
    structured: result.structuredContent as ArtifactValidationReport & { available: boolean },
    text,
  };
}

beforeAll(async () => {
  engine = await createEngine({
    policies: [S3_POLICY],
    sources: sourcesFor([S3_POLICY]),
    adapters: [opa],
    onDecision: (event) => events.push(event),
  });
  publicBucket = JSON.parse(await readFile(artifact('bucket-public.json'), 'utf8'));
});

afterEach(async () => {
  for (const { client, server } of open.splice(0)) {
    await client.close();
    await server.close();
  }
});

describe('the validate tool with an artifact', () => {
  it('describes artifacts as content only, and takes action or artifact', async () => {
    const client = await connect(engine);
    const { tools } = await client.listTools();
    const validate = tools.find((tool) => tool.name === 'validate');
    expect(Object.keys(validate?.inputSchema.properties ?? {})).toEqual(['action', 'artifact', 'scope', 'version']);
    expect(validate?.description).toContain('never reads a file path');
    const artifactSchema = (validate?.inputSchema.properties as Record<string, { properties?: object; additionalProperties?: unknown }>)
      .artifact;
    expect(Object.keys(artifactSchema?.properties ?? {})).toEqual(['content', 'format', 'name']);
    expect(artifactSchema?.additionalProperties).toBe(false);
  });

  it('refuses a path artifact: the server reads no file an agent names', async () => {
    const client = await connect(engine);
    const answer = await callValidate(client, { artifact: { path: artifact('bucket-public.json') } });
    expect(answer.isError).toBe(true);
    expect(answer.text).toMatch(/path/);
    expect(events.filter((event) => event.kind === 'artifact')).toEqual([]);
  });

  it('refuses both or neither of action and artifact', async () => {
    const client = await connect(engine);
    for (const args of [{}, { action: { tool: 'x' }, artifact: { content: {} } }]) {
      const answer = await callValidate(client, args);
      expect(answer.isError).toBe(true);
      expect(answer.text).toContain('exactly one of action and artifact');
    }
  });

  it('reports a malformed artifact as an error in the decision', async () => {
    const client = await connect(engine);
    const answer = await callValidate(client, { artifact: { content: 'resource "x" {}' } });
    expect(answer.isError).toBe(false);
    expect(answer.structured).toMatchObject({ available: true, result: 'error', verdict: 'deny' });
  });
});

describe.skipIf(skip !== undefined)(`the validate tool with an artifact and OPA${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it('validates JSON content with the bound engines: result, verdict, violations and engine verdicts', async () => {
    const client = await connect(engine);
    events.length = 0;
    const answer = await callValidate(client, { artifact: { content: publicBucket, name: 'plan.json' } });
    expect(answer.isError).toBe(false);
    expect(answer.structured).toMatchObject({
      available: true,
      result: 'fail',
      verdict: 'deny',
      violations: [
        {
          policyId: 's3.no-public',
          tier: 'engine',
          constraint: 's3-public-acl',
          field: 'resources.site.acl',
          message: 'bucket site is public',
        },
      ],
      engines: [{ verdict: 'fail', engine: 'opa', policy: '../engine-policies/s3.rego' }],
      policyVersion: engine.version,
    });
    expect(answer.text).toContain('x s3.no-public  s3-public-acl  resources.site.acl  bucket site is public');
    expect(events).toMatchObject([{ kind: 'artifact', tool: 'plan.json', labels: { mcpTool: 'validate', dryRun: true } }]);
  });

  it('passes a clean artifact given as text with a format', async () => {
    const client = await connect(engine);
    const answer = await callValidate(client, {
      artifact: { content: await readFile(artifact('bucket-private.json'), 'utf8'), format: 'json' },
    });
    expect(answer.structured).toMatchObject({ result: 'pass', verdict: 'allow', violations: [], engines: [{ verdict: 'pass' }] });
  });
  it('refuses JSON text with a repeated key, public then private, as an engine error that denies', async () => {
    const client = await connect(engine);
    const content = await readFile(artifact('bucket-public-then-private.json'), 'utf8');
    const answer = await callValidate(client, { artifact: { content, format: 'terraform-plan' } });
    expect(answer.isError).toBe(false);
    expect(answer.structured).toMatchObject({
      result: 'error',
      verdict: 'deny',
      engines: [{ verdict: 'error', error: { code: 'INVALID_ARTIFACT' } }],
    });
    expect(answer.text).toContain('duplicate key "acl"');
  });
});
