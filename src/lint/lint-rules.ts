/** How much a lint finding matters: an `error` fails `tierguard lint` (exit 1); a `warning` is printed and does not. */
export type LintSeverity = 'error' | 'warning';

/** The names of the lint rules, in the order they run and are documented. */
export const LINT_RULE_IDS = Object.freeze([
  'unreachable-tools',
  'unknown-field',
  'never-applies',
  'always-violated',
  'shadowed-policy',
  'conflicting-rewrites',
  'unfilled-placeholder',
  'unused-message',
] as const);

/** A lint rule's name; each finding carries one. */
export type LintRuleId = (typeof LINT_RULE_IDS)[number];

/** What a lint rule reports, and how much it matters. */
export interface LintRuleInfo {
  /** Every finding of the rule has this severity. */
  readonly severity: LintSeverity;
  /** What the rule finds, in a sentence. */
  readonly summary: string;
}

/**
 * The lint rules: one table, so a rule's severity is stated once. Errors are the
 * findings that let an action through a policy meant to judge it (a policy that
 * never applies, a field it can never read) or that leave the set saying two
 * things at once; warnings are policies that do less than they seem to.
 */
export const LINT_RULES: Readonly<Record<LintRuleId, LintRuleInfo>> = Object.freeze({
  'unreachable-tools': {
    severity: 'error',
    summary: 'a tools pattern selects no tool the sample actions call or the tool schemas list, so the policy never applies',
  },
  'unknown-field': {
    severity: 'error',
    summary:
      'a field the policy reads or rewrites is in no sample action it applies to, or in no tool schema: every comparison over it is false',
  },
  'never-applies': {
    severity: 'error',
    summary:
      'the when can never hold (contradicting comparisons, in [], a value the tool schema rules out, a tool the tools patterns leave out)',
  },
  'always-violated': {
    severity: 'warning',
    summary: 'the assert can never hold where the policy applies, so every action it applies to violates it',
  },
  'shadowed-policy': {
    severity: 'warning',
    summary:
      'another policy applies wherever this one does and is violated, as strongly, whenever this one is: this one never changes a verdict',
  },
  'conflicting-rewrites': {
    severity: 'error',
    summary: 'two rewrites of the same field on tools that meet give it different values, so one of them never has its effect',
  },
  'unfilled-placeholder': {
    severity: 'warning',
    summary: 'the message has brace text that is no placeholder, or a placeholder with no value to fill it, and shows it as written',
  },
  'unused-message': {
    severity: 'warning',
    summary: 'the policy has a message but no auto-tier check, so no violation ever uses it',
  },
});
