import { describe, expect, it } from 'vitest';
import { createSemgrepAdapter } from '../../../src/engines/semgrep/semgrep-adapter.js';
import { createEngine } from '../../../src/index.js';
import { engineSkipReason } from '../engines/support.js';
import { NO_EVAL_POLICY, SEMGREP_INSTALL, artifact, sourcesFor } from './support.js';

const skip = await engineSkipReason(createSemgrepAdapter(), SEMGREP_INSTALL);

describe.skipIf(skip !== undefined)(`engine.validate with Semgrep${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it('loads the default adapter on first use when none is given, and validates files and content', async () => {
    const engine = await createEngine({ policies: [NO_EVAL_POLICY], sources: sourcesFor([NO_EVAL_POLICY]) });
    const clean = await engine.validate({ path: artifact('app-clean.js') });
    expect(clean).toMatchObject({
      result: 'pass',
      verdict: 'allow',
      engines: [{ engine: 'semgrep', policy: '../engine-policies/no-eval.yaml', verdict: 'pass' }],
    });

    const dirty = await engine.validate({ content: 'const x = "1";\neval(x);\n', format: 'javascript', name: 'gen.js' });
    expect(dirty).toMatchObject({ result: 'fail', verdict: 'deny' });
    expect(dirty.violations).toEqual([
      {
        policyId: 'code.no-eval',
        tier: 'engine',
        constraint: 'no-eval',
        path: ['gen.js', 2, 1],
        message: 'gen.js:2:1: Do not call eval(); it runs arbitrary code.',
        effect: 'deny',
        severity: 'violation',
      },
    ]);
    expect(dirty.action).toEqual({ tool: 'gen.js', kind: 'artifact' });
  });
});
