import { describe, it } from 'vitest';
import { createOpaWasmAdapter } from '../../../../src/engines/opa/opa-wasm-adapter.js';
import { engineConformanceCases } from '../../../../src/engines/testing/conformance.js';
import { INSTALL_OPA, S3_BINDING, fixture } from './fixtures.js';

// No exceptions are listed. Wasm evaluation cannot be interrupted, but the
// adapter checks the deadline before and after it and answers TIMEOUT for a
// call that ran past it; a fresh adapter's first call also compiles with
// `opa build`, which the time limit kills. The case checks that a run past its
// limit is a TIMEOUT error, which holds; that it was stopped early is not
// claimed (see the mode's own test on a slow policy).
const cases = await engineConformanceCases({
  create: () => createOpaWasmAdapter(),
  createWithMissingEngine: () => createOpaWasmAdapter({ command: 'tierguard-no-such-opa' }),
  binding: S3_BINDING,
  pass: { path: fixture('s3-pass.json') },
  fail: { path: fixture('s3-fail.json') },
  install: `${INSTALL_OPA}, and npm install @open-policy-agent/opa-wasm`,
});

describe('opa Wasm adapter: engine conformance suite', () => {
  for (const c of cases) it.skipIf(c.skip !== undefined)(c.skip === undefined ? c.name : `${c.name} (skipped: ${c.skip})`, c.run);
});
