import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKOV_TESTED_VERSION, createCheckovAdapter } from '../../../../src/engines/checkov/checkov-adapter.js';
import type { EngineBinding, EngineVerdict } from '../../../../src/engines/types.js';
import { engineSkipReason, expectNoTempPath } from '../support.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/checkov/${name}`, import.meta.url));
const checkov = createCheckovAdapter();
const BINDING: EngineBinding = { engine: 'checkov', policy: fixture('s3.checkov.yaml'), policyId: 's3.not-public' };
const skip = await engineSkipReason(checkov, `pip install checkov==${CHECKOV_TESTED_VERSION} (or run .ci/install-engines)`);

const withoutDuration = ({ durationMs: _ignored, ...rest }: EngineVerdict): Omit<EngineVerdict, 'durationMs'> => rest;

// Each Checkov run costs seconds (a Python start and every check loaded), so the runs here are few and mostly concurrent.
describe.skipIf(skip !== undefined)(`checkov adapter${skip === undefined ? '' : ` (skipped: ${skip})`}`, { timeout: 180_000 }, () => {
  it("maps failed checks, built-in and custom, to violations with the binding's effect, naming the artifact as given", async () => {
    const given = relative(process.cwd(), fixture('fail.tf'));
    const verdict = await checkov.evaluate({ path: given }, { ...BINDING, effect: 'escalate' });
    expect(verdict).toMatchObject({ verdict: 'fail', engine: 'checkov', policy: BINDING.policy });
    expect(verdict.violations).toEqual([
      {
        policyId: 's3.not-public',
        tier: 'engine',
        constraint: 'CKV2_TG_1',
        path: [given, 1],
        message: `${given}:1: S3 buckets must have an owner tag Help: Resource: aws_s3_bucket.public`,
        effect: 'escalate',
        severity: 'violation',
      },
      {
        policyId: 's3.not-public',
        tier: 'engine',
        constraint: 'CKV_AWS_20',
        path: [given, 1],
        message: `${given}:1: S3 Bucket has an ACL defined which allows public READ access. Help: Resource: aws_s3_bucket.public`,
        effect: 'escalate',
        severity: 'violation',
      },
    ]);
  });

  it('gives identical verdicts for content on two runs, with no temp path in them', async () => {
    const artifact = { content: await readFile(fixture('fail.tf'), 'utf8'), format: 'terraform' } as const;
    const [first, second] = await Promise.all([checkov.evaluate(artifact, BINDING), checkov.evaluate(artifact, BINDING)]);
    expect(first?.violations.map((v) => [v.constraint, v.path])).toEqual([
      ['CKV2_TG_1', ['main.tf', 1]],
      ['CKV_AWS_20', ['main.tf', 1]],
    ]);
    expect(withoutDuration(second)).toEqual(withoutDuration(first));
    expectNoTempPath(first);
  });

  it('names content as given when the config and the temp directory share a parent, as in a checkout under /tmp', async () => {
    // Checkov then names the scanned file by a tail of its path (`input/main.tf`), not relative to its working directory.
    const configDir = await mkdtemp(join(tmpdir(), 'tierguard-checkov-config-'));
    try {
      await cp(fixture('checks'), join(configDir, 'checks'), { recursive: true });
      await cp(fixture('s3.checkov.yaml'), join(configDir, 's3.checkov.yaml'));
      const artifact = { content: await readFile(fixture('fail.tf'), 'utf8'), format: 'terraform' } as const;
      const verdict = await checkov.evaluate(artifact, { ...BINDING, policy: join(configDir, 's3.checkov.yaml') });
      expect(verdict.violations.map((v) => [v.constraint, v.path])).toEqual([
        ['CKV2_TG_1', ['main.tf', 1]],
        ['CKV_AWS_20', ['main.tf', 1]],
      ]);
      expectNoTempPath(verdict);
    } finally {
      await rm(configDir, { recursive: true, force: true });
    }
  });

  it('is an error, never a pass, for Terraform it cannot parse, a file no framework reads, or a broken config', async () => {
    const [unparsable, unread, broken] = await Promise.all([
      checkov.evaluate({ path: fixture('unparsable.tf') }, BINDING),
      checkov.evaluate({ content: await readFile(fixture('fail.tf'), 'utf8'), format: 'text', name: 'main.txt' }, BINDING),
      checkov.evaluate({ path: fixture('fail.tf') }, { ...BINDING, policy: fixture('broken.checkov.yaml') }),
    ]);
    expect(unparsable).toMatchObject({
      verdict: 'error',
      violations: [],
      error: { code: 'INVALID_ARTIFACT', message: 'checkov could not parse ' + fixture('unparsable.tf') },
    });
    expect(unread).toMatchObject({ verdict: 'error', error: { code: 'ENGINE_FAILED' } });
    expect(unread.error?.message).toMatch(/^checkov ran no check on main\.txt: /);
    expect(broken).toMatchObject({ verdict: 'error', error: { code: 'ENGINE_FAILED' } });
    expect(broken.error?.message).toMatch(/^checkov exited with 2: .*Couldn't parse config file/s);
    expectNoTempPath([unparsable, unread, broken]);
  });

  it('ignores settings from the environment and from ~/.checkov.yaml that would skip the checks', async () => {
    const home = await mkdtemp(join(tmpdir(), 'tierguard-checkov-home-'));
    try {
      await writeFile(join(home, '.checkov.yaml'), 'skip-check:\n  - CKV_AWS_20\n  - CKV2_TG_1\n');
      const adapter = createCheckovAdapter({
        env: { ...process.env, HOME: home, CKV_SKIP_CHECK: 'CKV_AWS_20,CKV2_TG_1', CKV_FRAMEWORK: 'dockerfile' },
      });
      const verdict = await adapter.evaluate({ path: fixture('fail.tf') }, BINDING);
      expect(verdict.violations.map((v) => v.constraint)).toEqual(['CKV2_TG_1', 'CKV_AWS_20']);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('passes an artifact no selected check applies to only when the binding allows it', async () => {
    const ec2 = { content: 'resource "aws_instance" "web" {\n  ami = "ami-123"\n}\n', format: 'terraform' } as const;
    const [strict, allowed] = await Promise.all([
      checkov.evaluate(ec2, BINDING),
      checkov.evaluate(ec2, { ...BINDING, options: { allowNoChecks: true } }),
    ]);
    expect(strict.error?.code).toBe('ENGINE_FAILED');
    expect(allowed).toMatchObject({ verdict: 'pass', violations: [] });
  });

  it('refuses, without running Checkov, configs that reach the network and bad options', async () => {
    const networked = await checkov.evaluate({ path: fixture('fail.tf') }, { ...BINDING, policy: fixture('networked.checkov.yaml') });
    expect(networked.error?.code).toBe('INVALID_BINDING');
    expect(networked.error?.message).toContain('sets "bc-api-key", which tierguard does not allow: it uploads results');
    const cases: [Record<string, unknown>, string][] = [
      [{ soft: true }, 'unknown checkov option "soft" (known: minLevel, allowNoChecks, check)'],
      [{ minLevel: 'fatal' }, 'checkov option minLevel must be one of error, warning, note'],
      [{ allowNoChecks: 'yes' }, 'checkov option allowNoChecks must be a boolean'],
    ];
    for (const [options, message] of cases) {
      const verdict = await checkov.evaluate({ path: fixture('pass.tf') }, { ...BINDING, options } as EngineBinding);
      expect(verdict.error).toEqual({ code: 'INVALID_BINDING', message });
    }
    const directory = await checkov.evaluate({ path: fixture('pass.tf') }, { ...BINDING, policy: fixture('checks') });
    expect(directory.error?.code).toBe('POLICY_NOT_FOUND');
  });
});
