import { compilePolicy } from '../auto/compile-policy.js';
import type { CompiledPolicy } from '../auto/compile-policy.js';
import { compileGlob } from '../auto/glob/compile-glob.js';
import { GlobSyntaxError } from '../auto/glob/glob-to-regex.js';
import { TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { PolicyDefinition } from '../types.js';
import { DefinitionIssue } from './definition-issue.js';
import { invalidPolicy, policyLabel, throwIfInvalid } from './invalid-policy.js';
import { validateDefinition } from './validate-definition.js';

/**
 * Validates and compiles a policy set. Every invalid policy is reported, each
 * with all of its issues, in one TierguardError (`INVALID_POLICY`), so a user
 * fixes a file in one pass instead of one error per run. Formal parts (`shape`,
 * `shapesFile`) are schema-checked here and compiled by the formal tier.
 */
export function compilePolicies(definitions: readonly unknown[], limits: Limits): CompiledPolicy[] {
  if (!Array.isArray(definitions)) {
    throw new TierguardError('INVALID_OPTIONS', 'policies must be an array of policy definitions', { option: 'policies' });
  }
  const failures: TierguardError[] = [];
  const compiled: CompiledPolicy[] = [];
  const firstIndexOfId = new Map<string, number>();
  definitions.forEach((definition: unknown, index) => {
    const label = policyLabel(definition, index);
    const issues = validateDefinition(definition, limits);
    if (issues.length > 0) {
      failures.push(invalidPolicy(label, index, issues));
      return;
    }
    const policy = definition as PolicyDefinition;
    const earlier = firstIndexOfId.get(policy.id);
    if (earlier !== undefined) {
      failures.push(
        invalidPolicy(`${label} (#${index})`, index, [
          new DefinitionIssue('/id', 'a unique id', `duplicates the id of policy #${earlier}`, policy.id),
        ]),
      );
      return;
    }
    firstIndexOfId.set(policy.id, index);
    try {
      checkToolPatterns(policy, limits);
      compiled.push(compilePolicy(deepFreeze(structuredClone(policy)), index, limits));
    } catch (error) {
      if (!(error instanceof DefinitionIssue)) throw error;
      failures.push(invalidPolicy(label, index, [error]));
    }
  });
  throwIfInvalid(failures);
  return compiled;
}

function checkToolPatterns(policy: PolicyDefinition, limits: Limits): void {
  policy.tools?.forEach((pattern, position) => {
    const pointer = `/tools/${position}`;
    if (pattern.length > limits.maxPatternLength) {
      throw new DefinitionIssue(pointer, `a pattern of at most ${limits.maxPatternLength} characters`);
    }
    try {
      compileGlob(pattern);
    } catch (error) {
      if (error instanceof GlobSyntaxError) throw new DefinitionIssue(pointer, 'a glob pattern', error.message, pattern);
      throw error;
    }
  });
}

// Compiled policies keep their definitions for messages and listings; freezing a
// private copy means neither the caller nor a consumer can change a compiled set.
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
