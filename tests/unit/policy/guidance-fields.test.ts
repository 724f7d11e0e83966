import { describe, expect, it } from 'vitest';
import { createEngine, isTierguardError, POLICY_CATEGORIES } from '../../../src/index.js';
import type { PolicyDefinition } from '../../../src/index.js';

/**
 * The guidance fields of a policy definition (README "Guidance for agents"):
 * accepted when well formed and kept in `engine.definitions` as written, and
 * refused with a pointer when not, like every other field.
 */

const ASSERTION = { field: 'arguments.acl', op: 'neq', value: 'public-read' } as const;

const GUIDED: PolicyDefinition = {
  id: 's3-no-public-acl',
  title: 'S3 buckets are never public',
  intent: 'Public buckets leak data.',
  category: 'infrastructure',
  owner: 'platform-security',
  version: '1.2.0-rc.1+build.5',
  deprecated: true,
  successor: 's3-public-access-block',
  severity: 'hard',
  scope: {
    providers: ['aws'],
    resourceTypes: ['aws_s3_bucket'],
    environments: ['all'],
    repos: ['tag:infra', 'payments'],
    languages: ['hcl'],
    relationship: { sourceDomain: ['billing'], differentDomain: true, interaction: ['sync-call'] },
  },
  guidance: {
    do: ['Set acl to private'],
    dont: ['Grant public-read'],
    exampleCompliant: { language: 'hcl', code: 'acl = "private"', note: 'private bucket' },
    exampleNoncompliant: 'acl = "public-read"',
  },
  provenance: { source: 'checkov', ruleId: 'CKV_AWS_20', version: '3.2.0', license: 'Apache-2.0', url: 'https://example.org/CKV_AWS_20' },
  tools: ['terraform.apply'],
  assert: ASSERTION,
};

async function issuesFor(policy: Record<string, unknown>): Promise<{ pointer: string; message: string }[]> {
  const error = await createEngine({ policies: [policy as unknown as PolicyDefinition] }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isTierguardError(error, 'INVALID_POLICY')) throw new Error(`expected INVALID_POLICY, got ${String(error)}`);
  return (error.details.issues ?? []).map(({ pointer, message }) => ({ pointer, message }));
}

describe('guidance fields', () => {
  it('accepts every field and keeps it as written', async () => {
    const successor: PolicyDefinition = { id: 's3-public-access-block', assert: ASSERTION };
    const engine = await createEngine({ policies: [GUIDED, successor] });
    expect(engine.definitions[0]).toEqual(GUIDED);
  });

  it('names the categories tierguard knows and accepts others in lower case', async () => {
    expect(POLICY_CATEGORIES).toEqual(['infrastructure', 'organizational', 'architectural']);
    const engine = await createEngine({ policies: [{ id: 'p', category: 'data-residency', assert: ASSERTION }] });
    expect(engine.definitions[0]?.category).toBe('data-residency');
  });

  it.each([
    ['version not semver', { version: '1.2' }, '/version'],
    ['version with a leading zero', { version: '01.2.3' }, '/version'],
    ['category with capitals', { category: 'Infrastructure' }, '/category'],
    ['unknown severity', { severity: 'strict' }, '/severity'],
    ['deprecated not a boolean', { deprecated: 'yes' }, '/deprecated'],
    ['successor not an id', { successor: ' next' }, '/successor'],
    ['empty title', { title: '' }, '/title'],
    ['scope dimension misspelt', { scope: { provider: ['aws'] } }, '/scope/provider'],
    ['scope values not a list', { scope: { providers: 'aws' } }, '/scope/providers'],
    ['scope value repeated', { scope: { environments: ['prod', 'prod'] } }, '/scope/environments'],
    ['empty relationship', { scope: { relationship: {} } }, '/scope/relationship'],
    ['relationship selector misspelt', { scope: { relationship: { sourcedomain: ['a'] } } }, '/scope/relationship/sourcedomain'],
    ['example object without code', { guidance: { exampleCompliant: { language: 'hcl' } } }, '/guidance/exampleCompliant'],
    ['guidance key misspelt', { guidance: { donts: ['x'] } }, '/guidance/donts'],
    ['provenance without source', { provenance: { ruleId: 'CKV_AWS_20' } }, '/provenance/source'],
  ])('refuses %s at its pointer', async (_name, fields, pointer) => {
    const issues = await issuesFor({ id: 'p', assert: ASSERTION, ...fields });
    expect(issues.map((issue) => issue.pointer)).toContain(pointer);
  });

  it('lists the valid scope dimensions when one is misspelt', async () => {
    const issues = await issuesFor({ id: 'p', assert: ASSERTION, scope: { enviroments: ['prod'] } });
    const issue = issues.find((candidate) => candidate.pointer === '/scope/enviroments');
    expect(issue?.message).toContain('providers, resourceTypes, environments, repos, languages, relationship');
  });
});
