import type { Limits } from '../limits.js';
import type { FieldReader } from '../path/field-reader.js';
import { compileFieldReader } from '../path/field-reader.js';
import { describePredicate } from '../predicate/describe.js';
import type { TemplateValues } from '../predicate/message-template.js';
import { compileMessageTemplate } from '../predicate/message-template.js';
import type { Action, Effect, PathSegment, PolicyDefinition, PredicateDefinition, Violation } from '../types.js';
import type { CheckFinding, CheckResult, RequireExplanation, ValueExplanation } from './explanation.js';
import type { PredicateTracer, TraceFailure, TraceNode } from './trace-predicate.js';
import { MAX_VALUES_LISTED, tracePredicate } from './trace-predicate.js';
import type { ValueDisplay } from './value-display.js';

/** What a policy's checks (`when`, `require`, `assert`) found on the action they judge. */
export interface ChecksTraced {
  /** The `when`, when the policy has one. */
  readonly when?: TraceNode;
  /** True when the `when` holds (or there is none): the policy's checks ran. */
  readonly applies: boolean;
  readonly require?: readonly RequireExplanation[];
  readonly assert?: TraceNode;
  /** For a policy with nothing to check: violated whenever it applies. */
  readonly appliesCheck?: { readonly result: CheckResult; readonly findings?: readonly CheckFinding[] };
  /** The violations, in the engine's order, with the values the engine would report. */
  readonly violations: readonly Violation[];
  /** What evaluating the checks threw. */
  readonly thrown?: { readonly value: unknown };
}

/** One entry of a failure list, as a compiled policy would report it: with `owner` the node or entry that shows it. */
interface Reported {
  readonly failure: Omit<TraceFailure, 'owner'>;
  readonly owner: { findings?: readonly CheckFinding[] };
}

type MutableRequire = { -readonly [K in keyof RequireExplanation]: RequireExplanation[K] };

/**
 * A policy's checks compiled for explaining, from its definition: the `when`,
 * `require` and `assert` it has, its message template, and what a policy that
 * asserts nothing reports. Run on the action the engine's checks see, they give
 * the tree and the violations the engine's compiled policy gives.
 */
export class ChecksTracer {
  private readonly when: PredicateTracer | undefined;
  private readonly assertion: PredicateTracer | undefined;
  private readonly required: readonly FieldReader[];
  private readonly render: ((values: TemplateValues) => string) | undefined;
  private readonly appliesField: { readonly field: string; readonly reader: FieldReader } | undefined;

  constructor(
    private readonly definition: PolicyDefinition,
    private readonly effect: Effect,
    /** True for a policy with nothing to check or change: violated whenever it applies. */
    private readonly assertsNothing: boolean,
    limits: Limits,
  ) {
    this.when = definition.when && tracePredicate(definition.when, limits);
    this.assertion = definition.assert && tracePredicate(definition.assert, limits);
    this.required = (definition.require ?? []).map((path) => compileFieldReader(path));
    this.render = definition.message === undefined ? undefined : compileMessageTemplate(definition.message, '/message');
    const field = definition.when && firstField(definition.when);
    this.appliesField = field === undefined ? undefined : { field, reader: compileFieldReader(field) };
  }

  /** The policy's `when` alone, on an action (the rewrites' view of it). */
  whenOf(
    action: Action,
    display: ValueDisplay,
  ): { readonly node?: TraceNode; readonly holds: boolean; readonly thrown?: { readonly value: unknown } } {
    if (this.when === undefined) return { holds: true };
    const traced = this.when.run(action, false, display);
    return { node: traced.node, holds: traced.holds, ...(traced.thrown === undefined ? {} : { thrown: traced.thrown }) };
  }

  /** The tree of a policy whose checks never ran (its tools do not select the action, or it is not evaluated). */
  skipped(): ChecksTraced {
    return {
      ...(this.when === undefined ? {} : { when: this.when.skipped() }),
      applies: false,
      ...this.skippedChecks(),
      violations: [],
    };
  }

  /** Runs the checks on `action` (after every rewrite) as the engine does, for the action's `tool`. */
  run(action: Action, tool: string, display: ValueDisplay): ChecksTraced {
    const when = this.whenOf(action, display);
    const head = when.node === undefined ? {} : { when: when.node };
    if (when.thrown !== undefined) return { ...head, applies: true, ...this.skippedChecks(), violations: [], thrown: when.thrown };
    if (!when.holds) return { ...head, applies: false, ...this.skippedChecks(), violations: [] };
    if (this.assertsNothing) {
      const owner: { findings?: readonly CheckFinding[] } = {};
      const violations = this.report([{ failure: this.appliesFailure(action, tool), owner }], tool, display);
      return { ...head, applies: true, appliesCheck: { result: 'fail', ...owner }, violations };
    }
    const reported: Reported[] = [];
    const require = this.required.map((reader) => this.requireEntry(reader, action, display, reported));
    const body = require.length === 0 ? {} : { require };
    if (this.assertion === undefined) return { ...head, applies: true, ...body, violations: this.report(reported, tool, display) };
    // The assertion is checked, and explained, only once every required field is present.
    if (reported.length > 0) {
      return { ...head, applies: true, ...body, assert: this.assertion.skipped(), violations: this.report(reported, tool, display) };
    }
    const traced = this.assertion.run(action, true, display);
    const assertion = { assert: traced.node };
    if (traced.thrown !== undefined) return { ...head, applies: true, ...body, ...assertion, violations: [], thrown: traced.thrown };
    for (const failure of traced.failures) reported.push({ failure, owner: failure.owner });
    return { ...head, applies: true, ...body, ...assertion, violations: this.report(reported, tool, display) };
  }

