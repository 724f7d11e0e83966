import type { Limits } from '../limits.js';
import type { FoundValue } from '../path/field-reader.js';
import { compileFieldReader } from '../path/field-reader.js';
import { compileFailureMessage, describePredicate } from '../predicate/describe.js';
import type { DynamicMatcher, Matcher } from '../predicate/operators/operator.js';
import { operatorNamed } from '../predicate/operators/registry.js';
import { renderValue } from '../render-value.js';
import { toEvaluationError } from '../evaluation-error.js';
import type { ComparisonDefinition, PathSegment, PredicateDefinition } from '../types.js';
import type { CheckResult, ComparisonExplanation, OperandExplanation, PredicateExplanation, ValueExplanation } from './explanation.js';
import type { ValueDisplay } from './value-display.js';

// The reference reading of a predicate, for explanations: built from the
// definition with the same path readers, operators and wording the compiled
// predicates use, and run in the order they run, so the values it shows are
// the ones the evaluation compared and a part it shows as skipped is one the
// evaluation never read (reading it could throw where the evaluation did not).

/** Most values one comparison lists; the rest are counted. Explanations stay bounded whatever a JSONPath yields. */
export const MAX_VALUES_LISTED = 20;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A node under construction: its findings are attached once the policy knows which failures became violations. */
export type TraceNode = Mutable<PredicateExplanation>;

/** Why a predicate does not hold at one field: what the compiled predicates report, plus the node that reports it. */
export interface TraceFailure {
  readonly constraint: string;
  readonly field: string;
  readonly path: readonly PathSegment[];
  readonly expected: unknown;
  readonly actual: unknown;
  readonly reason: string;
  /** The node the violation belongs to. */
  readonly owner: TraceNode;
}

/** One run of a predicate over an action. */
export interface Traced {
  readonly node: TraceNode;
  readonly holds: boolean;
  /** What evaluating it threw: the policy then has an evaluation error. */
  readonly thrown?: { readonly value: unknown };
  /** With `explained` and `holds` false: the failures the evaluation reports, in its order. */
  readonly failures: readonly TraceFailure[];
  /** For a JSONPath comparison with `quantifier: "any"` that holds: the value that made it hold. */
  readonly witness?: FoundValue;
}

/** A predicate compiled for explaining. */
export interface PredicateTracer {
  /** The predicate in readable form, as the compiled predicates write it. */
  readonly description: string;
  /**
   * Evaluates the predicate as the engine does: `explained` when the engine
   * goes on to explain a failure (an assertion), which reads every part of a
   * failed `all` and `any`; otherwise parts past the deciding one are skipped.
   */
  run(action: object, explained: boolean, display: ValueDisplay): Traced;
  /** The tree with every node `skipped`: a predicate the policy never got to. */
  skipped(): TraceNode;
}

const NO_FAILURES: readonly TraceFailure[] = Object.freeze([]);

/** Compiles a schema-valid predicate definition, once per engine. */
export function tracePredicate(definition: PredicateDefinition, limits: Limits): PredicateTracer {
  if ('all' in definition) return traceAll(definition.all, describePredicate(definition), limits);
  if ('any' in definition) return traceAny(definition.any, describePredicate(definition), limits);
  if ('not' in definition) return traceNot(definition.not, describePredicate(definition), limits);
  return traceComparison(definition, limits);
}

function errored(node: TraceNode, thrown: unknown): Traced {
  node.result = 'error';
  node.error = toEvaluationError(thrown).error.message;
  return { node, holds: false, thrown: { value: thrown }, failures: NO_FAILURES };
}

function traceAll(definitions: readonly PredicateDefinition[], description: string, limits: Limits): PredicateTracer {
  const parts = definitions.map((part) => tracePredicate(part, limits));
  const skipped = (): TraceNode => ({ kind: 'all', description, result: 'skipped', parts: parts.map((part) => part.skipped()) });
  return {
    description,
    skipped,
    run(action, explained, display) {
      // The test: parts in order, stopping at the first that fails.
      const first = runInOrder(parts, action, false, display, (traced) => !traced.holds);
      const node: TraceNode = { kind: 'all', description, result: first.decided ? 'fail' : 'pass', parts: first.nodes };
      if (first.thrown !== undefined) return errored(node, first.thrown.value);
      if (!first.decided || !explained) return { node, holds: !first.decided, failures: NO_FAILURES };
      // Explaining a failed `all` tests every part again and explains each that fails.
      const second = runInOrder(parts, action, true, display, () => false);
      const again: TraceNode = { kind: 'all', description, result: 'fail', parts: second.nodes };
      if (second.thrown !== undefined) return errored(again, second.thrown.value);
      return { node: again, holds: false, failures: second.runs.flatMap((traced) => (traced.holds ? [] : traced.failures)) };
    },
  };
}

