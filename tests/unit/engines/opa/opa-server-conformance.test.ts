import { afterAll, describe, it } from 'vitest';
import { createOpaServerAdapter } from '../../../../src/engines/opa/opa-server-adapter.js';
import { engineConformanceCases } from '../../../../src/engines/testing/conformance.js';
import { INSTALL_OPA, S3_BINDING, fixture } from './fixtures.js';
import { freePort, startOpaServer } from './opa-server.js';

// Started at module level, before the cases are made, since the suite asks available() first.
const server = await startOpaServer();
const nobody = `http://127.0.0.1:${await freePort()}`;
afterAll(() => server?.stop());

const cases = await engineConformanceCases({
  create: () => createOpaServerAdapter({ url: server?.url ?? nobody }),
  // Nothing listens there: the server mode's "missing binary" is a server that is not running.
  createWithMissingEngine: () => createOpaServerAdapter({ url: nobody }),
  binding: S3_BINDING,
  pass: { path: fixture('s3-pass.json') },
  fail: { path: fixture('s3-fail.json') },
  install: `${INSTALL_OPA}; the tests start "opa run --server" themselves`,
});

describe('opa server adapter: engine conformance suite', () => {
  for (const c of cases) it.skipIf(c.skip !== undefined)(c.skip === undefined ? c.name : `${c.name} (skipped: ${c.skip})`, c.run);
});
