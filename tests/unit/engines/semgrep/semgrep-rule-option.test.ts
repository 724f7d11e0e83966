import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEMGREP_TESTED_VERSION, createSemgrepAdapter } from '../../../../src/engines/semgrep/semgrep-adapter.js';
import type { EngineBinding } from '../../../../src/engines/types.js';
import { engineSkipReason } from '../support.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/semgrep/${name}`, import.meta.url));
const semgrep = createSemgrepAdapter();
const BINDING: EngineBinding = { engine: 'semgrep', policy: fixture('no-eval.yaml'), policyId: 'code.one-rule' };
const skip = await engineSkipReason(semgrep, `pip install semgrep==${SEMGREP_TESTED_VERSION} (or run .ci/install-engines)`);

describe.skipIf(skip !== undefined)(`semgrep option rule${skip === undefined ? '' : ` (skipped: ${skip})`}`, () => {
  it('keeps only the named rule’s findings from a file of several rules', async () => {
    const eval_ = await semgrep.evaluate({ path: fixture('fail.js') }, { ...BINDING, options: { rule: 'no-eval' } });
    expect(eval_.violations.map((v) => v.constraint)).toEqual(['no-eval']);
    const clean = await semgrep.evaluate(
      { content: 'eval(x);\n', format: 'javascript' },
      { ...BINDING, options: { rule: 'no-console-log' } },
    );
    expect(clean).toMatchObject({ verdict: 'pass', violations: [] });
  });

  it('is an INVALID_BINDING error for a rule the file does not have, or a value that is no rule id', async () => {
    const missing = await semgrep.evaluate({ path: fixture('fail.js') }, { ...BINDING, options: { rule: 'no-evil' } });
    expect(missing.error).toEqual({ code: 'INVALID_BINDING', message: 'semgrep option rule: the rule file has no rule "no-evil"' });
    for (const rule of ['--help', 'a,b', 7, '']) {
      const bad = await semgrep.evaluate({ path: fixture('pass.js') }, { ...BINDING, options: { rule } });
      expect(bad.error?.code).toBe('INVALID_BINDING');
    }
  });
});
