import type { GuidanceExample, PolicyGuidance } from '../types.js';

/**
 * What to change to comply, built from a policy's guidance for an agent whose
 * output violated it: its `do` and `dont` items, then its compliant example.
 * `exampleNoncompliant` is left out: the agent's own output already is one.
 * `undefined` when the guidance says none of these.
 */
export function remediationOf(guidance: PolicyGuidance | undefined): string | undefined {
  if (guidance === undefined) return undefined;
  const parts: string[] = [];
  if (guidance.do !== undefined && guidance.do.length > 0) parts.push(`Do: ${guidance.do.join('; ')}.`);
  if (guidance.dont !== undefined && guidance.dont.length > 0) parts.push(`Don't: ${guidance.dont.join('; ')}.`);
  if (guidance.exampleCompliant !== undefined) parts.push(`Compliant example${formatExample(guidance.exampleCompliant)}`);
  return parts.length === 0 ? undefined : parts.join(' ');
}

/**
 * An example as text after its label: `: <text>` for text, and for code its
 * note and language, then the code on lines of its own.
 */
export function formatExample(example: GuidanceExample): string {
  if (typeof example === 'string') return `: ${example}`;
  const about = [example.language, example.note].filter((part): part is string => part !== undefined);
  return `${about.length === 0 ? '' : ` (${about.join(': ')})`}:\n${example.code}`;
}
