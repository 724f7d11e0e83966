import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { SEMGREP_TESTED_VERSION, createSemgrepAdapter } from '../../../../src/engines/semgrep/semgrep-adapter.js';
import { engineConformanceCases } from '../../../../src/engines/testing/conformance.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/semgrep/${name}`, import.meta.url));

const cases = await engineConformanceCases({
  create: () => createSemgrepAdapter(),
  createWithMissingEngine: () => createSemgrepAdapter({ command: 'tierguard-no-such-semgrep' }),
  binding: { engine: 'semgrep', policy: fixture('no-eval.yaml'), policyId: 'code.no-eval' },
  pass: { path: fixture('pass.js') },
  fail: { path: fixture('fail.js') },
  install: `pip install semgrep==${SEMGREP_TESTED_VERSION} (or run .ci/install-engines)`,
});

describe('semgrep adapter: engine conformance suite', () => {
  for (const c of cases) it.skipIf(c.skip !== undefined)(c.skip === undefined ? c.name : `${c.name} (skipped: ${c.skip})`, c.run);
});
