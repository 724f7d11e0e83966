import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { CHECKOV_TESTED_VERSION, createCheckovAdapter } from '../../../../src/engines/checkov/checkov-adapter.js';
import { engineConformanceCases } from '../../../../src/engines/testing/conformance.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/checkov/${name}`, import.meta.url));

const cases = await engineConformanceCases({
  create: () => createCheckovAdapter(),
  createWithMissingEngine: () => createCheckovAdapter({ command: 'tierguard-no-such-checkov' }),
  binding: { engine: 'checkov', policy: fixture('s3.checkov.yaml'), policyId: 's3.not-public' },
  pass: { path: fixture('pass.tf') },
  fail: { path: fixture('fail.tf') },
  install: `pip install checkov==${CHECKOV_TESTED_VERSION} (or run .ci/install-engines)`,
});

// Each Checkov run starts a Python interpreter and loads every check: seconds, and the deterministic case makes four.
describe('checkov adapter: engine conformance suite', { timeout: 180_000 }, () => {
  for (const c of cases) it.skipIf(c.skip !== undefined)(c.skip === undefined ? c.name : `${c.name} (skipped: ${c.skip})`, c.run);
});
