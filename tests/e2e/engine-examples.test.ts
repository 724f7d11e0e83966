import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../support/paths.js';
import { missingEngines } from '../support/missing-engines.js';

/**
 * The shipped engine examples (examples/engines) as CI runs them: the built CLI
 * against the real opa, conftest, checkov and semgrep. Without one of them the
 * tests skip, naming what to install; with TIERGUARD_REQUIRE_ENGINES=1 they run
 * and fail instead.
 */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const EXAMPLES = 'examples/engines/policies';

/** Each engine the examples bind: how to ask for its version, and how to install it. */
const ENGINES = [
  { name: 'opa', args: ['version'], install: 'go install github.com/open-policy-agent/opa@v1.22.2' },
  { name: 'conftest', args: ['--version'], install: 'go install github.com/open-policy-agent/conftest@v0.71.1' },
  { name: 'checkov', args: ['--version'], install: 'pip install checkov==3.3.30' },
  { name: 'semgrep', args: ['--version'], install: 'pip install semgrep==1.180.0' },
] as const;

const skip = missingEngines(ENGINES);

function run(...args: string[]): SpawnSyncReturns<string> {
  // Engines are processes; the whole example set runs a few dozen of them.
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
}

beforeAll(() => {
  requireBuild();
});

describe.skipIf(skip !== undefined)(`engine examples${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it('prints what the README shows for tierguard validate and tierguard test, word for word', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    // Every `$ npx tierguard validate|test ...` line of the README with the lines after it, up to the next command or fence.
    const examples = [
      ...readme.matchAll(/^\$ npx tierguard ((?:validate|test) --policies examples\/engines\/[^\n]*)\n((?:(?!\$ |```)[^\n]*\n)*)/gm),
    ];
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const [, command, shown] of examples) {
      const result = run(...(command ?? '').split(' '));
      expect(result.stderr, command).toBe('');
      expect(result.stdout, command).toBe(shown);
    }
  });

  it('tierguard test passes every fixture of examples/engines: artifacts through the engines, actions cross-checked', () => {
    const result = run('test', '--policies', EXAMPLES);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^fixtures: [1-9]\d* passed, 0 failed\n$/);
    expect(result.status).toBe(0);
  });

  it('tierguard validate passes a private bucket plan and fails a public one, naming the rule', () => {
    const fixture = (name: string): string => `${EXAMPLES}/fixtures/infra.s3-not-public/${name}`;
    const pass = run(
      'validate',
      '--policies',
      EXAMPLES,
      '--policy',
      'infra.s3-not-public',
      '--artifact',
      fixture('allow/private-bucket.json'),
    );
    expect(pass.stderr).toBe('');
    expect(pass.status).toBe(0);

    const fail = run(
      'validate',
      '--policies',
      EXAMPLES,
      '--policy',
      'infra.s3-not-public',
      '--artifact',
      fixture('deny/public-read-acl.json'),
    );
    expect(fail.stderr).toBe('');
    expect(fail.stdout).toContain('infra.s3-not-public');
    expect(fail.stdout).toContain('aws_s3_bucket.site has the public ACL "public-read"');
    expect(fail.status).toBe(1);
  });

  it('tierguard validate runs Semgrep on a JavaScript file and Checkov on a Terraform file', () => {
    const semgrep = run(
      'validate',
      '--policies',
      EXAMPLES,
      '--policy',
      'code.no-eval',
      '--artifact',
      `${EXAMPLES}/fixtures/code.no-eval/deny/eval-settings.js`,
    );
    expect(semgrep.stdout).toContain('no-eval');
    expect(semgrep.status).toBe(1);

    const checkov = run(
      'validate',
      '--policies',
      EXAMPLES,
      '--policy',
      'infra.s3-checkov',
      '--artifact',
      `${EXAMPLES}/fixtures/infra.s3-checkov/allow/private-bucket.tf`,
    );
    expect(checkov.stderr).toBe('');
    expect(checkov.status).toBe(0);
  });

  it('tierguard validate without --policy runs only the policies whose artifacts patterns select the file', () => {
    const semgrep = run('validate', '--policies', EXAMPLES, '--artifact', `${EXAMPLES}/fixtures/code.no-eval/deny/eval-settings.js`);
    expect(semgrep.stderr).toBe('');
    expect(semgrep.stdout).toContain('  fail  semgrep ../rules/semgrep/no-eval.yaml\n    x code.no-eval  no-eval  ');
    expect(semgrep.stdout.trimEnd().split('\n').at(-1)).toBe('fail: 1 engine run: 0 pass, 1 fail, 0 error; 1 finding; verdict deny');
    expect(semgrep.status).toBe(1);

    const conftest = run(
      'validate',
      '--policies',
      EXAMPLES,
      '--artifact',
      `./${EXAMPLES}/fixtures/k8s.deployment-hardening/deny/runs-as-root.yaml`,
    );
    expect(conftest.stderr).toBe('');
    expect(conftest.stdout).toContain('  fail  conftest ../rules/conftest\n');
    expect(conftest.stdout.trimEnd().split('\n').at(-1)).toMatch(/^fail: 1 engine run: 0 pass, 1 fail, 0 error; /);
    expect(conftest.status).toBe(1);

    const nothing = run('validate', '--policies', EXAMPLES, '--artifact', 'examples/engines/README.md');
    expect(nothing.stderr).toBe('');
    expect(nothing.stdout).toContain('  no policy selects examples/engines/README.md: no engine ran');
    expect(nothing.stdout.trimEnd().split('\n').at(-1)).toBe('pass: 0 engine runs: 0 pass, 0 fail, 0 error; 0 findings; verdict allow');
    expect(nothing.status).toBe(0);
  });
});
