import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicyDefinition } from '../../../src/index.js';

/** The validate fixtures: policies, the engine policies they bind, and artifacts. */
export const FIXTURES = fileURLToPath(new URL('../../fixtures/enforcement/', import.meta.url));

/** An artifact fixture's path. */
export const artifact = (name: string): string => join(FIXTURES, 'artifacts', name);

/** Where inline test policies pretend to come from, so their `policy` paths resolve as the fixture policies' do. */
export const INLINE_SOURCE = join(FIXTURES, 'policies', 'inline.json');

/** The sources option for inline policies: each resolved from the fixture policies directory. */
export const sourcesFor = (policies: readonly PolicyDefinition[]): string[] => policies.map(() => INLINE_SOURCE);

/** A policy binding OPA to the public-bucket rule. */
export const S3_POLICY: PolicyDefinition = {
  id: 's3.no-public',
  enforcement: [{ engine: 'opa', policy: '../engine-policies/s3.rego', query: 'data.s3.deny' }],
};

/** A policy binding OPA to a directory of rules (owner tag, bucket count). */
export const OWNED_POLICY: PolicyDefinition = {
  id: 's3.owned',
  enforcement: [{ engine: 'opa', policy: '../engine-policies/bucket-rules', query: 'data.buckets.deny' }],
};

/** A policy binding Semgrep to the no-eval rule. */
export const NO_EVAL_POLICY: PolicyDefinition = {
  id: 'code.no-eval',
  enforcement: [{ engine: 'semgrep', policy: '../engine-policies/no-eval.yaml' }],
};

/** What to install for the OPA tests. */
export const OPA_INSTALL = 'go install github.com/open-policy-agent/opa@v1.22.2 (or run .ci/install-engines)';

/** What to install for the Semgrep tests. */
export const SEMGREP_INSTALL = 'pip install semgrep==1.180.0 (or run .ci/install-engines)';
