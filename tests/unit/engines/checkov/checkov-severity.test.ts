import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKOV_TESTED_VERSION, createCheckovAdapter } from '../../../../src/engines/checkov/checkov-adapter.js';
import { checkovSeverityLevel, readCheckovSummary } from '../../../../src/engines/checkov/checkov-summary.js';
import { engineSkipReason } from '../support.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/checkov/${name}`, import.meta.url));

describe('checkov severities as finding levels', () => {
  it('maps CRITICAL and HIGH to error, MEDIUM and LOW to warning, INFO and anything else to note', () => {
    const levels = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO', 'NONE', 'high', 'BOGUS'].map(checkovSeverityLevel);
    expect(levels).toEqual(['error', 'error', 'warning', 'warning', 'note', 'note', 'error', 'note']);
  });

  it('reads the severities of failed checks from the JSON report, skipping checks without one', () => {
    const report = {
      check_type: 'terraform',
      results: {
        failed_checks: [
          { check_id: 'CKV_A', severity: 'LOW' },
          { check_id: 'CKV_B', severity: null },
          { check_id: 'CKV_A', severity: 'HIGH' },
          'not a check',
        ],
      },
      summary: { passed: 0, failed: 3, skipped: 0, parsing_errors: 0 },
    };
    const read = readCheckovSummary(JSON.stringify([report]));
    expect(read.ok && [...read.summary.severities]).toEqual([['CKV_A', 'LOW']]);
  });
});

const checkov = createCheckovAdapter();
const skip = await engineSkipReason(checkov, `pip install checkov==${CHECKOV_TESTED_VERSION} (or run .ci/install-engines)`);

describe.skipIf(skip !== undefined)(`checkov severities${skip === undefined ? '' : ` (skipped: ${skip})`}`, { timeout: 180_000 }, () => {
  it('gives each failed check the level of its severity, keeping INFO as a note and a check without one at error', async () => {
    const verdict = await checkov.evaluate(
      { path: fixture('fail.tf') },
      { engine: 'checkov', policy: fixture('severity/severity.checkov.yaml'), policyId: 'sev' },
    );
    expect(verdict.verdict).toBe('fail');
    const byCheck = Object.fromEntries(verdict.violations.map((v) => [v.constraint, `${v.effect}:${v.severity}`]));
    expect(byCheck).toEqual({
      CKV_AWS_20: 'deny:violation',
      CKV2_TG_SEV_CRITICAL: 'deny:violation',
      CKV2_TG_SEV_HIGH: 'deny:violation',
      CKV2_TG_SEV_MEDIUM: 'warn:warning',
      CKV2_TG_SEV_LOW: 'warn:warning',
      CKV2_TG_SEV_INFO: 'warn:info',
    });
  });
});
