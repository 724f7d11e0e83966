import { fileURLToPath } from 'node:url';
import { OPA_TESTED_VERSION } from '../../../../src/engines/opa/opa-cli-adapter.js';
import type { EngineBinding } from '../../../../src/engines/types.js';

/** A file under tests/fixtures/engines/opa. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/opa/${name}`, import.meta.url));

/** What to install for these tests, for skip messages. */
export const INSTALL_OPA = `go install github.com/open-policy-agent/opa@v${OPA_TESTED_VERSION} (or run .ci/install-engines)`;

/** The S3 policy's violations query. */
export const S3_BINDING: EngineBinding = {
  engine: 'opa',
  policy: fixture('s3.rego'),
  query: 'data.s3.deny',
  policyId: 'infra.s3-not-public',
};

/** The decisions policy, for boolean and string results. */
export const DECISIONS: EngineBinding = {
  engine: 'opa',
  policy: fixture('decisions.rego'),
  query: 'data.decisions.allow',
  policyId: 'tools.limit',
};

/** The violations the S3 policy reports for s3-fail.json, as every mode must map them. */
export const S3_FAIL_VIOLATIONS = [
  {
    policyId: 'infra.s3-not-public',
    tier: 'engine',
    constraint: 's3-owner-tag',
    path: ['resources', 'site', 'tags'],
    message: 'bucket site has no owner tag',
    effect: 'warn',
    severity: 'warning',
  },
  {
    policyId: 'infra.s3-not-public',
    tier: 'engine',
    constraint: 's3-public-acl',
    path: ['resources', 'site', 'acl'],
    message: 'bucket site has the public ACL public-read',
    effect: 'deny',
    severity: 'violation',
  },
];