function traceAny(definitions: readonly PredicateDefinition[], description: string, limits: Limits): PredicateTracer {
  const parts = definitions.map((part) => tracePredicate(part, limits));
  const skipped = (): TraceNode => ({ kind: 'any', description, result: 'skipped', parts: parts.map((part) => part.skipped()) });
  return {
    description,
    skipped,
    run(action, explained, display) {
      const first = runInOrder(parts, action, false, display, (traced) => traced.holds);
      const node: TraceNode = { kind: 'any', description, result: first.decided ? 'pass' : 'fail', parts: first.nodes };
      if (first.thrown !== undefined) return errored(node, first.thrown.value);
      if (first.decided || !explained) return { node, holds: first.decided, failures: NO_FAILURES };
      // Explaining a failed `any` explains every alternative, and reports them as one failure.
      const second = runInOrder(parts, action, true, display, () => false);
      const again: TraceNode = { kind: 'any', description, result: 'fail', parts: second.nodes };
      if (second.thrown !== undefined) return errored(again, second.thrown.value);
      const inner = second.runs.flatMap((traced) => traced.failures);
      const firstFailure = inner[0];
      const failure: TraceFailure = {
        constraint: 'any',
        field: firstFailure?.field ?? '',
        path: firstFailure?.path ?? [],
        expected: description,
        actual: firstFailure?.actual,
        reason: `none of the alternatives held: ${inner.map((one) => one.reason).join('; or ')}`,
        owner: again,
      };
      return { node: again, holds: false, failures: [failure] };
    },
  };
}

function traceNot(definition: PredicateDefinition, description: string, limits: Limits): PredicateTracer {
  const inner = tracePredicate(definition, limits);
  const field = 'field' in definition ? definition.field : '';
  const reader = 'field' in definition ? compileFieldReader(definition.field) : undefined;
  return {
    description,
    skipped: () => ({ kind: 'not', description, result: 'skipped', part: inner.skipped() }),
    run(action, explained, display) {
      // Explaining a `not` reads the inner predicate's witness, never explains it.
      const traced = inner.run(action, false, display);
      const node: TraceNode = { kind: 'not', description, result: traced.holds ? 'fail' : 'pass', part: traced.node };
      if (traced.thrown !== undefined) return errored(node, traced.thrown.value);
      if (!traced.holds || !explained) return { node, holds: !traced.holds, failures: NO_FAILURES };
      const found = traced.witness ?? reader?.readAll(action)[0];
      const failure: TraceFailure = {
        constraint: 'not',
        field,
        path: found?.path ?? reader?.missingPath(action) ?? [],
        expected: description,
        actual: found?.value,
        reason: `must not hold: ${inner.description}${found === undefined ? '' : ` (${field} is ${renderValue(found.value)})`}`,
        owner: node,
      };
      return { node, holds: false, failures: [failure] };
    },
  };
}

interface InOrder {
  readonly nodes: TraceNode[];
  readonly runs: Traced[];
  /** True when a part met `decides` (and the parts after it were skipped, unless every part is run). */
  readonly decided: boolean;
  readonly thrown?: { readonly value: unknown };
}

/** Runs parts in order until one `decides` the outcome (or throws); the rest are shown skipped. */
function runInOrder(
  parts: readonly PredicateTracer[],
  action: object,
  explained: boolean,
  display: ValueDisplay,
  decides: (traced: Traced) => boolean,
): InOrder {
  const nodes: TraceNode[] = [];
  const runs: Traced[] = [];
  let decided = false;
  let thrown: { readonly value: unknown } | undefined;
  for (const part of parts) {
    if (decided || thrown !== undefined) {
      nodes.push(part.skipped());
      continue;
    }
    const traced = part.run(action, explained, display);
    nodes.push(traced.node);
    runs.push(traced);
    if (traced.thrown !== undefined) thrown = traced.thrown;
    else if (decides(traced)) decided = true;
  }
  return thrown === undefined ? { nodes, runs, decided } : { nodes, runs, decided, thrown };
}

/** How a comparison reads its right-hand side and compares, compiled once. */
interface Comparing {
  readonly operand: (action: object, display: ValueDisplay) => OperandExplanation | undefined;
  readonly expectedOf: (action: object) => unknown;
  readonly matches: (actual: unknown, action: object) => boolean;
}

