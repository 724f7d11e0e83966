import type { Limits } from '../limits.js';
import { renderValue } from '../render-value.js';
import type { FieldReader, FoundValue } from '../path/field-reader.js';
import { compileFieldReader } from '../path/field-reader.js';
import { compileFieldAt } from './compile-field.js';
import { DefinitionIssue } from '../definition-issue.js';
import type { ComparisonDefinition, PathSegment, PredicateDefinition } from '../types.js';
import { OPERATORS } from '../types.js';
import { compileFailureMessage, describeAll, describeAny, describeComparison, describeNot } from './describe.js';
import type { DynamicMatcher, Matcher } from './operators/operator.js';
import { OperatorValueError } from './operators/operator.js';
import { operatorNamed } from './operators/registry.js';

/** Why a predicate did not hold, at one field. The policy compiler turns it into a Violation. */
export interface Failure {
  /** The operator, or `any` / `not` for a compound that failed as a whole. */
  readonly constraint: string;
  /** The field as written in the policy. */
  readonly field: string;
  /** Segments to the offending value in the action. */
  readonly path: readonly PathSegment[];
  /** The comparison value. */
  readonly expected: unknown;
  /** The value found; `undefined` when the field was missing. */
  readonly actual: unknown;
  /** The default message. */
  readonly reason: string;
}

/**
 * A predicate compiled into closures. `test` is the hot path and allocates
 * nothing; `explain` runs only after `test` returned false, to say why.
 */
export interface CompiledPredicate {
  /** True when the predicate holds for the action. */
  readonly test: (action: object) => boolean;
  /** Appends why the predicate does not hold; call only when `test` returned false. */
  readonly explain: (action: object, failures: Failure[]) => void;
  /**
   * Readable form, for messages and constraint listings; built on first call,
   * then kept. A method, not a getter: an accessor on these objects slows every
   * `test` call through them by about 5%.
   */
  readonly describe: () => string;
  /**
   * The value, and where it is, that makes the predicate hold, for a predicate
   * that holds through one of several values (a JSONPath with `quantifier:
   * "any"`); `undefined` for the rest. A `not` over it points at that value.
   */
  readonly witness: ((action: object) => FoundValue | undefined) | undefined;
}

/**
 * A description built once, on first use, from the parts' own (already kept)
 * descriptions: explaining a failure never re-walks the definition, and a
 * predicate that is never explained never builds one.
 */
function once(build: () => string): () => string {
  let description: string | undefined;
  return () => (description ??= build());
}

function compiled(
  test: CompiledPredicate['test'],
  explain: CompiledPredicate['explain'],
  description: () => string,
  witness?: CompiledPredicate['witness'],
): CompiledPredicate {
  // Every compiled predicate has the same keys, so the calls through them stay monomorphic.
  return { test, explain, describe: description, witness };
}

/**
 * Compiles a predicate definition (already schema-valid) into closures; throws
 * {@link DefinitionIssue} located by JSON pointer for what the schema cannot
 * see: operator values, flags, paths and patterns.
 */
export function compilePredicate(definition: PredicateDefinition, pointer: string, limits: Limits): CompiledPredicate {
  if ('all' in definition) return compileAll(definition.all, `${pointer}/all`, limits);
  if ('any' in definition) return compileAny(definition.any, `${pointer}/any`, limits);
  if ('not' in definition) return compileNot(definition.not, `${pointer}/not`, limits);
  return compileComparison(definition, pointer, limits);
}

function compileAll(definitions: readonly PredicateDefinition[], pointer: string, limits: Limits): CompiledPredicate {
  const parts = definitions.map((part, index) => compilePredicate(part, `${pointer}/${index}`, limits));
  return compiled(
    (action) => {
      for (const part of parts) if (!part.test(action)) return false;
      return true;
    },
    (action, failures) => {
      for (const part of parts) if (!part.test(action)) part.explain(action, failures);
    },
    once(() => describeAll(parts.map((part) => part.describe()))),
  );
}

function compileAny(definitions: readonly PredicateDefinition[], pointer: string, limits: Limits): CompiledPredicate {
  const parts = definitions.map((part, index) => compilePredicate(part, `${pointer}/${index}`, limits));
  const description = once(() => describeAny(parts.map((part) => part.describe())));
  return compiled(
    (action) => {
      for (const part of parts) if (part.test(action)) return true;
      return false;
    },
    // One failure for the alternatives together: listing each as its own
    // violation would read as if every one of them were required.
    (action, failures) => {
      const inner: Failure[] = [];
      for (const part of parts) part.explain(action, inner);
      const first = inner[0];
      failures.push({
        constraint: 'any',
        field: first?.field ?? '',
        path: first?.path ?? [],
        expected: description(),
        actual: first?.actual,
        reason: `none of the alternatives held: ${inner.map((failure) => failure.reason).join('; or ')}`,
      });
    },
    description,
  );
}

function compileNot(definition: PredicateDefinition, pointer: string, limits: Limits): CompiledPredicate {
  const inner = compilePredicate(definition, pointer, limits);
  const description = once(() => describeNot(inner.describe()));
  const field = 'field' in definition ? definition.field : '';
  const reader = 'field' in definition ? compileFieldReader(definition.field) : undefined;
  return compiled(
    (action) => !inner.test(action),
    (action, failures) => {
      // The value that made the inner predicate hold, where one alone did; else the field's first value.
      const found = inner.witness?.(action) ?? reader?.readAll(action)[0];
      failures.push({
        constraint: 'not',
        field,
        path: found?.path ?? reader?.missingPath(action) ?? [],
        expected: description(),
        actual: found?.value,
        reason: `must not hold: ${inner.describe()}${found === undefined ? '' : ` (${field} is ${renderValue(found.value)})`}`,
      });
    },
    description,
  );
}

