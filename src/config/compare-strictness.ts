import { dirname, resolve } from 'node:path';
import { jsonEquals } from '../json-values.js';
import { renderValue } from '../render-value.js';
import { comparePredicates } from './compare-predicates.js';
import type { AspectOutcome, AspectVerdict, StrictnessComparison, StrictnessReason } from './strictness.js';
import { combineVerdicts, outcome } from './strictness.js';

/** Where the two definitions were read from, so relative paths (`shapesFile`, bindings' `policy`) compare as the files they name. */
export interface CompareContext {
  readonly higherFile?: string;
  readonly lowerFile?: string;
}

/** Keys that say nothing about what a policy allows: they may differ freely. */
const NEUTRAL: ReadonlySet<string> = new Set([
  '$schema',
  'id',
  'description',
  'title',
  'intent',
  'category',
  'owner',
  'version',
  'deprecated',
  'successor',
  'guidance',
  'provenance',
  'message',
]);

/** Keys compared below, each by its own rule. */
const COMPARED: ReadonlySet<string> = new Set([
  'severity',
  'effect',
  'mode',
  'on',
  'tools',
  'artifacts',
  'when',
  'require',
  'assert',
  'shape',
  'shapesFile',
  'rewrite',
  'priority',
  'enforcement',
  'scope',
]);

const SEVERITY_RANK: Readonly<Record<string, number>> = { advisory: 0, soft: 1, hard: 2 };
const EFFECT_RANK: Readonly<Record<string, number>> = { none: 0, warn: 1, escalate: 2, deny: 3 };
const CHECKS = ['require', 'assert', 'shape', 'shapesFile', 'rewrite', 'enforcement'] as const;

type Definition = Readonly<Record<string, unknown>>;

/**
 * Decides whether a lower-precedence definition of a rule may replace the
 * higher-precedence one: only when it is at least as strict in every aspect
 * (see the README, "Sources and precedence", for the table). Pure: no I/O,
 * never throws; a value it cannot read is `undecidable`, never `refines`.
 */
export function compareStrictness(higher: unknown, lower: unknown, context: CompareContext = {}): StrictnessComparison {
  if (!isObject(higher) || !isObject(lower)) {
    return {
      relation: 'undecidable',
      reasons: [{ aspect: 'definition', verdict: 'undecidable', message: 'a definition is not an object' }],
    };
  }
  const outcomes = [
    compareSeverity(higher, lower),
    compareEffect(higher, lower),
    compareMode(higher, lower),
    compareIdentical('on', higher.on ?? 'request', lower.on ?? 'request'),
    compareGlobs('tools', 'tool', higher.tools, lower.tools),
    compareGlobs('artifacts', 'artifact', higher.artifacts, lower.artifacts),
    compareIdentical('when', higher.when, lower.when),
    ...compareChecks(higher, lower, context),
    compareIdentical('rewrite', higher.rewrite, lower.rewrite),
    compareIdentical('priority', priorityOf(higher), priorityOf(lower)),
    compareEnforcement(higher, lower, context),
    compareIdentical('scope', higher.scope, lower.scope),
    ...compareOthers(higher, lower),
  ];
  const reasons: StrictnessReason[] = outcomes.flatMap(({ aspect, verdict, message }) =>
    verdict === 'weaker' || verdict === 'undecidable' ? [{ aspect, verdict, message: message ?? `${aspect} differs` }] : [],
  );
  const verdict = combineVerdicts(outcomes.map((item) => item.verdict));
  if (verdict === 'weaker' || verdict === 'undecidable') return { relation: verdict, reasons };
  return { relation: verdict === 'same' && jsonEquals(without(higher, 'id'), without(lower, 'id')) ? 'identical' : 'refines', reasons };
}

/** The severity in force: the one written, or the effect's (`warn` soft, anything else hard). */
function severityOf(definition: Definition): unknown {
  return definition.severity ?? (definition.effect === 'warn' ? 'soft' : 'hard');
}

/** The effect in force: none for an advisory policy, else the one written or its severity's default. */
function effectOf(definition: Definition): unknown {
  if (definition.severity === 'advisory') return 'none';
  return definition.effect ?? (definition.severity === 'soft' ? 'warn' : 'deny');
}

function compareSeverity(higher: Definition, lower: Definition): AspectOutcome {
  return compareRanked('severity', SEVERITY_RANK, severityOf(higher), severityOf(lower));
}

