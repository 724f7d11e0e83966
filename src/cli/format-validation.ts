import { formatPath } from '../format-path.js';
import type { ValidationDecision, Violation } from '../types.js';

/**
 * A validation for a terminal, in the style of `formatDecision`: the outcome
 * line, then each engine verdict with its violations (`x` blocks, `?` asks for
 * approval, `~` monitored, `!` warning) or its error, then errors that belong to
 * no engine (an unusable artifact), and a one-line summary.
 */
export function formatValidation(decision: ValidationDecision): string {
  const lines = [`${decision.outcome}  ${decision.action.tool}  (policies ${decision.policyVersion.slice(0, 19)})`];
  const markers = new Map<Violation, string>();
  for (const violation of decision.violations) markers.set(violation, violation.effect === 'escalate' ? '?' : 'x');
  for (const violation of [...decision.wouldDeny, ...decision.wouldEscalate]) markers.set(violation, '~');
  for (const violation of decision.warnings) markers.set(violation, '!');
  for (const verdict of decision.engines) {
    const error = verdict.error === undefined ? '' : `  ${verdict.error.code}  ${verdict.error.message}`;
    lines.push(`  ${verdict.verdict}  ${verdict.engine} ${verdict.policy}${error}`);
    for (const violation of verdict.violations) {
      lines.push(`    ${markers.get(violation) ?? '-'} ${violation.policyId}  ${violation.constraint}  ${formatPath(violation.path)}  ${violation.message}`);
    }
  }
  for (const error of decision.errors) {
    if (error.policyId === undefined) lines.push(`  E (artifact)  ${error.code}  ${error.message}`);
  }
  lines.push(summary(decision));
  return lines.join('\n');
}

function summary(decision: ValidationDecision): string {
  const count = (verdict: string): number => decision.engines.filter((engine) => engine.verdict === verdict).length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const findings = decision.engines.reduce((total, engine) => total + engine.violations.length, 0);
  const engines = `${plural(decision.engines.length, 'engine run')}: ${count('pass')} pass, ${count('fail')} fail, ${count('error')} error`;
  return `${decision.result}: ${engines}; ${plural(findings, 'finding')}; verdict ${decision.verdict}`;
}