function compileComparison(definition: ComparisonDefinition, pointer: string, limits: Limits): CompiledPredicate {
  const operator = operatorNamed(definition.op);
  if (operator === undefined) {
    throw new DefinitionIssue(`${pointer}/op`, `one of ${OPERATORS.join(', ')}`, undefined, definition.op);
  }
  const flags = definition.flags ?? '';
  for (const flag of flags) {
    if (!operator.flags.includes(flag)) {
      const allowed = operator.flags === '' ? 'no flags' : `flags from "${operator.flags}"`;
      throw new DefinitionIssue(`${pointer}/flags`, allowed, `${definition.op} takes ${allowed}`, flags);
    }
  }
  const field = compileFieldAt(definition.field, `${pointer}/field`);
  if (definition.quantifier !== undefined && !field.multi) {
    throw new DefinitionIssue(
      `${pointer}/quantifier`,
      'a JSONPath field',
      'quantifier applies only to JSONPath fields (starting with "$"), which can yield several values',
    );
  }
  const hasValue = definition.value !== undefined;
  const hasRef = definition.valueRef !== undefined;
  if (hasValue && hasRef) {
    throw new DefinitionIssue(pointer, 'either value or valueRef', 'has both value and valueRef; give one');
  }
  if (operator.kind === 'none' && hasRef) {
    throw new DefinitionIssue(`${pointer}/valueRef`, 'no valueRef', `${definition.op} takes no value`);
  }
  if (operator.kind !== 'none' && !hasValue && !hasRef) {
    throw new DefinitionIssue(pointer, 'value or valueRef', `${definition.op} needs value or valueRef`);
  }
  const context = { flags, limits };
  const matches = hasRef
    ? dynamicMatch(definition, operator.dynamic?.(context), `${pointer}/valueRef`)
    : literalMatch(definition, () => operator.literal(definition.value, context), pointer);
  return leaf(definition, field, matches);
}

/**
 * Compares one found value; `expectedOf` gives the right-hand side used (literal
 * or read from the action). `literal` is set for literal comparisons so the hot
 * path can call the operator directly.
 */
interface ValueMatch {
  readonly matches: (actual: unknown, action: object) => boolean;
  readonly expectedOf: (action: object) => unknown;
  readonly literal?: Matcher;
}

function literalMatch(definition: ComparisonDefinition, compile: () => Matcher, pointer: string): ValueMatch {
  let matcher: Matcher;
  try {
    matcher = compile();
  } catch (error) {
    if (error instanceof OperatorValueError) {
      throw new DefinitionIssue(`${pointer}/${error.key}`, error.expected, error.message, definition[error.key]);
    }
    throw error;
  }
  return { matches: (actual) => matcher(actual), expectedOf: () => definition.value, literal: matcher };
}

function dynamicMatch(definition: ComparisonDefinition, matcher: DynamicMatcher | undefined, pointer: string): ValueMatch {
  if (matcher === undefined) {
    throw new DefinitionIssue(pointer, 'a literal value', `${definition.op} needs a literal value, not valueRef`);
  }
  const reference = compileFieldAt(definition.valueRef ?? '', pointer);
  if (reference.multi) {
    throw new DefinitionIssue(pointer, 'a dot-path', 'valueRef must be a dot-path naming one value, not JSONPath');
  }
  return {
    // A missing reference is a missing field: the comparison is false.
    matches: (actual, action) => {
      const expected = reference.read(action);
      return expected !== undefined && matcher(actual, expected);
    },
    expectedOf: (action) => reference.read(action),
  };
}

function leaf(definition: ComparisonDefinition, field: FieldReader, { matches, expectedOf, literal }: ValueMatch): CompiledPredicate {
  const description = once(() => describeComparison(definition));
  const message = compileFailureMessage(definition);
  const failure = (action: object, path: readonly PathSegment[], actual: unknown): Failure => {
    const expected = expectedOf(action);
    return {
      constraint: definition.op,
      field: definition.field,
      path,
      expected,
      actual,
      reason: message(expected, actual),
    };
  };
  if (!field.multi) {
    const read = field.read;
    return compiled(
      literal
        ? (action) => {
            const actual = read(action);
            return actual !== undefined && literal(actual);
          }
        : (action) => {
            const actual = read(action);
            return actual !== undefined && matches(actual, action);
          },
      (action, failures) => {
        const found = field.readAll(action)[0];
        failures.push(failure(action, found?.path ?? field.missingPath(action), found?.value));
      },
      description,
    );
  }
  const holds = (action: object, actual: unknown) => actual !== undefined && matches(actual, action);
  const everyValue = definition.quantifier !== 'any';
  return compiled(
    // A JSONPath that yields nothing is a missing field: false under either quantifier.
    (action) => {
      const found = field.readValues(action);
      if (found.length === 0) return false;
      return everyValue ? found.every((value) => holds(action, value)) : found.some((value) => holds(action, value));
    },
    (action, failures) => {
      const found = field.readAll(action);
      if (found.length === 0) {
        failures.push(failure(action, field.missingPath(action), undefined));
      } else if (everyValue) {
        for (const { value, path } of found) if (!holds(action, value)) failures.push(failure(action, path, value));
      } else {
        failures.push(
          failure(
            action,
            field.missingPath(action),
            found.map(({ value }) => value),
          ),
        );
      }
    },
    description,
    everyValue ? undefined : (action) => field.readAll(action).find(({ value }) => holds(action, value)),
  );
}