function compareEffect(higher: Definition, lower: Definition): AspectOutcome {
  return compareRanked('effect', EFFECT_RANK, effectOf(higher), effectOf(lower));
}

function compareRanked(aspect: string, ranks: Readonly<Record<string, number>>, higher: unknown, lower: unknown): AspectOutcome {
  const high = typeof higher === 'string' && Object.hasOwn(ranks, higher) ? ranks[higher] : undefined;
  const low = typeof lower === 'string' && Object.hasOwn(ranks, lower) ? ranks[lower] : undefined;
  if (high === undefined || low === undefined)
    return outcome(aspect, 'undecidable', `${aspect} ${renderValue(higher)} or ${renderValue(lower)} is not one tierguard ranks`);
  if (low === high) return outcome(aspect, 'same');
  const change = `${aspect} ${String(higher)} became ${String(lower)}`;
  return low < high ? outcome(aspect, 'weaker', `${change}, which is lower`) : outcome(aspect, 'tighter', change);
}

function compareMode(higher: Definition, lower: Definition): AspectOutcome {
  const high = higher.mode ?? 'enforce';
  const low = lower.mode ?? 'enforce';
  if (high === low) return outcome('mode', 'same');
  if (high === 'enforce' && low === 'monitor')
    return outcome('mode', 'weaker', 'mode monitor where the higher enforces: nothing it finds blocks');
  if (high === 'monitor' && low === 'enforce') return outcome('mode', 'tighter', 'mode enforce where the higher monitors');
  return outcome('mode', 'undecidable', `mode ${renderValue(high)} became ${renderValue(low)}`);
}

/** Same JSON (absent equals absent) or undecidable: the aspects whose changes tierguard cannot order. */
function compareIdentical(aspect: string, higher: unknown, lower: unknown): AspectOutcome {
  if (jsonEquals(higher, lower) || (higher === undefined && lower === undefined)) return outcome(aspect, 'same');
  return outcome(
    aspect,
    'undecidable',
    `${aspect} changed (${renderValue(higher)} became ${renderValue(lower)}): only an identical ${aspect} is known not to relax it`,
  );
}

function priorityOf(definition: Definition): unknown {
  // Priority orders rewrites only: without rewrites it changes nothing.
  return definition.rewrite === undefined ? undefined : (definition.priority ?? 0);
}

/**
 * Glob lists, compared as strings: absent means every one; the lower listing
 * every pattern of the higher (and maybe more) covers at least as much; a
 * lower list where the higher covered all covers fewer; anything else (other
 * patterns that may or may not overlap) cannot be decided without matching globs against globs.
 */
function compareGlobs(aspect: string, noun: string, higher: unknown, lower: unknown): AspectOutcome {
  if (lower === undefined) return outcome(aspect, higher === undefined ? 'same' : 'tighter', `${aspect}: every ${noun}`);
  if (!isStringList(lower) || (higher !== undefined && !isStringList(higher)))
    return outcome(aspect, 'undecidable', `${aspect} is not a list of patterns`);
  if (higher === undefined) {
    // A pattern of stars alone may match every name; whether it does depends on the names' separators.
    if (lower.some((pattern) => /^\*+$/.test(pattern)))
      return outcome(aspect, 'undecidable', `${aspect} ${renderValue(lower)} where the higher covers every ${noun}`);
    return outcome(aspect, 'weaker', `${aspect} ${renderValue(lower)} covers fewer ${noun}s than the higher, which covers every ${noun}`);
  }
  const missing = higher.filter((pattern) => !lower.includes(pattern));
  if (missing.length === 0) return outcome(aspect, lower.some((pattern) => !higher.includes(pattern)) ? 'tighter' : 'same');
  return outcome(
    aspect,
    'undecidable',
    `${aspect} ${renderValue(lower)} does not list ${renderValue(missing)} of the higher's ${renderValue(higher)}: it may cover fewer ${noun}s`,
  );
}

/**
 * What a matching action must satisfy. A policy with none of `require`,
 * `assert`, `shape`, `shapesFile`, `rewrite`, `enforcement` is violated
 * whenever it applies, the strictest there is; otherwise each check of the
 * higher must be kept by the lower (required fields, assertion conjuncts;
 * shapes only identical).
 */
