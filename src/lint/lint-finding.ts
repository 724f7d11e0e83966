import type { LintRuleId, LintSeverity } from './lint-rules.js';

/** One thing `lintPolicies` found in a policy. Plain JSON, as `tierguard lint --json` prints it. */
export interface LintFinding {
  /** The rule that found it (see `LINT_RULES`). */
  readonly rule: LintRuleId;
  /** The rule's severity. */
  readonly severity: LintSeverity;
  /** The policy the finding is about. */
  readonly policyId: string;
  /** The file the policy was read from, when the caller said (`sources`). */
  readonly file?: string;
  /** JSON pointer into the policy's definition: `/when/field`, `/tools/0`, `/rewrite/1/field`; `''` for the whole policy. */
  readonly pointer: string;
  /** What is wrong, naming the policy, the field and what it was checked against. */
  readonly message: string;
  /** What to write instead, for a name that looks mistyped: the nearest field that is present, or the nearest tool name. */
  readonly suggestion?: string;
  /** The tool whose schema the finding is about, when it is about one tool. */
  readonly tool?: string;
}

/** A finding as a rule reports it: the policy by its position; severity and file are added once, from the rule table and the sources. */
export interface RuleFinding {
  readonly rule: LintRuleId;
  /** The policy's position in the set. */
  readonly index: number;
  readonly policyId: string;
  readonly pointer: string;
  readonly message: string;
  readonly suggestion?: string;
  readonly tool?: string;
}
