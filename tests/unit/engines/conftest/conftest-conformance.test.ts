import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { CONFTEST_TESTED_VERSION, createConftestAdapter } from '../../../../src/engines/conftest/conftest-adapter.js';
import { engineConformanceCases } from '../../../../src/engines/testing/conformance.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/conftest/${name}`, import.meta.url));

const cases = await engineConformanceCases({
  create: () => createConftestAdapter(),
  createWithMissingEngine: () => createConftestAdapter({ command: 'tierguard-no-such-conftest' }),
  binding: { engine: 'conftest', policy: fixture('deployment.rego'), policyId: 'k8s.non-root' },
  pass: { path: fixture('pass.yaml') },
  fail: { path: fixture('fail.yaml') },
  install: `go install github.com/open-policy-agent/conftest@v${CONFTEST_TESTED_VERSION} (or run .ci/install-engines)`,
});

describe('conftest adapter: engine conformance suite', () => {
  for (const c of cases) it.skipIf(c.skip !== undefined)(c.skip === undefined ? c.name : `${c.name} (skipped: ${c.skip})`, c.run);
});