function compareChecks(higher: Definition, lower: Definition, context: CompareContext): AspectOutcome[] {
  const highOutright = CHECKS.every((key) => higher[key] === undefined);
  const lowOutright = CHECKS.every((key) => lower[key] === undefined);
  if (highOutright && lowOutright) return [outcome('checks', 'same')];
  if (highOutright)
    return [outcome('checks', 'weaker', 'the higher is violated whenever it applies; the lower only when one of its checks fails')];
  if (lowOutright) return [outcome('checks', 'tighter', 'the lower is violated whenever it applies')];
  return [
    compareRequire(higher.require, lower.require),
    compareAssert(higher.assert, lower.assert),
    compareIdentical('shape', higher.shape, lower.shape),
    compareIdentical('shapesFile', resolvedPath(higher.shapesFile, context.higherFile), resolvedPath(lower.shapesFile, context.lowerFile)),
  ];
}

function compareRequire(higher: unknown, lower: unknown): AspectOutcome {
  const high = higher ?? [];
  const low = lower ?? [];
  if (!isStringList(high) || !isStringList(low)) return outcome('require', 'undecidable', 'require is not a list of fields');
  const missing = high.filter((field) => !low.includes(field));
  if (missing.length > 0) return outcome('require', 'weaker', `require no longer lists ${renderValue(missing)}`);
  return outcome('require', low.some((field) => !high.includes(field)) ? 'tighter' : 'same');
}

function compareAssert(higher: unknown, lower: unknown): AspectOutcome {
  if (higher === undefined) return outcome('assert', lower === undefined ? 'same' : 'tighter');
  if (lower === undefined) return outcome('assert', 'weaker', 'assert removed');
  const { verdict, message } = comparePredicates(higher, lower);
  return outcome('assert', verdict, message === undefined ? undefined : `assert: ${message}`);
}

/** Every binding of the higher (by engine and the file its policy names) must be in the lower, unchanged; more bindings tighten. */
function compareEnforcement(higher: Definition, lower: Definition, context: CompareContext): AspectOutcome {
  const high = higher.enforcement ?? [];
  const low = lower.enforcement ?? [];
  if (!Array.isArray(high) || !Array.isArray(low)) return outcome('enforcement', 'undecidable', 'enforcement is not a list of bindings');
  const key = (binding: unknown, file: string | undefined): string | undefined => {
    if (!isObject(binding) || typeof binding.engine !== 'string') return undefined;
    return `${binding.engine} ${String(resolvedPath(binding.policy, file))}`;
  };
  const verdicts: AspectVerdict[] = [];
  const messages: string[] = [];
  const lowKeys = low.map((binding) => key(binding, context.lowerFile));
  for (const binding of high) {
    const wanted = key(binding, context.higherFile);
    const index = wanted === undefined ? -1 : lowKeys.indexOf(wanted);
    const label = isObject(binding) ? `${String(binding.engine)} ${String(binding.policy)}` : renderValue(binding);
    if (index === -1) {
      verdicts.push(wanted === undefined ? 'undecidable' : 'weaker');
      messages.push(`the binding ${label} is missing`);
      continue;
    }
    if (jsonEquals(without(binding as Definition, 'policy'), without(low[index] as Definition, 'policy'))) verdicts.push('same');
    else {
      verdicts.push('undecidable');
      messages.push(`the binding ${label} has other options or another query`);
    }
  }
  if (low.length > high.length) verdicts.push('tighter');
  const verdict = combineVerdicts(verdicts);
  return outcome('enforcement', verdict, messages.length === 0 ? undefined : `enforcement: ${messages.join('; ')}`);
}

/** Keys tierguard does not rank (added by a later version, or unknown): only identical is known not to relax. */
function compareOthers(higher: Definition, lower: Definition): AspectOutcome[] {
  const keys = new Set([...Object.keys(higher), ...Object.keys(lower)]);
  return [...keys].filter((key) => !NEUTRAL.has(key) && !COMPARED.has(key)).map((key) => compareIdentical(key, higher[key], lower[key]));
}

/** A copy without one key: the parts compared after that key was compared its own way. */
function without(definition: Definition, key: string): Definition {
  return Object.fromEntries(Object.entries(definition).filter(([name]) => name !== key));
}

function resolvedPath(path: unknown, file: string | undefined): unknown {
  return typeof path === 'string' && file !== undefined ? resolve(dirname(file), path) : path;
}

function isObject(value: unknown): value is Definition {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
