import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createConftestAdapter } from '../../../src/engines/conftest/conftest-adapter.js';
import { createSemgrepAdapter } from '../../../src/engines/semgrep/semgrep-adapter.js';
import { createEngine } from '../../../src/index.js';
import type { FindingLevel, PolicyDefinition } from '../../../src/index.js';
import { engineSkipReason } from '../engines/support.js';
import { SEMGREP_INSTALL } from './support.js';

const engineFixture = (path: string): string => fileURLToPath(new URL(`../../fixtures/engines/${path}`, import.meta.url));
/** Where the policies pretend to come from, so their `policy` paths resolve into the engine fixtures. */
const SOURCE = engineFixture('policies.json');
const CONFTEST_INSTALL =
  'go install -ldflags "-X github.com/open-policy-agent/conftest/internal/version.Version=0.71.1" github.com/open-policy-agent/conftest@v0.71.1 (or run .ci/install-engines)';

const bound = (engine: string, policy: string, blockOn?: FindingLevel): PolicyDefinition => ({
  id: `${engine}.block-on`,
  enforcement: [{ engine, policy, ...(blockOn === undefined ? {} : { blockOn }) }],
});

const semgrepSkip = await engineSkipReason(createSemgrepAdapter(), SEMGREP_INSTALL);

describe.skipIf(semgrepSkip !== undefined)(`blockOn with Semgrep${semgrepSkip === undefined ? '' : ` (skipped: ${semgrepSkip})`}`, () => {
  // no-console-log is a WARNING rule; the artifact has no eval, so it is the only finding.
  const artifact = { content: 'console.log(1);\n', format: 'javascript', name: 'app.js' } as const;

  it('lets a WARNING finding warn without blockOn', async () => {
    const policy = bound('semgrep', 'semgrep/no-eval.yaml');
    const engine = await createEngine({ policies: [policy], sources: [SOURCE] });
    const decision = await engine.validate(artifact);
    expect(decision).toMatchObject({ result: 'fail', verdict: 'allow', violations: [] });
    expect(decision.warnings.map((v) => [v.constraint, v.effect, v.severity])).toEqual([['no-console-log', 'warn', 'warning']]);
  });

  it("blocks a WARNING finding with blockOn warning, with the policy's effect", async () => {
    const policy = bound('semgrep', 'semgrep/no-eval.yaml', 'warning');
    const engine = await createEngine({ policies: [policy], sources: [SOURCE] });
    const decision = await engine.validate(artifact);
    expect(decision).toMatchObject({ result: 'fail', verdict: 'deny', warnings: [] });
    expect(decision.violations.map((v) => [v.constraint, v.path, v.effect, v.severity])).toEqual([
      ['no-console-log', ['app.js', 1, 1], 'deny', 'violation'],
    ]);
  });
});

const conftestSkip = await engineSkipReason(createConftestAdapter(), CONFTEST_INSTALL);

describe.skipIf(conftestSkip !== undefined)(
  `blockOn with Conftest${conftestSkip === undefined ? '' : ` (skipped: ${conftestSkip})`}`,
  () => {
    // Runs as non-root but has no team label: only the `warn` rule fires.
    const artifact = { path: engineFixture('conftest/warn-only.json') };

    it('lets a warn rule warn without blockOn, and blocks it with blockOn warning', async () => {
      const plain = await createEngine({ policies: [bound('conftest', 'conftest/deployment.rego')], sources: [SOURCE] });
      const warned = await plain.validate(artifact);
      expect(warned).toMatchObject({ result: 'fail', verdict: 'allow', violations: [] });
      expect(warned.warnings.map((v) => [v.message, v.effect])).toEqual([['Deployment api should have a team label', 'warn']]);

      const strict = await createEngine({
        policies: [{ ...bound('conftest', 'conftest/deployment.rego', 'warning'), effect: 'escalate' }],
        sources: [SOURCE],
      });
      const blocked = await strict.validate(artifact);
      expect(blocked).toMatchObject({ result: 'fail', verdict: 'escalate', warnings: [] });
      expect(blocked.violations.map((v) => [v.constraint, v.effect, v.severity])).toEqual([
        ['data.k8s.deployment.warn', 'escalate', 'violation'],
      ]);
    });
  },
);
