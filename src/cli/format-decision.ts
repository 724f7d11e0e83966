import { renderValue } from '../render-value.js';
import { formatPath } from '../format-path.js';
import type { Decision, Violation } from '../types.js';

function formatViolation(marker: string, violation: Violation): string {
  return `  ${marker} ${violation.policyId}  ${formatPath(violation.path)}  ${violation.message}`;
}

/** A decision for a terminal: the verdict line, then one line per violation, warning and error. */
export function formatDecision(decision: Decision, tool: unknown): string {
  const lines = [`${decision.verdict}  ${typeof tool === 'string' ? tool : renderValue(tool)}  (policies ${decision.policyVersion.slice(0, 19)})`];
  for (const violation of decision.violations) {
    lines.push(formatViolation(violation.effect === 'escalate' ? '?' : 'x', violation));
  }
  for (const warning of decision.warnings) lines.push(formatViolation('!', warning));
  for (const error of decision.errors) lines.push(`  E ${error.policyId ?? '(action)'}  ${error.code}  ${error.message}`);
  return lines.join('\n');
}
