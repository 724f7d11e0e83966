import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import type { Engine } from '../../../src/index.js';
import { S3_PROD, call, connect, failing, ids, registryEngine } from './constraint-scope-support.js';
import type { Constraints } from './constraint-scope-support.js';

/**
 * describe_scope and get_constraints asked the way a coding agent asks before it
 * writes code: by scope, category and severity, on the registry fixture.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await registryEngine();
});

describe('describe_scope', () => {
  it('lists the selector vocabulary, categories, severities, artifact globs and engines', async () => {
    const client = await connect(engine);
    const { structured, text } = await call<Record<string, unknown>>(client, 'describe_scope');
    expect(structured).toMatchObject({
      selectors: {
        providers: ['aws', 'kubernetes'],
        resourceTypes: ['aws_iam_policy', 'aws_s3_bucket', 'aws_s3_bucket_acl', 'Deployment', 'StatefulSet'],
        environments: ['prod', 'staging'],
        repos: ['tag:infra'],
        languages: ['hcl', 'yaml'],
        relationship: { interaction: ['sync-call'], differentDomain: [true], sourceDomain: [] },
      },
      categories: ['architectural', 'infrastructure', 'organizational'],
      severities: ['hard', 'soft', 'advisory'],
      artifacts: ['*.tf'],
      engines: ['opa'],
    });
    // The advisory policy names no tools and no artifacts: it is guidance for every tool.
    expect(structured.tools).toEqual(['*', 'architecture.link', 'kubectl.*', 'terraform.*']);
    expect(text).toContain('\ncategories: architectural, infrastructure, organizational\nseverities: hard, soft, advisory\n');
    expect(text).toContain('\nartifacts: *.tf\nengines: opa\n');
    expect(text).toContain(
      'scope selectors: providers: aws, kubernetes; resourceTypes: aws_iam_policy, aws_s3_bucket, aws_s3_bucket_acl, Deployment, StatefulSet; ' +
        'environments: prod, staging; repos: tag:infra; languages: hcl, yaml; relationship.differentDomain: true; relationship.interaction: sync-call',
    );
  });
});

describe('get_constraints by scope', () => {
  it('answers "Terraform for an S3 bucket in prod" with the policies whose scope matches, each with its guidance', async () => {
    const client = await connect(engine);
    const answer = await call<Constraints>(client, 'get_constraints', { scope: S3_PROD });
    // IAM is about aws_iam_policy and Kubernetes about kubernetes: excluded. The architectural rule names
    // no provider or resource type and the advisory one no provider: neither dimension narrows them.
    expect(ids(answer)).toEqual(['org.tag-owners', 'arch.no-sync-across-domains', 's3.no-public-acl', 's3.encryption', 's3.versioning-v1']);
    expect(answer.structured.scope).toEqual(S3_PROD);
    expect(answer.structured.policies[2]).toEqual({
      id: 's3.no-public-acl',
      tools: ['terraform.*'],
      effect: 'deny',
      mode: 'enforce',
      phase: 'request',
      assert: 'not arguments.acl in ["public-read","public-read-write"]',
      message: 'bucket ACL {actual} makes the bucket public',
      title: 'S3 buckets are never public',
      intent: 'A public bucket leaks whatever lands in it.',
      category: 'infrastructure',
      owner: 'platform-security',
      version: '1.2.0',
      severity: 'hard',
      scope: { providers: ['aws'], resourceTypes: ['aws_s3_bucket', 'aws_s3_bucket_acl'], environments: ['all'], languages: ['hcl'] },
      guidance: {
        do: ['keep acl private', 'add an aws_s3_bucket_public_access_block'],
        dont: ['use public-read or public-read-write'],
        exampleCompliant: { language: 'hcl', code: 'acl = "private"' },
        exampleNoncompliant: { language: 'hcl', code: 'acl = "public-read"' },
      },
    });
    expect(answer.text.split('\n')[0]).toBe(
      `5 policies matching scope providers: aws; resourceTypes: aws_s3_bucket; environments: prod; languages: hcl (policies ${engine.version}, mode enforce)`,
    );
    expect(answer.text).toContain(
      [
        's3.no-public-acl  deny  enforce  request  tools: terraform.*',
        '  S3 buckets are never public',
        '  severity hard, category infrastructure, version 1.2.0, owner platform-security',
        '  intent: A public bucket leaks whatever lands in it.',
        '  scope: providers: aws; resourceTypes: aws_s3_bucket, aws_s3_bucket_acl; environments: all; languages: hcl',
        '  asserts: not arguments.acl in ["public-read","public-read-write"]',
        '  message: bucket ACL {actual} makes the bucket public',
        '  do: keep acl private; add an aws_s3_bucket_public_access_block',
        "  don't: use public-read or public-read-write",
        '  compliant example (hcl):',
        '    acl = "private"',
        '  non-compliant example (hcl):',
        '    acl = "public-read"',
      ].join('\n'),
    );
  });

  it('gives the enforcement of an engine-bound policy: engine, policy file and query, and its artifacts', async () => {
    const client = await connect(engine);
    const answer = await call<Constraints>(client, 'get_constraints', { scope: S3_PROD, severity: 'hard', category: 'infrastructure' });
    expect(ids(answer)).toEqual(['s3.no-public-acl', 's3.encryption']);
    expect(answer.structured.policies[1]).toMatchObject({
      id: 's3.encryption',
      enforcement: ['opa data.s3.deny (rego/s3.rego)'],
      bindings: [{ engine: 'opa', policy: 'rego/s3.rego', query: 'data.s3.deny' }],
      artifacts: ['*.tf'],
      severity: 'hard',
    });
    expect(answer.text).toContain('  enforced by: opa data.s3.deny (rego/s3.rego)\n  artifacts: *.tf');
    expect(answer.text.split('\n')[0]).toContain('matching scope providers: aws; ');
    expect(answer.text.split('\n')[0]).toContain(', category infrastructure, severity hard (policies');
  });

  it('serves a deprecated policy, flagged with its successor in the answer and the text', async () => {
    const client = await connect(engine);
    const answer = await call<Constraints>(client, 'get_constraints', { scope: S3_PROD, severity: 'soft' });
    expect(ids(answer)).toEqual(['s3.versioning-v1']);
    expect(answer.structured.policies[0]).toMatchObject({
      deprecated: true,
      successor: 's3.no-public-acl',
      severity: 'soft',
      effect: 'warn',
    });
    expect(answer.text).toContain('s3.versioning-v1  warn  enforce  request  tools: terraform.*\n');
    expect(answer.text).toContain('  DEPRECATED: replaced by s3.no-public-acl (still served and enforced)');
  });

  it('derives severities from effects: warn is soft, and filters by them', async () => {
    const client = await connect(engine);
    expect(ids(await call(client, 'get_constraints', { severity: 'soft' }))).toEqual(['k8s.resource-limits', 's3.versioning-v1']);
    expect(ids(await call(client, 'get_constraints', { severity: 'advisory' }))).toEqual(['org.tag-owners']);
  });

  it('describes an advisory policy as guidance only: no effect, no mode, never "violated whenever it applies"', async () => {
    const client = await connect(engine);
    const answer = await call<Constraints>(client, 'get_constraints', { severity: 'advisory' });
    const [advisory] = answer.structured.policies;
    expect(advisory).toMatchObject({ id: 'org.tag-owners', severity: 'advisory', tools: ['*'], phase: 'request' });
    expect(advisory?.effect).toBeUndefined();
    expect(advisory?.mode).toBeUndefined();
    expect(advisory?.violatedWhenApplies).toBeUndefined();
    expect(answer.text).toContain('org.tag-owners  advisory (guidance only, never evaluated)  request  tools: *\n');
    expect(answer.text).not.toContain('violated whenever it applies');
  });

  it('matches relationship selectors: a sync call across domains, not within one', async () => {
    const client = await connect(engine);
    const across = { relationship: { sourceDomain: 'billing', targetDomain: 'ledger', interaction: 'sync-call' } };
    expect(ids(await call(client, 'get_constraints', { scope: across, category: 'architectural' }))).toEqual([
      'arch.no-sync-across-domains',
    ]);
    const within = { relationship: { sourceDomain: 'billing', targetDomain: 'billing', interaction: 'sync-call' } };
    const none = await call<Constraints>(client, 'get_constraints', { scope: within, category: 'architectural' });
    expect(ids(none)).toEqual([]);
    expect(none.text).toContain(
      'No policy matches scope relationship.sourceDomain: billing; relationship.targetDomain: billing; relationship.interaction: sync-call, category architectural.',
    );
    const async = { relationship: { differentDomain: true, interaction: 'async-event' } };
    expect(ids(await call(client, 'get_constraints', { scope: async, category: 'architectural' }))).toEqual([]);
  });

  it('combines a tool with a scope: both must hold', async () => {
    const client = await connect(engine);
    const answer = await call<Constraints>(client, 'get_constraints', { tool: 'terraform.apply', scope: S3_PROD });
    expect(ids(answer)).toEqual(['org.tag-owners', 's3.no-public-acl', 's3.versioning-v1']);
    expect(answer.text.split('\n')[0]).toMatch(/^3 policies apply to terraform\.apply matching scope providers: aws;/);
    const kubectl = await call<Constraints>(client, 'get_constraints', { tool: 'kubectl.apply', scope: S3_PROD });
    expect(ids(kubectl)).toEqual(['org.tag-owners']);
    const dev = await call<Constraints>(client, 'get_constraints', { tool: 'kubectl.apply', scope: { ...S3_PROD, environments: 'dev' } });
    expect(ids(dev)).toEqual([]);
    expect(dev.text).toContain('No policy constrains kubectl.apply matching scope providers: aws;');
  });

  it('answers a typo with an error listing the valid dimensions, categories or severities', async () => {
    const client = await connect(engine);
    expect(await failing(client, 'get_constraints', { scope: { provider: 'aws' } })).toContain(
      '"provider" is not a dimension of scope (did you mean "providers"?); the dimensions are providers, resourceTypes, environments, repos, languages, relationship',
    );
    expect(await failing(client, 'get_constraints', { scope: { relationship: { interactions: 'sync-call' } } })).toContain(
      '"interactions" is not a dimension of scope.relationship (did you mean "interaction"?); the dimensions are sourceLayer,',
    );
    expect(await failing(client, 'get_constraints', { category: 'infrastucture' })).toContain(
      'unknown category "infrastucture" (did you mean "infrastructure"?); the categories are infrastructure, organizational, architectural',
    );
    expect(await failing(client, 'get_constraints', { severity: 'hrad' })).toContain(
      'expected one of "hard"|"soft"|"advisory" at severity',
    );
    expect(await failing(client, 'get_constraints', { scope: { providers: [] } })).toContain(
      'scope.providers must be a string or a list of 1 to 1000 strings',
    );
  });

  it('takes a category tierguard names even when no policy uses it, and answers it with none', async () => {
    const client = await connect(engine);
    const onlyInfra = await createEngine({ policies: [{ id: 'x', category: 'infrastructure', tools: ['a'] }] });
    const other = await connect(onlyInfra);
    expect(ids(await call(other, 'get_constraints', { category: 'architectural' }))).toEqual([]);
    // A registry's own category is valid where the policies use it.
    expect(ids(await call(client, 'get_constraints', { category: 'organizational' }))).toEqual(['org.tag-owners']);
  });
});
