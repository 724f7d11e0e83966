import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Engine, PolicyDefinition } from '../../../src/index.js';
import type { EngineAdapter } from '../../../src/engines/types.js';
import type { ConstraintResult } from '../../../src/mcp/constraint-results.js';
import { REGISTRY, S3_PROD, call, connect, failing, ids } from './constraint-scope-support.js';
import type { Answer } from './constraint-scope-support.js';
import { registryEngine } from './constraint-scope-support.js';

/**
 * validate's per-constraint results: each policy that applied, its status and
 * remediation, and advisory policies as informational, selected by scope.
 */

// An adapter of our own: it fails content that says "public", so no engine binary is needed.
const fake: EngineAdapter = {
  name: 'fake',
  available: () => Promise.resolve({ ok: true, version: '1' }),
  evaluate: (artifact, binding) =>
    Promise.resolve(
      typeof artifact.content === 'string' && artifact.content.includes('public')
        ? {
            verdict: 'fail',
            engine: 'fake',
            policy: binding.policy,
            violations: [{ message: 'public bucket' }] as never,
            durationMs: 0,
          }
        : { verdict: 'pass', engine: 'fake', policy: binding.policy, violations: [], durationMs: 0 },
    ),
};
const binding = [{ engine: 'fake', policy: 'rego/s3.rego' }];

/** An engine over `policies` (inline, beside the registry's rego file) with the fake adapter. */
function withFakeEngine(policies: PolicyDefinition[]): Promise<Engine> {
  return createEngine({ policies, sources: policies.map(() => join(REGISTRY, 'inline.json')), adapters: [fake] });
}

let engine: Engine;

beforeAll(async () => {
  engine = await registryEngine();
});

interface Validation {
  readonly verdict: string;
  readonly constraints: ConstraintResult[];
}

const byId = (answer: Answer<Validation>): Record<string, ConstraintResult> =>
  Object.fromEntries(answer.structured.constraints.map((result) => [result.policyId, result]));

