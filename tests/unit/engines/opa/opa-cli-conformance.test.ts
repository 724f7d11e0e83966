import { describe, it } from 'vitest';
import { createOpaCliAdapter } from '../../../../src/engines/opa/opa-cli-adapter.js';
import { engineConformanceCases } from '../../../../src/engines/testing/conformance.js';
import { INSTALL_OPA, S3_BINDING, fixture } from './fixtures.js';

const cases = await engineConformanceCases({
  create: () => createOpaCliAdapter(),
  createWithMissingEngine: () => createOpaCliAdapter({ command: 'tierguard-no-such-opa' }),
  binding: S3_BINDING,
  pass: { path: fixture('s3-pass.json') },
  fail: { path: fixture('s3-fail.json') },
  install: INSTALL_OPA,
});

describe('opa CLI adapter: engine conformance suite', () => {
  for (const c of cases) it.skipIf(c.skip !== undefined)(c.skip === undefined ? c.name : `${c.name} (skipped: ${c.skip})`, c.run);
});
