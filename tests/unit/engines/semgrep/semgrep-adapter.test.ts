import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SEMGREP_TESTED_VERSION, createSemgrepAdapter } from '../../../../src/engines/semgrep/semgrep-adapter.js';
import type { Artifact, EngineBinding, EngineVerdict } from '../../../../src/engines/types.js';
import { engineSkipReason, expectNoTempPath } from '../support.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/semgrep/${name}`, import.meta.url));
const semgrep = createSemgrepAdapter();
const BINDING: EngineBinding = { engine: 'semgrep', policy: fixture('no-eval.yaml'), policyId: 'code.no-eval' };
const skip = await engineSkipReason(semgrep, `pip install semgrep==${SEMGREP_TESTED_VERSION} (or run .ci/install-engines)`);

const summary = (verdict: EngineVerdict): unknown[] => verdict.violations.map((v) => [v.constraint, v.path, v.effect, v.severity]);

describe.skipIf(skip !== undefined)(`semgrep adapter${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  const scratch: string[] = [];
  afterAll(async () => {
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('scans content written to a private temp dir, and names it as the caller did', async () => {
    const verdict = await semgrep.evaluate({ content: 'const x = 1;\neval(String(x));\n', format: 'javascript', name: 'app.js' }, BINDING);
    expect(verdict).toMatchObject({ verdict: 'fail', engine: 'semgrep', policy: BINDING.policy });
    expect(verdict.violations).toEqual([
      {
        policyId: 'code.no-eval',
        tier: 'engine',
        // Unprefixed whatever directory the rule file is in: the adapter runs semgrep beside it.
        constraint: 'no-eval',
        path: ['app.js', 2, 1],
        message: 'app.js:2:1: Do not call eval(); it runs arbitrary code.',
        effect: 'deny',
        severity: 'violation',
      },
    ]);
    expectNoTempPath(verdict);
  });

  it('names a file artifact by the path the caller gave', async () => {
    const given = relative(process.cwd(), fixture('fail.js'));
    const verdict = await semgrep.evaluate({ path: given }, BINDING);
    expect(verdict.violations.map((v) => v.path[0])).toEqual([given, given]);
    expect(verdict.violations[0]?.message.startsWith(`${given}:2:15: `)).toBe(true);
  });

  it("maps Semgrep severities: ERROR takes the binding's effect, WARNING warns", async () => {
    const verdict = await semgrep.evaluate({ path: fixture('fail.js') }, { ...BINDING, effect: 'escalate' });
    expect(summary(verdict)).toEqual([
      ['no-eval', [fixture('fail.js'), 2, 15], 'escalate', 'violation'],
      ['no-console-log', [fixture('fail.js'), 3, 1], 'warn', 'warning'],
    ]);
  });

  it('drops findings below minLevel, from the binding or from the adapter', async () => {
    const byBinding = await semgrep.evaluate({ path: fixture('fail.js') }, { ...BINDING, options: { minLevel: 'error' } });
    expect(byBinding.violations.map((v) => v.constraint)).toEqual(['no-eval']);
    const byAdapter = await createSemgrepAdapter({ minLevel: 'error' }).evaluate(
      { content: 'console.log(1);\n', format: 'javascript' },
      BINDING,
    );
    expect(byAdapter).toMatchObject({ verdict: 'pass', violations: [] });
  });

  it('rejects unknown binding options and bad values', async () => {
    const unknown = await semgrep.evaluate({ path: fixture('pass.js') }, { ...BINDING, options: { severity: 'high' } });
    expect(unknown.error).toEqual({ code: 'INVALID_BINDING', message: 'unknown semgrep option "severity" (known: minLevel, rule)' });
    const bad = await semgrep.evaluate({ path: fixture('pass.js') }, { ...BINDING, options: { minLevel: 'fatal' } });
    expect(bad.error?.code).toBe('INVALID_BINDING');
  });

  it('is an ENGINE_FAILED error for a rule Semgrep cannot parse, saying why', async () => {
    const verdict = await semgrep.evaluate({ path: fixture('fail.js') }, { ...BINDING, policy: fixture('broken-rule.yaml') });
    expect(verdict).toMatchObject({ verdict: 'error', violations: [], error: { code: 'ENGINE_FAILED' } });
    expect(verdict.error?.message).toMatch(/^semgrep exited with 2: runs\[0\]: the tool reports errors: Rule parse error in rule x/);
  });

  it('scans artifacts past Semgrep’s default 1 MB target limit instead of skipping them as a pass', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tierguard-semgrep-test-'));
    scratch.push(dir);
    const file = join(dir, 'big.js');
    await writeFile(file, `${'const padding = "x";\n'.repeat(60_000)}eval(padding);\n`);
    const verdict = await semgrep.evaluate({ path: file }, BINDING);
    expect(summary(verdict)).toEqual([['no-eval', [file, 60_001, 1], 'deny', 'violation']]);
  });

  it('refuses artifacts it cannot write safely', async () => {
    const escaping = await semgrep.evaluate({ content: 'eval(1)', format: 'javascript', name: '../escape.js' }, BINDING);
    expect(escaping.error?.code).toBe('INVALID_ARTIFACT');
    const jsonAsCode = await semgrep.evaluate({ content: { eval: 1 }, format: 'javascript' }, BINDING);
    expect(jsonAsCode.error?.code).toBe('INVALID_ARTIFACT');
    const both = await semgrep.evaluate({ path: fixture('fail.js'), content: 'x' } as unknown as Artifact, BINDING);
    expect(both.error).toEqual({ code: 'INVALID_ARTIFACT', message: 'the artifact must have exactly one of path and content' });
  });
});
