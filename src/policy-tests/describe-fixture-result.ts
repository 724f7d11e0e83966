import { formatPath } from '../format-path.js';
import type { FixtureResult, JudgedViolation } from './run-fixtures.js';

/**
 * What a fixture's judges said, in words, unescaped: `got deny` for an action
 * judged by tierguard alone, `got deny (opa deny)` for an artifact, `tiers
 * disagree: tierguard allow, opa deny` for a cross-check whose judges differ.
 * Every report format (text, JSON, JUnit, TAP) says it the same way; each escapes
 * it for where it goes.
 */
export function describeOutcome(result: FixtureResult): string {
  const said = result.judgements.map(({ judge, outcome }) => `${judge} ${outcome}`).join(', ');
  if (result.outcome === 'disagree') return `tiers disagree: ${said}`;
  // An action judged by tierguard alone reads as it always has.
  const tierguardOnly = result.judgements.length === 1 && result.judgements[0]?.judge === 'tierguard';
  return tierguardOnly ? `got ${result.outcome}` : `got ${result.outcome} (${said})`;
}

/** `expected deny, got allow`: a failed fixture's one line in the machine-read reports (JSON, JUnit, TAP). */
export function describeMismatch(result: FixtureResult): string {
  return `expected ${result.fixture.expected}, ${describeOutcome(result)}`;
}

/**
 * One line per finding of the named policy, unescaped: `deny  <path>  <message>`
 * for a violation (with `  [<engine> <rule>]` when an engine reported it), then
 * `error  <code>  <message>` for each evaluation error.
 */
export function describeFindings(result: FixtureResult): string[] {
  return [
    ...result.violations.map((violation) => `${violation.effect}  ${whereAndWhat(violation)}${judgedBy(violation)}`),
    ...result.errors.map((error) => `error  ${error.code}  ${error.message}`),
  ];
}

/**
 * A violation's path and message. A SARIF engine's path is `[file, line,
 * column]`, and its message already starts with `file:line:column: `: that is
 * shown once, as the location, rather than as a bracketed path and again in
 * the message.
 */
function whereAndWhat(violation: JudgedViolation): string {
  const location = `${violation.path.join(':')}: `;
  const isFileLocation = violation.judge !== 'tierguard' && typeof violation.path[1] === 'number' && violation.message.startsWith(location);
  if (isFileLocation) return `${location.slice(0, -2)}  ${violation.message.slice(location.length)}`;
  return `${formatPath(violation.path)}  ${violation.message}`;
}

// tierguard's own violations keep their old form; an engine's name the engine and its rule.
function judgedBy(violation: JudgedViolation): string {
  return violation.judge === 'tierguard' ? '' : `  [${violation.judge} ${violation.constraint}]`;
}
