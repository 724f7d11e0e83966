import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKOV_TESTED_VERSION, createCheckovAdapter } from '../../../../src/engines/checkov/checkov-adapter.js';
import type { EngineBinding } from '../../../../src/engines/types.js';
import { engineSkipReason } from '../support.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/checkov/${name}`, import.meta.url));
const checkov = createCheckovAdapter();
const BINDING: EngineBinding = { engine: 'checkov', policy: fixture('s3.checkov.yaml'), policyId: 's3.one-check' };
const skip = await engineSkipReason(checkov, `pip install checkov==${CHECKOV_TESTED_VERSION} (or run .ci/install-engines)`);

describe.skipIf(skip !== undefined)(`checkov option check${skip === undefined ? '' : ` (skipped: ${skip})`}`, { timeout: 180_000 }, () => {
  it('runs only the named check instead of the config’s list', async () => {
    const verdict = await checkov.evaluate({ path: fixture('fail.tf') }, { ...BINDING, options: { check: 'CKV_AWS_20' } });
    expect(verdict.violations.map((v) => v.constraint)).toEqual(['CKV_AWS_20']);
  });

  it('refuses a value that is no check id before running Checkov', async () => {
    for (const check of ['CKV_AWS_20,CKV_AWS_57', '-x', ['CKV_AWS_20']]) {
      const verdict = await checkov.evaluate({ path: fixture('fail.tf') }, { ...BINDING, options: { check } });
      expect(verdict.error?.code).toBe('INVALID_BINDING');
    }
  });
});
