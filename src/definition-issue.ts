/**
 * One thing wrong with a policy definition, located by JSON pointer. Compilers
 * throw it; `invalidPolicy` turns one or more into a TierguardError naming the policy.
 */
export class DefinitionIssue extends Error {
  /** JSON pointer into the policy definition (`/assert/all/1/op`). */
  readonly pointer: string;
  /** What was expected there, in words. */
  readonly expected: string;
  /** What was found, when it helps. */
  readonly actual: unknown;
  /** The allowed names nearest to a misspelt one (an unknown key or operator), nearest first; often none. */
  readonly suggestions: readonly string[];

  constructor(pointer: string, expected: string, message?: string, actual?: unknown, suggestions: readonly string[] = []) {
    super(message ?? `must be ${expected}`);
    this.name = 'DefinitionIssue';
    this.pointer = pointer;
    this.expected = expected;
    this.actual = actual;
    this.suggestions = suggestions;
  }
}