describe('validate per constraint', () => {
  it('reports each policy that applied: violated with remediation from its guidance, passed, and advisory as informational', async () => {
    const client = await connect(engine);
    const answer = await call<Validation>(client, 'validate', {
      action: { tool: 'terraform.apply', arguments: { acl: 'public-read', actions: ['s3:GetObject'] } },
      scope: S3_PROD,
    });
    expect(answer.structured.verdict).toBe('deny');
    expect(answer.structured.constraints.map(({ policyId, status }) => [policyId, status])).toEqual([
      ['org.tag-owners', 'informational'],
      ['iam.no-wildcard-actions', 'passed'],
      ['s3.no-public-acl', 'violated'],
      ['s3.versioning-v1', 'violated'],
    ]);
    const results = byId(answer);
    expect(results['s3.no-public-acl']).toEqual({
      policyId: 's3.no-public-acl',
      title: 'S3 buckets are never public',
      severity: 'hard',
      status: 'violated',
      remediation:
        "Do: keep acl private; add an aws_s3_bucket_public_access_block. Don't: use public-read or public-read-write. " +
        'Compliant example (hcl):\nacl = "private"',
    });
    expect(results['s3.versioning-v1']).toMatchObject({ severity: 'soft', deprecated: true, successor: 's3.no-public-acl' });
    expect(results['s3.versioning-v1']?.remediation).toBeUndefined();
    expect(results['org.tag-owners']).toEqual({
      policyId: 'org.tag-owners',
      title: 'Tag resources with their owner',
      severity: 'advisory',
      status: 'informational',
      guidance: {
        do: ['tag every resource with owner and cost-center'],
        exampleCompliant: { language: 'hcl', code: 'tags = { owner = "payments" }' },
      },
    });
    expect(answer.text).toContain(
      [
        'constraints:',
        '  informational  org.tag-owners (advisory)  Tag resources with their owner',
        '    guidance: Do: tag every resource with owner and cost-center. Compliant example (hcl):',
        '      tags = { owner = "payments" }',
        '  passed  iam.no-wildcard-actions (hard)  IAM policies name their actions',
        '  violated  s3.no-public-acl (hard)  S3 buckets are never public',
        "    fix: Do: keep acl private; add an aws_s3_bucket_public_access_block. Don't: use public-read or public-read-write. Compliant example (hcl):",
        '      acl = "private"',
        '  violated  s3.versioning-v1 (soft, deprecated for s3.no-public-acl)  S3 buckets keep versions (old form)',
      ].join('\n'),
    );
  });

  it('selects advisory policies by the scope given: one whose scope excludes it is left out, the others stay', async () => {
    const client = await connect(engine);
    const action = { tool: 'terraform.apply', arguments: { acl: 'private', versioning: true } };
    const dev = await call<Validation>(client, 'validate', { action, scope: { ...S3_PROD, environments: 'dev' } });
    expect(dev.structured.constraints.map(({ policyId, status }) => [policyId, status])).toEqual([
      ['iam.no-wildcard-actions', 'passed'],
      ['s3.no-public-acl', 'passed'],
      ['s3.versioning-v1', 'passed'],
    ]);
    // Without a scope the advisory policy selects the action by its tools (none: every tool).
    const unscoped = await call<Validation>(client, 'validate', { action });
    expect(byId(unscoped)['org.tag-owners']?.status).toBe('informational');
  });

  it('leaves out a policy whose when does not hold: it did not apply', async () => {
    const client = await connect(engine);
    const async = await call<Validation>(client, 'validate', {
      action: { tool: 'architecture.link', arguments: { interaction: 'async-event' } },
    });
    expect(async.structured.constraints.map(({ policyId, status }) => [policyId, status])).toEqual([['org.tag-owners', 'informational']]);
    const sync = await call<Validation>(client, 'validate', {
      action: { tool: 'architecture.link', arguments: { interaction: 'sync-call' } },
    });
    expect(byId(sync)['arch.no-sync-across-domains']).toMatchObject({
      status: 'violated',
      remediation: "Do: publish an event and consume it on the other side. Don't: call another domain's HTTP API inline.",
    });
  });

  it('reports a policy that could not be evaluated as error', async () => {
    const bounded = await createEngine({
      policies: [
        {
          id: 'name.pattern',
          title: 'Names are short words',
          tools: ['files.*'],
          assert: { field: 'arguments.name', op: 'regex', value: '^[a-z]+$' },
        },
      ],
      limits: { maxStringLength: 16 },
    });
    const client = await connect(bounded);
    const answer = await call<Validation>(client, 'validate', { action: { tool: 'files.write', arguments: { name: 'x'.repeat(40) } } });
    expect(answer.structured.constraints).toEqual([
      { policyId: 'name.pattern', title: 'Names are short words', severity: 'hard', status: 'error' },
    ]);
    expect(answer.text).toContain('  error  name.pattern (hard)  Names are short words');
  });

  it('lists no constraints for an action no policy selects, or one the engine refuses', async () => {
    const client = await connect(engine);
    const other = await call<Validation>(client, 'validate', { action: { tool: 'mail.send' }, scope: { environments: 'dev' } });
    expect(other.structured.constraints).toEqual([]);
    const refused = await call<Validation>(client, 'validate', { action: { arguments: {} } });
    expect(refused.structured.constraints).toEqual([]);
    expect(refused.text).not.toContain('constraints:');
  });

  it('answers a typo in its scope with an error, before anything runs', async () => {
    const client = await connect(engine);
    expect(await failing(client, 'validate', { action: { tool: 'terraform.apply' }, scope: { enviroments: 'prod' } })).toContain(
      '"enviroments" is not a dimension of scope (did you mean "environments"?)',
    );
  });

  it('reports the policies whose engines ran on an artifact: violated with remediation, passed, and not those its name does not select', async () => {
    const policies: PolicyDefinition[] = [
      {
        id: 'tf.private',
        title: 'Buckets are private',
        enforcement: binding,
        artifacts: ['*.tf'],
        guidance: { do: ['set acl = "private"'] },
      },
      { id: 'yaml.check', enforcement: binding, artifacts: ['*.yaml'] },
      { id: 'every.check', effect: 'warn', enforcement: binding },
    ];
    const withFake = await withFakeEngine(policies);
    const client = await connect(withFake);
    const answer = await call<Validation>(client, 'validate', { artifact: { content: 'acl = "public-read"', name: 'main.tf' } });
    expect(answer.structured.verdict).toBe('deny');
    expect(answer.structured.constraints).toEqual([
      {
        policyId: 'tf.private',
        title: 'Buckets are private',
        severity: 'hard',
        status: 'violated',
        remediation: 'Do: set acl = "private".',
      },
      { policyId: 'every.check', severity: 'soft', status: 'violated' },
    ]);
    const clean = await call<Validation>(client, 'validate', { artifact: { content: 'acl = "private"', format: 'terraform' } });
    expect(clean.structured.constraints.map(({ policyId, status }) => [policyId, status])).toEqual([
      ['tf.private', 'passed'],
      ['every.check', 'passed'],
    ]);
    const malformed = await call<Validation>(client, 'validate', { artifact: { content: 'x' } });
    expect(malformed.structured.constraints).toEqual([]);
  });

  it('reports the policies an artifact selects: its engine policies by their artifacts globs, advisory ones by theirs', async () => {
    const advised = await withFakeEngine([
      {
        id: 'tf.advice',
        severity: 'advisory',
        artifacts: ['*.tf'],
        scope: { environments: ['prod'] },
        guidance: { do: ['pin provider versions'] },
      },
      { id: 'yaml.advice', severity: 'advisory', artifacts: ['*.yaml'], guidance: { do: ['x'] } },
      { id: 'any.advice', severity: 'advisory', guidance: { do: ['y'] } },
      { id: 'tf.engine', enforcement: binding, artifacts: ['*.tf'] },
    ]);
    const client = await connect(advised);
    const answer = await call<Validation>(client, 'validate', { artifact: { content: 'resource "x" "y" {}', name: 'main.tf' } });
    expect(answer.structured.constraints.map(({ policyId, status }) => [policyId, status])).toEqual([
      ['tf.advice', 'informational'],
      ['any.advice', 'informational'],
      ['tf.engine', 'passed'],
    ]);
    expect(answer.structured.constraints[0]?.guidance).toEqual({ do: ['pin provider versions'] });
    // The scope selects advisory policies for artifacts too: tf.advice is about prod.
    const scoped = await call<Validation>(client, 'validate', {
      artifact: { content: 'resource "x" "y" {}', name: 'main.tf' },
      scope: { environments: 'dev' },
    });
    expect(scoped.structured.constraints.map(({ policyId }) => policyId)).toEqual(['any.advice', 'tf.engine']);
    // For tool calls, an advisory policy about artifacts only is not listed.
    const action = await call<Validation>(client, 'validate', { action: { tool: 'terraform.apply' } });
    expect(action.structured.constraints.map(({ policyId }) => policyId)).toEqual(['any.advice']);
    expect(ids(await call(client, 'get_constraints', { tool: 'terraform.apply' }))).toEqual(['any.advice']);
  });
});
