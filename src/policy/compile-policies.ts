import { compilePolicy } from './compile-policy.js';
import type { CompiledPolicy } from './compile-policy.js';
import { compileGlob } from '../glob/compile-glob.js';
import { GlobSyntaxError } from '../glob/glob-to-regex.js';
import { findRewriteConflicts } from '../rewrite/rewrite-conflicts.js';
import { TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { PolicyDefinition } from '../types.js';
import { DefinitionIssue } from '../definition-issue.js';
import { invalidPolicy, policyLabel, throwIfInvalid } from './invalid-policy.js';
import { findTooDeep, validateDefinition } from './check-definition-schema.js';
import { describeThrown } from '../describe-thrown.js';
import { checkSeverity, checkSuccessors } from './check-severity.js';
import { withoutSchemaKey } from './schema-key.js';

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
  const failures: TierguardError<'INVALID_POLICY'>[] = [];
  const compiled: CompiledPolicy[] = [];
  const firstIndexOfId = new Map<string, number>();
  definitions.forEach((raw: unknown, index) => {
    // Everything below reads a private copy, taken once: a getter or Proxy in the
    // caller's object cannot answer one way to validation and another to the
    // compiler, and what is validated is exactly what is compiled and versioned.
    let definition: unknown;
    try {
      // `$schema` is an editor hint: it must not reach the compiled definition or the set's hash.
      definition = withoutSchemaKey(copyOf(raw, limits));
    } catch (error) {
      failures.push(invalidPolicy(safeLabel(raw, index), index, [error instanceof DefinitionIssue ? error : unreadable(error)]));
      return;
    }
    const label = policyLabel(definition, index);
    const issues = validateDefinition(definition);
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
      checkSeverity(policy);
      compiled.push(compilePolicy(deepFreeze(policy), index, limits));
    } catch (error) {
      if (!(error instanceof DefinitionIssue)) throw error;
      failures.push(invalidPolicy(label, index, [error]));
    }
  });
  // Conflicts are between policies, so they are found once the set is compiled,
  // and reported on the later policy of each pair, in policy order with the rest.
  for (const { policy, issues } of findRewriteConflicts(compiled)) {
    failures.push(invalidPolicy(policyLabel(policy.definition, policy.index), policy.index, issues));
  }
  const definitionsCompiled = compiled.map((policy) => policy.definition);
  for (const { index, issue } of checkSuccessors(definitionsCompiled)) {
    const policy = compiled[index] as CompiledPolicy;
    failures.push(invalidPolicy(policyLabel(policy.definition, policy.index), policy.index, [issue]));
  }
  failures.sort((left, right) => policyIndexOf(left) - policyIndexOf(right));
  throwIfInvalid(failures);
  return compiled;
}

function policyIndexOf(failure: TierguardError<'INVALID_POLICY'>): number {
  return failure.details.policyIndex ?? 0;
}

// One structured clone, so every later step reads the same values (a getter in
// the caller's object is read once); it also refuses functions, symbols and
// Proxies. Cloning recurses, so a hostile nesting can overflow it: the depth is
// then measured on the original, to say so plainly.
function copyOf(raw: unknown, limits: Limits): unknown {
  let copy: unknown;
  try {
    copy = structuredClone(raw);
  } catch (error) {
    if (error instanceof RangeError) throwIfTooDeep(raw, limits);
    throw error;
  }
  throwIfTooDeep(copy, limits);
  return copy;
}

function throwIfTooDeep(value: unknown, limits: Limits): void {
  const tooDeep = findTooDeep(value, limits.maxDepth);
  if (tooDeep !== undefined) {
    throw new DefinitionIssue(
      tooDeep,
      `nesting of at most ${limits.maxDepth} levels`,
      `nested deeper than limits.maxDepth (${limits.maxDepth})`,
    );
  }
}

// The label for a policy that could not be copied: by id where even that can be read.
function safeLabel(raw: unknown, index: number): string {
  try {
    return policyLabel(raw, index);
  } catch {
    return `policy #${index} (no valid id)`;
  }
}

function unreadable(error: unknown): DefinitionIssue {
  return new DefinitionIssue('', 'plain JSON data', `cannot be read as JSON data: ${describeThrown(error)}`);
}

function checkToolPatterns(policy: PolicyDefinition, limits: Limits): void {
  policy.tools?.forEach((pattern, position) => {
    const pointer = `/tools/${position}`;
    if (pattern.length > limits.maxPatternLength) {
      throw new DefinitionIssue(pointer, `a pattern of at most ${limits.maxPatternLength} characters`);
    }
    try {
      compileGlob(pattern, limits);
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