function traceComparison(definition: ComparisonDefinition, limits: Limits): PredicateTracer {
  const description = describePredicate(definition);
  const reader = compileFieldReader(definition.field);
  const comparing = compileComparing(definition, limits);
  const message = compileFailureMessage(definition);
  const everyValue = definition.quantifier !== 'any';
  const base = (result: CheckResult): TraceNode => ({
    kind: 'comparison',
    description,
    field: definition.field,
    op: definition.op,
    ...(definition.flags === undefined ? {} : { flags: definition.flags }),
    ...(definition.quantifier === undefined ? {} : { quantifier: definition.quantifier }),
    result,
    values: [],
  });
  return {
    description,
    skipped: () => base('skipped'),
    run(action, explained, display) {
      const node = base('fail') as Mutable<ComparisonExplanation>;
      const values: ValueExplanation[] = [];
      let omitted = 0;
      const list = (found: FoundValue | undefined, path: readonly PathSegment[], result: CheckResult): void => {
        if (values.length >= MAX_VALUES_LISTED) {
          omitted += 1;
          return;
        }
        values.push(found === undefined ? { path, missing: true, result } : { path, ...display.found(found.value, path), result });
      };
      const failure = (path: readonly PathSegment[], actual: unknown): TraceFailure => {
        const expected = comparing.expectedOf(action);
        return {
          constraint: definition.op,
          field: definition.field,
          path,
          expected,
          actual,
          reason: message(expected, actual),
          owner: node,
        };
      };
      // A value the operator could not compare (too long for a regex) is listed as the one that threw.
      const compare = (found: FoundValue, path: readonly PathSegment[]): boolean => {
        try {
          return comparing.matches(found.value, action);
        } catch (thrown) {
          list(found, path, 'error');
          throw thrown;
        }
      };
      // Failures are worked out only when the evaluation would explain them: reading the operand again is the evaluation's explain step.
      const finish = (holds: boolean, failures: () => readonly TraceFailure[], witness?: FoundValue): Traced => {
        node.result = holds ? 'pass' : 'fail';
        node.values = values;
        if (omitted > 0) node.valuesOmitted = omitted;
        return { node, holds, failures: explained && !holds ? failures() : NO_FAILURES, ...(witness === undefined ? {} : { witness }) };
      };
      try {
        const operand = comparing.operand(action, display);
        if (operand !== undefined) node.operand = operand;
        if (!reader.multi) {
          const found = reader.readAll(action)[0];
          const path = found?.path ?? reader.missingPath(action);
          const holds = found !== undefined && compare(found, path);
          list(found, path, holds ? 'pass' : 'fail');
          return finish(holds, () => [failure(path, found?.value)]);
        }
        const found = reader.readAll(action);
        if (found.length === 0) {
          // A JSONPath that yields nothing is a missing field: false under either quantifier.
          const path = reader.missingPath(action);
          list(undefined, path, 'fail');
          return finish(false, () => [failure(path, undefined)]);
        }
        return everyValue ? everyOf(found) : oneOf(found);
      } catch (thrown) {
        node.values = values;
        return errored(node, thrown);
      }

      // `all`: the test stops at the first value that fails; explaining it reads every value.
      function everyOf(found: readonly FoundValue[]): Traced {
        const failed: FoundValue[] = [];
        for (const value of found) {
          if (failed.length > 0 && !explained) {
            list(value, value.path, 'skipped');
            continue;
          }
          const holds = compare(value, value.path);
          list(value, value.path, holds ? 'pass' : 'fail');
          if (!holds) failed.push(value);
        }
        return finish(failed.length === 0, () => failed.map((value) => failure(value.path, value.value)));
      }

      // `any`: the test stops at the first value that holds; its failure quotes every value.
      function oneOf(found: readonly FoundValue[]): Traced {
        let witness: FoundValue | undefined;
        for (const value of found) {
          if (witness !== undefined) {
            list(value, value.path, 'skipped');
            continue;
          }
          const holds = compare(value, value.path);
          list(value, value.path, holds ? 'pass' : 'fail');
          if (holds) witness = value;
        }
        return finish(
          witness !== undefined,
          () => [
            failure(
              reader.missingPath(action),
              found.map(({ value }) => value),
            ),
          ],
          witness,
        );
      }
    },
  };
}

function compileComparing(definition: ComparisonDefinition, limits: Limits): Comparing {
  // The definition was validated when the engine compiled it, so the operator exists and takes this value.
  const operator = operatorNamed(definition.op);
  if (operator === undefined) throw new TypeError(`unknown operator ${definition.op}`);
  const context = { flags: definition.flags ?? '', limits };
  if (definition.valueRef !== undefined) {
    const reference = compileFieldReader(definition.valueRef);
    const dynamic = operator.dynamic?.(context) as DynamicMatcher;
    return {
      operand: (action, display) => {
        const found = reference.readAll(action)[0];
        if (found === undefined) return { valueRef: reference.source, path: reference.missingPath(action), missing: true };
        return { valueRef: reference.source, path: found.path, ...display.found(found.value, found.path) };
      },
      expectedOf: (action) => reference.read(action),
      // A missing reference is a missing field: the comparison is false.
      matches: (actual, action) => {
        if (actual === undefined) return false;
        const expected = reference.read(action);
        return expected !== undefined && dynamic(actual, expected);
      },
    };
  }
  const literal: Matcher = operator.literal(definition.value, context);
  return {
    operand: (_action, display) => (operator.kind === 'none' ? undefined : display.literal(definition.value)),
    expectedOf: () => definition.value,
    matches: (actual) => actual !== undefined && literal(actual),
  };
}
