import { renderValue } from '../render-value.js';
import { projectDecision } from '../decision-projection.js';
import type { ViolationList } from '../decision-projection.js';
import { formatPath } from '../format-path.js';
import { escapeTerminalText as shown } from '../terminal-text.js';
import type { Decision, Violation } from '../types.js';

/** The mark of a violation's line: `x` blocks, `?` asks for approval, `~` monitored, `!` warning. */
const MARKERS: Readonly<Record<ViolationList, (violation: Violation) => string>> = {
  violations: (violation) => (violation.effect === 'escalate' ? '?' : 'x'),
  wouldDeny: () => '~',
  wouldEscalate: () => '~',
  warnings: () => '!',
};

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
  const shownDecision = projectDecision(decision, {
    violation: (violation, list) => formatViolation(MARKERS[list](violation), violation),
    error: (error) => `  E ${shown(error.policyId ?? '(action)')}  ${shown(error.code)}  ${shown(error.message)}`,
    rewrite: (rewrite) => {
      const value = rewrite.value === undefined ? '' : ` ${shown(renderValue(rewrite.value))}`;
      const where = `${shown(rewrite.policyId)}  ${shown(formatPath(rewrite.path))}  ${shown(rewrite.op)}`;
      return `  ${rewrite.applied ? 'r' : '~'} ${where}${value}${rewrite.applied ? '' : ' (proposed)'}`;
    },
  });
  const { outcome, violations, wouldDeny, wouldEscalate, warnings, rewrites, errors, policyVersion } = shownDecision;
  const head = `${outcome}  ${shown(typeof tool === 'string' ? tool : renderValue(tool))}  (policies ${policyVersion.slice(0, 19)})`;
  return [head, ...violations, ...wouldDeny, ...wouldEscalate, ...warnings, ...rewrites, ...errors].join('\n');
}
