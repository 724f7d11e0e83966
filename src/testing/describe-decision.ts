import type { ShownDecision, ShownError, ShownRewrite, ShownViolation } from './shown-decision.js';

/** One titled list of the decision's contents: `violations (2):` then one line each, or `violations: none`. */
function section(title: string, lines: readonly string[]): string {
  return lines.length === 0 ? `${title}: none` : [`${title} (${lines.length}):`, ...lines.map((line) => `  - ${line}`)].join('\n');
}

/** One line per violation: policy, field, message, effect. */
function violationLine({ policyId, path, message, effect }: ShownViolation): string {
  return `policy ${JSON.stringify(policyId)} at ${path}: ${message} [${effect}]`;
}

/** One line per rewrite: policy, op, field, the value written, and whether it changed the action. */
function rewriteLine({ policyId, op, path, value, applied }: ShownRewrite): string {
  const written = value === undefined ? '' : ` = ${value}`;
  return `policy ${JSON.stringify(policyId)} ${op} at ${path}${written} [${applied ? 'applied' : 'proposed by a monitored policy, not applied'}]`;
}

/** One line per evaluation error: code, policy, message. */
function errorLine({ code, message, policyId }: ShownError): string {
  return `${code}${policyId === undefined ? '' : ` in policy ${JSON.stringify(policyId)}`}: ${message}`;
}

/** The whole decision as the failure messages show it: verdict, violations, warnings, errors and rewrites. */
export function describeDecision(decision: ShownDecision): string {
  const escalated =
    decision.escalatedBy === undefined || decision.escalatedBy.length === 0 ? '' : ` (approval asked by ${policies(decision.escalatedBy)})`;
  return [
    `verdict: ${decision.verdict}${escalated}`,
    section('violations', decision.violations.map(violationLine)),
    section('warnings', decision.warnings.map(violationLine)),
    section('errors', decision.errors.map(errorLine)),
    ...(decision.rewrites === undefined ? [] : [section('rewrites', decision.rewrites.map(rewriteLine))]),
  ].join('\n');
}

/** Policy ids as the messages name them: `policy "a", policy "b"`. */
export function policies(ids: readonly string[]): string {
  return ids.map((id) => `policy ${JSON.stringify(id)}`).join(', ');
}
