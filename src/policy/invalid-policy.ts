import { TierguardError } from '../errors.js';
import { renderValue } from '../render-value.js';
import type { DefinitionIssue } from '../definition-issue.js';
import { didYouMean } from '../did-you-mean.js';

/** How a policy is named in messages: by id when it has a usable one, else by position. */
export function policyLabel(definition: unknown, index: number): string {
  const id = typeof definition === 'object' && definition !== null ? (definition as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length > 0 ? `policy "${id}"` : `policy #${index} (no valid id)`;
}

/**
 * The error for a policy that cannot be compiled. Its message names the policy and
 * each JSON pointer with what was expected there, and the nearest allowed names
 * for a misspelt key or operator; `details.issues` holds the same as data, so
 * tools can point an editor at the exact key.
 */
export function invalidPolicy(label: string, index: number, issues: readonly DefinitionIssue[]): TierguardError<'INVALID_POLICY'> {
  const lines = issues.map((issue) => {
    const got = issue.actual === undefined ? '' : ` (got ${renderValue(issue.actual)})`;
    return `${issue.pointer || '/'}: ${issue.message}${got}${didYouMean(issue.suggestions)}`;
  });
  const message = lines.length === 1 ? `${label} ${lines[0] ?? ''}` : `${label} is invalid:\n  ${lines.join('\n  ')}`;
  return new TierguardError('INVALID_POLICY', message, {
    policy: label,
    policyIndex: index,
    issues: issues.map(({ pointer, expected, message: text, actual, suggestions }) => ({
      pointer,
      expected,
      message: text,
      actual,
      ...(suggestions.length === 0 ? {} : { suggestions: [...suggestions] }),
    })),
  });
}

/**
 * Throws the invalid policies of a set as one error: the single policy's own
 * error, or one `INVALID_POLICY` listing all of them (each in `details.errors`).
 */
export function throwIfInvalid(failures: readonly TierguardError<'INVALID_POLICY'>[]): void {
  const [first] = failures;
  if (first === undefined) return;
  if (failures.length === 1) throw first;
  throw new TierguardError(
    'INVALID_POLICY',
    `${failures.length} policies are invalid:\n${failures.map((failure) => failure.message).join('\n')}`,
    { errors: failures.map((failure) => failure.details) },
  );
}
