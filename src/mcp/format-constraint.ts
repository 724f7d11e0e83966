import { formatExample } from '../guidance/remediation.js';
import type { ScopeQuery } from '../guidance/scope-query.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { PolicyScope } from '../types.js';
import type { ConstraintDescription } from './policy-catalog.js';

/**
 * One policy as `get_constraints` words it: a head line (id, effect, mode,
 * phase, tools), its checks, then its guidance, each on an indented line.
 */
export function formatConstraint(policy: ConstraintDescription): string[] {
  const how = policy.effect === undefined ? ['advisory (guidance only, never evaluated)'] : [policy.effect, policy.mode ?? 'enforce'];
  const lines = [[policy.id, ...how, policy.phase, `tools: ${policy.tools.join(', ')}`].join('  ')];
  if (policy.title !== undefined) lines.push(`  ${policy.title}`);
  if (policy.deprecated === true)
    lines.push(`  DEPRECATED${policy.successor === undefined ? '' : `: replaced by ${policy.successor}`} (still served and enforced)`);
  const about = [
    `severity ${policy.severity}`,
    ...(policy.category === undefined ? [] : [`category ${policy.category}`]),
    ...(policy.version === undefined ? [] : [`version ${policy.version}`]),
    ...(policy.owner === undefined ? [] : [`owner ${policy.owner}`]),
  ];
  lines.push(`  ${about.join(', ')}`);
  if (policy.intent !== undefined) lines.push(`  intent: ${policy.intent}`);
  if (policy.description !== undefined) lines.push(`  ${policy.description}`);
  if (policy.scope !== undefined) lines.push(`  scope: ${formatScopeQuery(policy.scope)}`);
  if (policy.when !== undefined) lines.push(`  applies when: ${policy.when}`);
  if (policy.require !== undefined) lines.push(`  requires: ${policy.require.join(', ')}`);
  if (policy.assert !== undefined) lines.push(`  asserts: ${policy.assert}`);
  if (policy.rewrites !== undefined) lines.push(`  rewrites: ${policy.rewrites.join('; ')}`);
  if (policy.shape !== undefined) lines.push('  shape:', ...policy.shape.map((line) => `    ${line}`));
  if (policy.shapesFile !== undefined) lines.push(`  shapes file: ${policy.shapesFile} (hand-written SHACL)`);
  if (policy.enforcement !== undefined) lines.push(`  enforced by: ${policy.enforcement.join('; ')}`);
  if (policy.artifacts !== undefined) lines.push(`  artifacts: ${policy.artifacts.join(', ')}`);
  if (policy.violatedWhenApplies === true) lines.push('  violated whenever it applies');
  if (policy.message !== undefined) lines.push(`  message: ${policy.message}`);
  const guidance = policy.guidance;
  if (guidance?.do !== undefined) lines.push(`  do: ${guidance.do.join('; ')}`);
  if (guidance?.dont !== undefined) lines.push(`  don't: ${guidance.dont.join('; ')}`);
  if (guidance?.exampleCompliant !== undefined) lines.push(...indent(`compliant example${formatExample(guidance.exampleCompliant)}`));
  if (guidance?.exampleNoncompliant !== undefined)
    lines.push(...indent(`non-compliant example${formatExample(guidance.exampleNoncompliant)}`));
  return lines;
}

/**
 * A scope or scope query as `providers: aws; relationship.differentDomain: true`,
 * its values escaped: a query's values come from the agent, and must not forge lines.
 */
export function formatScopeQuery(scope: ScopeQuery | PolicyScope): string {
  const { relationship, ...lists } = scope;
  const entries: [string, unknown][] = [
    ...Object.entries(lists),
    ...Object.entries(relationship ?? {}).map(([name, value]): [string, unknown] => [`relationship.${name}`, value]),
  ];
  if (entries.length === 0) return '(any)';
  return entries
    .map(([name, value]) => `${name}: ${escapeTerminalText(Array.isArray(value) ? value.join(', ') : String(value))}`)
    .join('; ');
}

/** A label and its text, with every line after the first (a code example's) indented under it. */
function indent(text: string): string[] {
  const [first = '', ...rest] = text.split('\n');
  return [`  ${first}`, ...rest.map((line) => `    ${line}`)];
}
