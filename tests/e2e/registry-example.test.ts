import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, loadPolicies } from '../../src/index.js';
import type { Action, Decision, Engine, PolicyDefinition } from '../../src/index.js';
import { ROOT, requireBuild } from '../support/paths.js';
import { missingEngines } from '../support/missing-engines.js';

/**
 * The registry's sample scenario (examples/registry) as CI runs it: the built
 * CLI against the real opa and conftest, as for examples/engines. Without one of
 * them the engine tests skip, naming what to install; with
 * TIERGUARD_REQUIRE_ENGINES=1 they run and fail instead. What needs no engine
 * (the guidance every policy carries, which policies have fixtures) always runs.
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const EXAMPLES = 'examples/registry';
const FIXTURES = join(ROOT, EXAMPLES, 'fixtures');
const ADVISORY = 'org.owner-tag';

/** Each engine the registry's policies bind: how to ask for its version, and how to install it. */
const ENGINES = [
  { name: 'opa', args: ['version'], install: 'go install github.com/open-policy-agent/opa@v1.22.2' },
  { name: 'conftest', args: ['--version'], install: 'go install github.com/open-policy-agent/conftest@v0.71.1' },
] as const;

const skip = missingEngines(ENGINES);

function run(...args: string[]): SpawnSyncReturns<string> {
  // Every artifact fixture is an engine process.
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
}

/** A fixture on disk: its policy, what it expects, and its path relative to the repository. */
interface FixtureFile {
  readonly policyId: string;
  readonly expected: string;
  readonly file: string;
}

function fixtureFiles(): FixtureFile[] {
  return readdirSync(FIXTURES).flatMap((policyId) =>
    readdirSync(join(FIXTURES, policyId)).flatMap((expected) =>
      readdirSync(join(FIXTURES, policyId, expected)).map((name) => ({
        policyId,
        expected,
        file: `${EXAMPLES}/fixtures/${policyId}/${expected}/${name}`,
      })),
    ),
  );
}

async function loadEngine(): Promise<Engine> {
  const { definitions, sources } = await loadPolicies(join(ROOT, EXAMPLES));
  return createEngine({ policies: definitions, sources });
}

/** Every finding of a decision, whatever list it is in. */
function findings(decision: Decision): { policyId: string }[] {
  return [...decision.violations, ...decision.warnings, ...decision.wouldDeny, ...decision.wouldEscalate];
}

let definitions: readonly PolicyDefinition[] = [];

beforeAll(async () => {
  requireBuild();
  definitions = (await loadEngine()).definitions;
});

describe('registry example: the policy set', () => {
  it('holds the scenario: S3 public access, IAM wildcards, Kubernetes workloads, no sync calls across domains, an advisory rule', () => {
    expect(definitions.map(({ id }) => id).sort()).toEqual([
      'arch.no-sync-calls-across-domains',
      'infra.iam-no-wildcards',
      'infra.s3-no-public-access',
      'k8s.image-tag-pinned',
      'k8s.workload-hardening',
      'org.owner-tag',
    ]);
    const byId = new Map(definitions.map((definition) => [definition.id, definition]));
    expect(byId.get('infra.s3-no-public-access')?.scope?.resourceTypes).toContain('aws_s3_bucket');
    expect(byId.get('infra.iam-no-wildcards')?.scope?.resourceTypes).toContain('aws_iam_policy');
    expect(byId.get('k8s.workload-hardening')?.scope?.providers).toEqual(['kubernetes']);
    const architectural = byId.get('arch.no-sync-calls-across-domains');
    expect(architectural?.category).toBe('architectural');
    expect(architectural?.scope?.relationship).toMatchObject({ differentDomain: true, interaction: ['sync-call'] });
    expect(architectural?.enforcement).toBeUndefined(); // the auto tier enforces it: no engine needed
    expect(byId.get(ADVISORY)).toMatchObject({ severity: 'advisory', category: 'organizational' });
    expect(byId.get('k8s.image-tag-pinned')).toMatchObject({ deprecated: true, successor: 'k8s.workload-hardening', severity: 'soft' });
    expect(definitions.some(({ scope }) => scope?.repos?.some((repo) => repo.startsWith('tag:')) === true)).toBe(true);
  });

  it('every policy carries the guidance fields an agent reads', () => {
    expect(definitions.length).toBeGreaterThan(0);
    for (const definition of definitions) {
      const { id, title, intent, category, owner, version, severity, scope, guidance } = definition;
      for (const text of [title, intent, owner]) expect(typeof text === 'string' && text.length > 0, id).toBe(true);
      expect(category, id).toMatch(/^(infrastructure|organizational|architectural)$/);
      expect(version, id).toMatch(/^\d+\.\d+\.\d+$/);
      expect(['hard', 'soft', 'advisory'], id).toContain(severity);
      expect(Object.keys(scope ?? {}).length, id).toBeGreaterThan(0);
      expect(guidance?.do?.length, id).toBeGreaterThan(0);
      expect(guidance?.dont?.length, id).toBeGreaterThan(0);
      expect(guidance?.exampleCompliant, id).toBeDefined();
      expect(guidance?.exampleNoncompliant, id).toBeDefined();
    }
  });

  it('every policy but the advisory one has allow and deny fixtures; the advisory one has none', () => {
    for (const { id, severity } of definitions) {
      const folder = join(FIXTURES, id);
      if (severity === 'advisory') {
        expect(existsSync(folder), id).toBe(false);
        continue;
      }
      expect(readdirSync(join(folder, 'allow')).length, id).toBeGreaterThan(0);
      expect(readdirSync(join(folder, 'deny')).length, id).toBeGreaterThan(0);
    }
  });
});

