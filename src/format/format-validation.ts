import { formatPath } from '../format-path.js';
import { escapeTerminalText as shown } from '../terminal-text.js';
import type { ValidationDecision, Violation } from '../types.js';

/**
 * A validation for a terminal, in the style of `formatDecision`: the outcome
 * line, then each engine verdict with its violations (`x` blocks, `?` asks for
 * approval, `~` monitored, `!` warning) or its error, then errors that belong to
 * no engine (an unusable artifact), and a one-line summary. Values from the
 * artifact, policies and engines are escaped, as in `formatDecision`.
 */
export function formatValidation(decision: ValidationDecision): string {
  const lines = [`${decision.outcome}  ${shown(decision.action.tool)}  (policies ${decision.policyVersion.slice(0, 19)})`];
  const markers = new Map<Violation, string>();
  for (const violation of decision.violations) markers.set(violation, violation.effect === 'escalate' ? '?' : 'x');
  for (const violation of [...decision.wouldDeny, ...decision.wouldEscalate]) markers.set(violation, '~');
  for (const violation of decision.warnings) markers.set(violation, '!');
  for (const verdict of decision.engines) {
    const error = verdict.verdict === 'error' ? `  ${shown(verdict.error.code)}  ${shown(verdict.error.message)}` : '';
    lines.push(`  ${verdict.verdict}  ${shown(verdict.engine)} ${shown(verdict.policy)}${error}`);
    for (const violation of verdict.violations) {
      const { where, message } = placeOf(violation);
      lines.push(
        `    ${markers.get(violation) ?? '-'} ${shown(violation.policyId)}  ${shown(violation.constraint)}  ${shown(where)}${shown(message)}`,
      );
    }
  }
  for (const error of decision.errors) {
    if (error.policyId === undefined) lines.push(`  E (artifact)  ${shown(error.code)}  ${shown(error.message)}`);
  }
  lines.push(summary(decision));
  return lines.join('\n');
}

/**
 * Where a finding is, shown once. A source location (`[file, line, column]`, as
 * SARIF engines report it) reads `file:3:20`, and its message, which starts with
 * the same location for readers of the message alone, loses that prefix here. A
 * path into a JSON artifact reads as a path; no path shows nothing.
 */
function placeOf(violation: Violation): { where: string; message: string } {
  const { path, message } = violation;
  if (path.length === 0) return { where: '', message };
  const [file, ...position] = path;
  if (typeof file === 'string' && position.length <= 2 && position.every((part) => typeof part === 'number')) {
    const location = path.join(':');
    if (message.startsWith(`${location}: `)) return { where: `${location}  `, message: message.slice(location.length + 2) };
  }
  return { where: `${formatPath(path)}  `, message };
}

function summary(decision: ValidationDecision): string {
  const count = (verdict: string): number => decision.engines.filter((engine) => engine.verdict === verdict).length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const findings = decision.engines.reduce((total, engine) => total + engine.violations.length, 0);
  const engines = `${plural(decision.engines.length, 'engine run')}: ${count('pass')} pass, ${count('fail')} fail, ${count('error')} error`;
  return `${decision.result}: ${engines}; ${plural(findings, 'finding')}; verdict ${decision.verdict}`;
}
