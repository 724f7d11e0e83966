import { lintPolicies, type LintOptions } from '../../../src/lint/lint-policies.js';
import type { LintFinding } from '../../../src/lint/lint-finding.js';
import type { LintRuleId } from '../../../src/lint/lint-rules.js';

/** The findings of one rule, as `lintPolicies` reports them. */
export function findingsOf(rule: LintRuleId, policies: readonly unknown[], options: LintOptions = {}): LintFinding[] {
  return lintPolicies(policies, options).filter((finding) => finding.rule === rule);
}

/** `policyId pointer` of each finding: what a test usually pins down. */
export function where(findings: readonly LintFinding[]): string[] {
  return findings.map((finding) => `${finding.policyId} ${finding.pointer}`);
}