describe.skipIf(skip !== undefined)(`registry example through the engines${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  let flipped: string | undefined;

  afterAll(() => {
    if (flipped !== undefined) rmSync(flipped, { recursive: true, force: true });
  });

  it('tierguard test passes every fixture of examples/registry', () => {
    const result = run('test', '--policies', EXAMPLES);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`fixtures: ${fixtureFiles().length} passed, 0 failed\n`);
    expect(result.status).toBe(0);
  });

  it('every fixture can fail: with allow and deny swapped, tierguard test fails all of them', () => {
    flipped = mkdtempSync(join(tmpdir(), 'tierguard-registry-'));
    const copy = join(flipped, 'registry');
    cpSync(join(ROOT, EXAMPLES), copy, { recursive: true });
    for (const policyId of readdirSync(join(copy, 'fixtures'))) {
      const folder = join(copy, 'fixtures', policyId);
      renameSync(join(folder, 'allow'), join(folder, 'was-allow'));
      renameSync(join(folder, 'deny'), join(folder, 'allow'));
      renameSync(join(folder, 'was-allow'), join(folder, 'deny'));
    }
    const result = run('test', '--policies', copy);
    expect(result.stderr).toBe('');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(`fixtures: 0 passed, ${fixtureFiles().length} failed`);
    expect(result.status).toBe(1);
  });

  it('tierguard validate reports the advisory policy whose artifacts select the file, with its guidance, and never as a finding', () => {
    const artifact = `${EXAMPLES}/fixtures/k8s.workload-hardening/allow/hardened-deployment.yaml`;
    const text = run('validate', '--policies', EXAMPLES, '--artifact', artifact);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`  i ${ADVISORY}  advisory: Every resource names its owner\n      Do: `);
    expect(text.stdout.trimEnd().split('\n').at(-1)).toMatch(/^pass: .*; verdict allow$/);
    const json = run('validate', '--policies', EXAMPLES, '--artifact', artifact, '--json');
    const decision = JSON.parse(json.stdout) as { advisories: { policyId: string; status: string }[]; violations: unknown[] };
    expect(decision.advisories.map(({ policyId, status }) => [policyId, status])).toEqual([[ADVISORY, 'informational']]);
    expect(decision.violations).toEqual([]);
  });

  it('tierguard validate exits 1 on a deny fixture of each engine-bound hard policy, naming the policy, and 0 on its allow fixture', () => {
    const cases = [
      { policyId: 'infra.s3-no-public-access', deny: 'public-read-acl.tfplan.json', allow: 'private-bucket.tfplan.json' },
      { policyId: 'infra.iam-no-wildcards', deny: 'action-star.tfplan.json', allow: 'scoped-policy.tfplan.json' },
      { policyId: 'k8s.workload-hardening', deny: 'privileged-daemonset.yaml', allow: 'hardened-deployment.yaml' },
    ];
    for (const { policyId, deny, allow } of cases) {
      // Without --policy: the artifacts patterns choose the policies, as for a user.
      const fail = run('validate', '--policies', EXAMPLES, '--artifact', `${EXAMPLES}/fixtures/${policyId}/deny/${deny}`);
      expect(fail.stderr, deny).toBe('');
      expect(fail.stdout, deny).toContain(`    x ${policyId}  `);
      expect(fail.stdout.trimEnd().split('\n').at(-1), deny).toMatch(/^fail: .*; verdict deny$/);
      expect(fail.status, deny).toBe(1);

      const pass = run('validate', '--policies', EXAMPLES, '--artifact', `${EXAMPLES}/fixtures/${policyId}/allow/${allow}`);
      expect(pass.stderr, allow).toBe('');
      expect(pass.stdout.trimEnd().split('\n').at(-1), allow).toMatch(/^pass: .*; 0 findings; verdict allow$/);
      expect(pass.status, allow).toBe(0);
    }
  });

  it('the advisory policy selects the artifacts yet is in no decision: neither violated nor warned of, on any fixture', async () => {
    const engine = await loadEngine();
    const advisoryPatterns = definitions.find(({ id }) => id === ADVISORY)?.artifacts ?? [];
    let artifacts = 0;
    for (const { policyId, file } of fixtureFiles()) {
      const path = join(ROOT, file);
      if (policyId === 'arch.no-sync-calls-across-domains') {
        const decision = await engine.evaluate(JSON.parse(readFileSync(path, 'utf8')) as Action);
        expect(decision.errors, file).toEqual([]);
        expect(
          findings(decision).map(({ policyId: id }) => id),
          file,
        ).not.toContain(ADVISORY);
        continue;
      }
      // Its patterns select the file: if it were judged at all, it would show here.
      const name = basename(file);
      expect(
        advisoryPatterns.some((pattern) => (pattern.startsWith('*') ? name.endsWith(pattern.slice(1)) : name === pattern)),
        file,
      ).toBe(true);
      const decision = await engine.validate({ path });
      expect(decision.errors, file).toEqual([]);
      expect(
        findings(decision).map(({ policyId: id }) => id),
        file,
      ).not.toContain(ADVISORY);
      artifacts += 1;
    }
    expect(artifacts).toBeGreaterThan(0);
  });

  it('prints what examples/registry/README.md shows, word for word', () => {
    const readme = readFileSync(join(ROOT, EXAMPLES, 'README.md'), 'utf8');
    const examples = [
      ...readme.matchAll(/^\$ npx tierguard ((?:validate|test|check) --policies examples\/registry[^\n]*)\n((?:(?!\$ |```)[^\n]*\n)*)/gm),
    ];
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const [, command, shown] of examples) {
      const result = run(...(command ?? '').split(' '));
      expect(result.stderr, command).toBe('');
      expect(result.stdout, command).toBe(shown);
    }
  });
});
