import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOpaCliAdapter } from '../../src/engines/opa/opa-cli-adapter.js';
import { createSemgrepAdapter } from '../../src/engines/semgrep/semgrep-adapter.js';
import type { ValidationDecision } from '../../src/index.js';
import { requireBuild } from '../support/paths.js';
import { engineSkipReason } from '../unit/engines/support.js';

/** The built CLI as a user runs it: a real process, the real engines, real exit codes. */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'enforcement');
const POLICIES = join(FIXTURES, 'policies');
const artifact = (name: string): string => join(FIXTURES, 'artifacts', name);
const STACK_LINE = /^\s+at /m;

const opaSkip = await engineSkipReason(createOpaCliAdapter(), 'go install github.com/open-policy-agent/opa@v1.22.2');
const semgrepSkip = await engineSkipReason(createSemgrepAdapter(), 'pip install semgrep==1.180.0');

function validate(args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, 'validate', '--policies', POLICIES, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    timeout: 60_000,
  });
}

beforeAll(requireBuild);

describe.skipIf(opaSkip !== undefined)(`tierguard validate with OPA${opaSkip === undefined ? '' : ` (skipped: ${opaSkip})`}`, () => {
  const S3 = ['--policy', 's3.no-public', '--policy', 's3.owned'];

  it('exits 0 for a passing artifact and lists each engine verdict, then a summary', () => {
    const run = validate(['--artifact', artifact('bucket-private.json'), ...S3]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^allow {2}\S*bucket-private\.json {2}\(policies sha256:[0-9a-f]{12}\)$/);
    expect(lines.slice(1)).toEqual([
      '  pass  opa ../engine-policies/bucket-rules',
      '  pass  opa ../engine-policies/s3.rego',
      'pass: 2 engine runs: 2 pass, 0 fail, 0 error; 0 findings; verdict allow',
    ]);
  });

  it('exits 1 for a failing artifact, naming the policy, rule, path and message', () => {
    const run = validate(['--artifact', artifact('bucket-public.json'), ...S3]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      '  fail  opa ../engine-policies/s3.rego\n    x s3.no-public  s3-public-acl  resources.site.acl  bucket site is public\n',
    );
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('fail: 2 engine runs: 1 pass, 1 fail, 0 error; 1 finding; verdict deny');
  });

  it('prints the ValidationDecision with --json', () => {
    const run = validate(['--artifact', artifact('bucket-public.json'), '--policy', 's3.no-public', '--json']);
    expect(run.status).toBe(1);
    const decision = JSON.parse(run.stdout) as ValidationDecision;
    expect(decision).toMatchObject({ result: 'fail', verdict: 'deny', action: { kind: 'artifact' } });
    expect(decision.engines.map((verdict) => [verdict.engine, verdict.policy, verdict.verdict])).toEqual([
      ['opa', '../engine-policies/s3.rego', 'fail'],
    ]);
  });

  it('reads standard input with --format, and exits 0 in monitor mode where a finding only would deny', () => {
    const run = validate(
      ['--artifact', '-', '--format', 'json', '--policy', 's3.no-public', '--mode', 'monitor'],
      readFileSync(artifact('bucket-public.json'), 'utf8'),
    );
    expect(run.status).toBe(0);
    // Content read from stdin is named as the engine sees it: JSON as artifact.json.
    expect(run.stdout).toMatch(/^would_deny {2}artifact\.json {2}/);
    expect(run.stdout).toContain('    ~ s3.no-public  s3-public-acl');
  });

  it('exits 2 for a JSON artifact with a repeated key, public then private, from a file or standard input', () => {
    const twice = artifact('bucket-public-then-private.json');
    for (const run of [
      validate(['--artifact', twice, ...S3]),
      validate(['--artifact', '-', '--format', 'terraform-plan', ...S3], readFileSync(twice, 'utf8')),
    ]) {
      expect(run.status).toBe(2);
      expect(run.stdout).toContain('  error  opa ../engine-policies/s3.rego  INVALID_ARTIFACT  ');
      expect(run.stdout).toContain('line 3, column 37: duplicate key "acl" at /resources/site/acl');
      expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('error: 2 engine runs: 0 pass, 0 fail, 2 error; 0 findings; verdict deny');
    }
  });

  it('exits 2 when an engine cannot answer: OPA given a JavaScript file', () => {
    const run = validate(['--artifact', artifact('app-clean.js'), '--policy', 's3.no-public']);
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('  error  opa ../engine-policies/s3.rego  INVALID_ARTIFACT  ');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('error: 1 engine run: 0 pass, 0 fail, 1 error; 0 findings; verdict deny');
  });
});

