import type { CompiledRewrite } from '../rewrite/compile-rewrites.js';
import { compileRewrites } from '../rewrite/compile-rewrites.js';
import type { Limits } from '../limits.js';
import type { FieldReader } from '../path/field-reader.js';
import { compileFieldReader } from '../path/field-reader.js';
import { DefinitionIssue } from '../definition-issue.js';
import type { Action, Effect, Phase, PolicyDefinition, PredicateDefinition, Violation } from '../types.js';
import type { CompiledPredicate, Failure } from '../predicate/compile-predicate.js';
import { compileFieldAt } from '../predicate/compile-field.js';
import { compilePredicate } from '../predicate/compile-predicate.js';
import type { TemplateValues } from '../predicate/message-template.js';
import { compileMessageTemplate } from '../predicate/message-template.js';
import type { PolicyParts } from './policy-parts.js';
import { policyParts } from './policy-parts.js';
import { effectOf } from './policy-effect.js';

/** A policy's auto tier, compiled once. */
export interface CompiledPolicy {
  /** The policy id. */
  readonly id: string;
  /** Position in the policy set; violations are reported in this order. */
  readonly index: number;
  /** What a violation does. */
  readonly effect: Effect;
  /** Tool patterns, or `undefined` for every tool. */
  readonly tools: readonly string[] | undefined;
  /** The definition it was compiled from (frozen). */
  readonly definition: PolicyDefinition;
  /** Which tiers and engines it uses (frozen), so no caller derives them again from `definition`. */
  readonly parts: PolicyParts;
  /** True when the policy's `when` holds (or it has none): the tool match is the index's job. */
  readonly applies: (action: Action) => boolean;
  /** True when the policy is not violated: it does not apply, or it passes. One call on the hot path. */
  readonly satisfied: (action: Action) => boolean;
  /** The violations for an action that does not pass; `tool` is the action's tool, read once by the caller. */
  readonly explain: (action: Action, tool: string) => Violation[];
  /** What the policy judges: the proposed action (`request`) or a tool's result (`response`). */
  readonly phase: Phase;
  /** Orders its rewrites against other policies' on the same field: higher first. */
  readonly priority: number;
  /**
   * Applies the policy's rewrites, for an action its tools match and its `when`
   * holds for (`applies`); `undefined` when it has none. Never mutates the action;
   * may throw (a hostile getter), which is an evaluation error of the policy.
   */
  readonly rewrite: CompiledRewrite | undefined;
}

/**
 * Compiles one schema-valid definition. Throws {@link DefinitionIssue} for what
 * the schema cannot check (operator values, paths, patterns, placeholders).
 */
export function compilePolicy(definition: PolicyDefinition, index: number, limits: Limits): CompiledPolicy {
  const effect = effectOf(definition);
  const phase = definition.on ?? 'request';
  const parts = policyParts(definition);
  if (phase === 'response' && parts.formal.length > 0) {
    throw new DefinitionIssue(
      '/on',
      'request, for a policy with shape or shapesFile',
      'the formal tier judges requests only: a policy with shape or shapesFile cannot be on response',
      phase,
    );
  }
  const when = definition.when && compilePredicate(definition.when, '/when', limits);
  const assertion = definition.assert && compilePredicate(definition.assert, '/assert', limits);
  const required = (definition.require ?? []).map((path, position) => compileFieldAt(path, `/require/${position}`));
  const render = definition.message === undefined ? undefined : compileMessageTemplate(definition.message, '/message');
  const rewrite = definition.rewrite && compileRewrites(definition.rewrite, { id: definition.id, effect }, limits);
  // A policy whose only checks are formal (a shape) passes the auto tier, and so
  // does one that only rewrites; one with no checks and no rewrites is violated
  // whenever it applies. An engine-only policy never reaches the auto tier
  // (createEngine leaves it out of evaluate); if it did, it would fail closed.
  const assertsNothing = parts.assertsNothing || parts.engineOnly;

  const toViolation = (tool: string, failure: Failure): Violation => {
    const values: TemplateValues = {
      policy: definition.id,
      tool,
      field: failure.field,
      op: failure.constraint,
      expected: failure.expected,
      actual: failure.actual,
    };
    return {
      policyId: definition.id,
      tier: 'auto',
      constraint: failure.constraint,
      path: failure.path,
      message: render ? render(values) : failure.reason,
      expected: failure.expected,
      ...(failure.actual === undefined ? {} : { actual: failure.actual }),
      effect,
      severity: effect === 'warn' ? 'warning' : 'violation',
    };
  };

  const passes = passesWhen(assertsNothing, required, assertion);
  const explainApplies = compileAppliesFailure(definition, when);
  return {
    id: definition.id,
    index,
    effect,
    tools: definition.tools,
    definition,
    parts,
    applies: when ? (action) => when.test(action) : () => true,
    satisfied: when ? (action) => !when.test(action) || passes(action) : passes,
    explain: (action, tool) => {
      const failures = assertsNothing ? [explainApplies(action, tool)] : explainFailures(action, required, assertion);
      return failures.map((failure) => toViolation(tool, failure));
    },
    phase,
    priority: definition.priority ?? 0,
    rewrite,
  };
}