  private skippedChecks(): Pick<ChecksTraced, 'require' | 'assert' | 'appliesCheck'> {
    return {
      ...(this.required.length === 0
        ? {}
        : { require: this.required.map((reader): RequireExplanation => ({ field: reader.source, result: 'skipped', values: [] })) }),
      ...(this.assertion === undefined ? {} : { assert: this.assertion.skipped() }),
      ...(this.assertsNothing ? { appliesCheck: { result: 'skipped' } } : {}),
    };
  }

  /** One `require` entry: present means found and not null; a JSONPath, that it yields values and none is null. */
  private requireEntry(reader: FieldReader, action: Action, display: ValueDisplay, reported: Reported[]): RequireExplanation {
    const found = reader.readAll(action);
    const present = reader.multi ? found.length > 0 && found.every(({ value }) => isPresent(value)) : isPresent(found[0]?.value);
    const values: ValueExplanation[] = found.slice(0, MAX_VALUES_LISTED).map(({ value, path }) => {
      const result: CheckResult = isPresent(value) ? 'pass' : 'fail';
      return value === null ? { path, missing: true, result } : { path, ...display.found(value, path), result };
    });
    if (found.length === 0) values.push({ path: reader.missingPath(action), missing: true, result: 'fail' });
    const entry: MutableRequire = { field: reader.source, result: present ? 'pass' : 'fail', values };
    if (found.length > MAX_VALUES_LISTED) entry.valuesOmitted = found.length - MAX_VALUES_LISTED;
    if (!present) {
      const absent = found.find(({ value }) => !isPresent(value));
      reported.push({
        failure: {
          constraint: 'require',
          field: reader.source,
          path: absent?.path ?? reader.missingPath(action),
          expected: 'present',
          actual: absent?.value,
          reason: `${reader.source} is required`,
        },
        owner: entry,
      });
    }
    return entry;
  }

  // A policy that asserts nothing points at what made it apply: the first field its `when` reads, else the tool.
  private appliesFailure(action: Action, tool: string): Omit<TraceFailure, 'owner'> {
    const { id, when, tools } = this.definition;
    if (when !== undefined && this.appliesField !== undefined) {
      const found = this.appliesField.reader.readAll(action)[0];
      const description = describePredicate(when);
      return {
        constraint: 'applies',
        field: this.appliesField.field,
        path: found?.path ?? [],
        expected: description,
        actual: found?.value,
        reason: `${id} applies because ${description}`,
      };
    }
    return { constraint: 'applies', field: 'tool', path: ['tool'], expected: tools ?? '*', actual: tool, reason: `${id} forbids ${tool}` };
  }

  /** The violations for the failures, as the compiled policy builds them; each owner shows its finding, redacted. */
  private report(reported: readonly Reported[], tool: string, display: ValueDisplay): Violation[] {
    // Gathered per owner and set once: a JSONPath can fail at every one of an action's values.
    const byOwner = new Map<Reported['owner'], CheckFinding[]>();
    const violations = reported.map(({ failure, owner }) => {
      const violation = this.violationOf(failure, tool);
      const findings = byOwner.get(owner) ?? [];
      findings.push(findingOf(violation, display));
      byOwner.set(owner, findings);
      return violation;
    });
    for (const [owner, findings] of byOwner) owner.findings = findings;
    return violations;
  }

  private violationOf(failure: Omit<TraceFailure, 'owner'>, tool: string): Violation {
    const { id } = this.definition;
    const values: TemplateValues = {
      policy: id,
      tool,
      field: failure.field,
      op: failure.constraint,
      expected: failure.expected,
      actual: failure.actual,
    };
    return {
      policyId: id,
      tier: 'auto',
      constraint: failure.constraint,
      path: failure.path,
      message: this.render ? this.render(values) : failure.reason,
      expected: failure.expected,
      ...(failure.actual === undefined ? {} : { actual: failure.actual }),
      effect: this.effect,
      severity: this.effect === 'warn' ? 'warning' : 'violation',
    };
  }
}

/** What an explanation shows of a violation at its check: where it points and its message, redacted as in audit. */
export function findingOf(violation: Violation, display: ValueDisplay): CheckFinding {
  const path: readonly PathSegment[] = [...violation.path];
  return { path, message: display.violation(violation).message };
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