describe.skipIf(semgrepSkip !== undefined)(
  `tierguard validate with Semgrep${semgrepSkip === undefined ? '' : ` (skipped: ${semgrepSkip})`}`,
  () => {
    it('exits 1 for generated code that calls eval, read from standard input with --name', () => {
      const run = validate(
        ['--artifact', '-', '--name', 'gen.js', '--policy', 'code.no-eval'],
        readFileSync(artifact('app-eval.js'), 'utf8'),
      );
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('  fail  semgrep ../engine-policies/no-eval.yaml\n    x code.no-eval  no-eval  ');
      expect(run.stdout).toContain('gen.js:2:13  Do not call eval(); it runs arbitrary code.');
    });
  },
);

describe('tierguard validate with artifacts patterns', () => {
  // No engine runs here, so no engine needs to be installed: the policy's patterns leave the artifact out.
  it('exits 0 and says so when no policy selects the artifact', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tierguard-validate-'));
    try {
      const policy = {
        id: 'plans',
        artifacts: ['*.json'],
        enforcement: [{ engine: 'opa', policy: join(FIXTURES, 'engine-policies', 's3.rego'), query: 'data.s3.deny' }],
      };
      await writeFile(join(dir, 'plans.json'), JSON.stringify(policy));
      const run = spawnSync(process.execPath, [BIN, 'validate', '--policies', dir, '--artifact', artifact('app-clean.js')], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^allow {2}\S*app-clean\.js {2}\(policies sha256:[0-9a-f]{12}\)$/);
      expect(lines.slice(1)).toEqual([
        `  no policy selects ${artifact('app-clean.js')}: no engine ran (each policy's artifacts patterns leave it out)`,
        'pass: 0 engine runs: 0 pass, 0 fail, 0 error; 0 findings; verdict allow',
      ]);
      const json = spawnSync(process.execPath, [BIN, 'validate', '--policies', dir, '--artifact', artifact('app-clean.js'), '--json'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(JSON.parse(json.stdout)).toMatchObject({ result: 'pass', verdict: 'allow', engines: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('tierguard validate on invalid input', () => {
  const cases: [string, string[], string | undefined, RegExp][] = [
    ['no --artifact', [], undefined, /--artifact is required/],
    ['standard input without --format or --name', ['--artifact', '-'], '{}', /needs --format or --name/],
    ['--name with a file', ['--artifact', artifact('bucket-public.json'), '--name', 'x.json'], undefined, /--name names standard input/],
    [
      'an unknown --policy',
      ['--artifact', artifact('bucket-public.json'), '--policy', 'nope'],
      undefined,
      /INVALID_OPTIONS: no policy has the id "nope"/,
    ],
    ['a bad --mode', ['--artifact', artifact('bucket-public.json'), '--mode', 'loud'], undefined, /--mode must be enforce or monitor/],
  ];
  for (const [what, args, input, message] of cases) {
    it(`exits 2 for ${what}, with a message and no stack trace`, () => {
      const run = validate(args, input);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(STACK_LINE);
    });
  }

  it('exits 2 for a policy binding an engine policy that does not exist, naming the file and pointer', () => {
    const run = spawnSync(
      process.execPath,
      [BIN, 'validate', '--policies', join(FIXTURES, 'broken-policies'), '--artifact', artifact('bucket-public.json')],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('INVALID_POLICY');
    expect(run.stderr).toContain('missing.json');
    expect(run.stderr).toContain('/enforcement/0/policy');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});