// Specialised so the common policy (an assertion, nothing required) costs one call.
function passesWhen(
  assertsNothing: boolean,
  required: readonly FieldReader[],
  assertion: CompiledPredicate | undefined,
): (action: Action) => boolean {
  if (assertsNothing) return () => false;
  if (required.length === 0) return assertion === undefined ? () => true : assertion.test;
  return (action) => {
    for (const field of required) if (!isPresentAt(field, action)) return false;
    return assertion === undefined || assertion.test(action);
  };
}

// The assertion is explained only when every required field is present: a missing
// field would otherwise be reported twice, once as required and once as compared.
function explainFailures(action: Action, required: readonly FieldReader[], assertion: CompiledPredicate | undefined): Failure[] {
  const failures: Failure[] = [];
  for (const field of required) {
    if (isPresentAt(field, action)) continue;
    const found = field.readAll(action).find(({ value }) => !isPresent(value));
    failures.push({
      constraint: 'require',
      field: field.source,
      path: found?.path ?? field.missingPath(action),
      expected: 'present',
      actual: found?.value,
      reason: `${field.source} is required`,
    });
  }
  if (failures.length === 0 && assertion !== undefined && !assertion.test(action)) assertion.explain(action, failures);
  return failures;
}

// A policy that asserts nothing is violated whenever it applies. Its violation
// points at what made it apply: the first field its `when` reads, else the tool.
// The reader is built here, once; the description is the compiled `when`'s own,
// built on first use and kept, never on every explain.
function compileAppliesFailure(
  definition: PolicyDefinition,
  when: CompiledPredicate | undefined,
): (action: Action, tool: string) => Failure {
  const field = definition.when && firstField(definition.when);
  if (when !== undefined && field !== undefined) {
    const reader = compileFieldReader(field);
    return (action) => {
      const found = reader.readAll(action)[0];
      const description = when.describe();
      return {
        constraint: 'applies',
        field,
        path: found?.path ?? [],
        expected: description,
        actual: found?.value,
        reason: `${definition.id} applies because ${description}`,
      };
    };
  }
  return (_action, tool) => ({
    constraint: 'applies',
    field: 'tool',
    path: ['tool'],
    expected: definition.tools ?? '*',
    actual: tool,
    reason: `${definition.id} forbids ${tool}`,
  });
}

function firstField(predicate: PredicateDefinition): string | undefined {
  if ('all' in predicate) return predicate.all[0] && firstField(predicate.all[0]);
  if ('any' in predicate) return predicate.any[0] && firstField(predicate.any[0]);
  if ('not' in predicate) return firstField(predicate.not);
  return predicate.field;
}

/** Present means found and not null, for `require` as for `exists`. */
function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A JSONPath is present when it yields at least one value and every value is present (its default quantifier). */
function isPresentAt(field: FieldReader, action: Action): boolean {
  if (!field.multi) return isPresent(field.read(action));
  const found = field.readValues(action);
  return found.length > 0 && found.every(isPresent);
}
