import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOV_TESTED_VERSION, createCheckovAdapter } from '../../src/engines/checkov/checkov-adapter.js';
import { createSemgrepAdapter } from '../../src/engines/semgrep/semgrep-adapter.js';
import { createEngine, loadPolicies } from '../../src/index.js';
import type { PolicyDefinition } from '../../src/index.js';
import { ROOT, requireBuild } from '../support/paths.js';
import { engineSkipReason } from '../unit/engines/support.js';

/** The built CLI imports the installed engines' catalogs; the drafts then load and judge artifacts with the real engines. */

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const ENGINE_FIXTURES = join(ROOT, 'tests', 'fixtures', 'engines');

const checkovSkip = await engineSkipReason(createCheckovAdapter(), `pip install checkov==${CHECKOV_TESTED_VERSION}`);
const semgrepSkip = await engineSkipReason(createSemgrepAdapter(), 'pip install semgrep==1.180.0');

function tierguard(args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
}

const scratch: string[] = [];
const outDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'tierguard-import-e2e-'));
  scratch.push(dir);
  return dir;
};

beforeAll(requireBuild);
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.skipIf(checkovSkip !== undefined)(
  `tierguard import checkov${checkovSkip === undefined ? '' : ` (skipped: ${checkovSkip})`}`,
  { timeout: 180_000 },
  () => {
    it('writes Terraform drafts that load with createEngine, and one of them judges a Terraform file with Checkov', async () => {
      const out = await outDir();
      const run = tierguard(['import', 'checkov', '--framework', 'terraform', '--out', out]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/\d+ draft policies from Checkov \d+\.\d+/);
      const drafts = JSON.parse(await readFile(join(out, 'checkov-terraform.json'), 'utf8')) as PolicyDefinition[];
      expect(drafts.length).toBeGreaterThan(100);
      expect(drafts.find((draft) => draft.id === 'checkov/terraform/CKV_AWS_20')).toMatchObject({
        severity: 'hard',
        artifacts: ['*.tf'],
        provenance: { source: 'checkov', ruleId: 'CKV_AWS_20', license: 'Apache-2.0' },
      });

      const loaded = await loadPolicies(out);
      const engine = await createEngine({ policies: loaded.definitions, sources: loaded.sources });
      const policies = ['checkov/terraform/CKV_AWS_20'];
      const denied = await engine.validate({ path: join(ENGINE_FIXTURES, 'checkov', 'fail.tf') }, { policies });
      expect(denied).toMatchObject({ result: 'fail', verdict: 'deny' });
      expect(denied.violations.map((v) => [v.policyId, v.constraint])).toEqual([['checkov/terraform/CKV_AWS_20', 'CKV_AWS_20']]);
      const allowed = await engine.validate({ path: join(ENGINE_FIXTURES, 'checkov', 'pass.tf') }, { policies });
      expect(allowed).toMatchObject({ result: 'pass', verdict: 'allow', errors: [] });

      // The same through the CLI, and the import refuses to overwrite what it wrote.
      const validated = tierguard([
        'validate',
        '--policies',
        out,
        '--artifact',
        join(ENGINE_FIXTURES, 'checkov', 'fail.tf'),
        ...['--policy', policies[0] ?? ''],
      ]);
      expect(validated.status).toBe(1);
      const again = tierguard(['import', 'checkov', '--framework', 'terraform', '--out', out]);
      expect(again.status).toBe(2);
      expect(again.stderr).toContain('refusing to overwrite');
    });
  },
);

describe.skipIf(semgrepSkip !== undefined)(
  `tierguard import semgrep${semgrepSkip === undefined ? '' : ` (skipped: ${semgrepSkip})`}`,
  () => {
    it('writes drafts that load with createEngine and judge a script: the ERROR rule blocks, the WARNING rule warns', async () => {
      const out = await outDir();
      const run = tierguard(['import', 'semgrep', join(ENGINE_FIXTURES, 'semgrep', 'no-eval.yaml'), '--out', out]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const loaded = await loadPolicies(out);
      expect(loaded.definitions.map((definition) => [definition.id, definition.severity])).toEqual([
        ['semgrep/no-console-log', 'soft'],
        ['semgrep/no-eval', 'hard'],
      ]);
      const engine = await createEngine({ policies: loaded.definitions, sources: loaded.sources });
      // Both drafts select .js files; each counts only its own rule's findings.
      const decision = await engine.validate({ path: join(ENGINE_FIXTURES, 'semgrep', 'fail.js') });
      expect(decision).toMatchObject({ result: 'fail', verdict: 'deny' });
      expect(decision.violations.map((v) => [v.policyId, v.constraint])).toEqual([['semgrep/no-eval', 'no-eval']]);
      expect(decision.warnings.map((v) => [v.policyId, v.constraint])).toEqual([['semgrep/no-console-log', 'no-console-log']]);
      const clean = await engine.validate({ path: join(ENGINE_FIXTURES, 'semgrep', 'pass.js') });
      expect(clean).toMatchObject({ result: 'pass', verdict: 'allow' });
    });
  },
);
