import { renderValue } from '../render-value.js';
import { formatPath } from '../format-path.js';
import { escapeTerminalText as shown } from '../terminal-text.js';
import type { Decision, Violation } from '../types.js';

function formatViolation(marker: string, violation: Violation): string {
  return `  ${marker} ${shown(violation.policyId)}  ${shown(formatPath(violation.path))}  ${shown(violation.message)}`;
}

/**
 * A decision for a terminal: the outcome line (the verdict, or `would_deny` /
 * `would_escalate` in monitor mode), then one line per violation, monitored
 * violation, warning, rewrite and error. Every value from the action, a policy
 * or an engine is escaped, so none can break a line or drive the terminal.
 */
export function formatDecision(decision: Decision, tool: unknown): string {
  const lines = [`${decision.outcome}  ${shown(typeof tool === 'string' ? tool : renderValue(tool))}  (policies ${decision.policyVersion.slice(0, 19)})`];
  for (const violation of decision.violations) {
    lines.push(formatViolation(violation.effect === 'escalate' ? '?' : 'x', violation));
  }
  for (const violation of [...decision.wouldDeny, ...decision.wouldEscalate]) lines.push(formatViolation('~', violation));
  for (const warning of decision.warnings) lines.push(formatViolation('!', warning));
  for (const rewrite of decision.rewrites) {
    const value = rewrite.value === undefined ? '' : ` ${shown(renderValue(rewrite.value))}`;
    const where = `${shown(rewrite.policyId)}  ${shown(formatPath(rewrite.path))}  ${shown(rewrite.op)}`;
    lines.push(`  ${rewrite.applied ? 'r' : '~'} ${where}${value}${rewrite.applied ? '' : ' (proposed)'}`);
  }
  for (const error of decision.errors) lines.push(`  E ${shown(error.policyId ?? '(action)')}  ${shown(error.code)}  ${shown(error.message)}`);
  return lines.join('\n');
}
