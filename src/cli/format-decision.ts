import { renderValue } from '../render-value.js';
import { formatPath } from '../format-path.js';
import type { Decision, Violation } from '../types.js';

function formatViolation(marker: string, violation: Violation): string {
  return `  ${marker} ${violation.policyId}  ${formatPath(violation.path)}  ${violation.message}`;
}

/**
 * A decision for a terminal: the outcome line (the verdict, or `would_deny` /
 * `would_escalate` in monitor mode), then one line per violation, monitored
 * violation, warning, rewrite and error.
 */
export function formatDecision(decision: Decision, tool: unknown): string {
  const lines = [`${decision.outcome}  ${typeof tool === 'string' ? tool : renderValue(tool)}  (policies ${decision.policyVersion.slice(0, 19)})`];
  for (const violation of decision.violations) {
    lines.push(formatViolation(violation.effect === 'escalate' ? '?' : 'x', violation));
  }
  for (const violation of [...decision.wouldDeny, ...decision.wouldEscalate]) lines.push(formatViolation('~', violation));
  for (const warning of decision.warnings) lines.push(formatViolation('!', warning));
  for (const rewrite of decision.rewrites) {
    const value = rewrite.value === undefined ? '' : ` ${renderValue(rewrite.value)}`;
    lines.push(`  ${rewrite.applied ? 'r' : '~'} ${rewrite.policyId}  ${formatPath(rewrite.path)}  ${rewrite.op}${value}${rewrite.applied ? '' : ' (proposed)'}`);
  }
  for (const error of decision.errors) lines.push(`  E ${error.policyId ?? '(action)'}  ${error.code}  ${error.message}`);
  return lines.join('\n');
}
