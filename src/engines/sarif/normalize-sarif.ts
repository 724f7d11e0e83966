// Longer than most: SARIF is one format with one set of bounds; splitting its
// reader would scatter the limits every part of it must keep.
import { describeThrown } from '../../describe-thrown.js';
import { DEFAULT_ENGINE_LIMITS } from '../../limits.js';
import type { EngineLimits } from '../../limits.js';
import type { Effect, PathSegment, Severity, Violation } from '../../types.js';
import { boundText, compareText, isRecord, own, stringOf } from '../json-reading.js';
import type { JsonRecord } from '../json-reading.js';
import type { EngineError } from '../types.js';

/** SARIF result levels that report something; `none` reports nothing and is always dropped. */
export type SarifLevel = 'error' | 'warning' | 'note';

/** Every {@link SarifLevel}, highest first: the values a `minLevel` binding option may take. */
export const SARIF_LEVELS: readonly SarifLevel[] = ['error', 'warning', 'note'];

/** How to turn one SARIF log into violations. */
export interface NormalizeSarifOptions {
  /** The tierguard policy the violations belong to. */
  readonly policyId: string;
  /** Effect of `error`-level results; default `deny`. `warning` and `note` results are `warn`: they never block. */
  readonly effect?: Effect;
  /** Results below this level are dropped; default `note` (keep everything but `none`). */
  readonly minLevel?: SarifLevel;
  /** Bounds on runs, results and string lengths; default {@link DEFAULT_ENGINE_LIMITS}. */
  readonly limits?: Pick<EngineLimits, 'maxSarifRuns' | 'maxSarifResults' | 'maxMessageLength'>;
  /** Applied to every file name and message before it is kept, e.g. to rewrite temporary paths out. */
  readonly scrub?: (text: string) => string;
  /**
   * Maps a location's file (its URI, decoded) before `scrub`: for engines that
   * name files relative to somewhere other than the caller's view (Checkov names
   * a scanned file relative to its working directory, or by its absolute path
   * less the leading `/`), so the violation names the artifact as the caller gave it.
   */
  readonly locationFile?: (file: string) => string;
  /**
   * Notification descriptor ids that fail the run at any level: engines report
   * some partial runs only as warnings (Semgrep's `Timeout`: a rule gave up on a
   * file, and its findings there are missing).
   */
  readonly failingNotifications?: readonly string[];
  /**
   * Overrides a result's level, given its rule id and the level SARIF gave it:
   * for engines whose SARIF loses what the level should be (Checkov maps check
   * severities to levels its own way, and INFO to `none`). Applied before
   * `none` and `minLevel` drop results.
   */
  readonly levelOf?: (ruleId: string, level: SarifLevel | 'none') => SarifLevel | 'none';
}

/** Violations from a SARIF log, or why the log could not be read. */
export type SarifNormalization =
  { readonly ok: true; readonly violations: readonly Violation[] } | { readonly ok: false; readonly error: EngineError };

const LEVEL_RANK: Readonly<Record<SarifLevel, number>> = { note: 1, warning: 2, error: 3 };

const SEVERITY: Readonly<Record<SarifLevel, Severity>> = { error: 'violation', warning: 'warning', note: 'info' };

/** Signals a malformed log from deep inside the walk; caught at the top and turned into a result, never escaping. */
class SarifProblem extends Error {
  constructor(readonly problem: EngineError) {
    super(problem.message);
  }
}

/**
 * Turns a SARIF 2.1.0 log (the text, or the parsed JSON) into tierguard
 * violations, and never throws: a log that is not SARIF, exceeds a bound, or
 * reports a failed run (an invocation that did not succeed or notified an
 * `error`) is an error result that says why.
 *
 * Mapping, per result:
 * - level: the result's `level`, else its rule's `defaultConfiguration.level`,
 *   else `warning` (SARIF's own default). `none`, results below `minLevel`,
 *   results whose `kind` is not `fail` and suppressed results are dropped.
 * - `constraint`: the rule id. `severity`: `error` → `violation`, `warning` →
 *   `warning`, `note` → `info`. `effect`: the binding's for `error`, `warn` otherwise.
 * - `path`: the first location as `[file, line, column]` (as far as given),
 *   addressing the artifact rather than an action; `[]` without a location.
 * - `message`: `file:line:column: ` then the result's message, then the rule's
 *   help text (as remediation, less any repeat of the message) and help URI.
 *
 * Violations are sorted by file, line, column, rule and message, so an engine
 * that reports in a varying order still gives identical verdicts.
 */
export function normalizeSarif(log: unknown, options: NormalizeSarifOptions): SarifNormalization {
  try {
    return { ok: true, violations: readLog(log, options) };
  } catch (thrown) {
    if (thrown instanceof SarifProblem) return { ok: false, error: thrown.problem };
    // Only hostile input (a getter or Proxy that throws) gets here: JSON.parse output cannot.
    return { ok: false, error: { code: 'INVALID_OUTPUT', message: `SARIF could not be read: ${describeThrown(thrown)}` } };
  }
}

function invalid(message: string): SarifProblem {
  return new SarifProblem({ code: 'INVALID_OUTPUT', message: `malformed SARIF: ${message}` });
}

function readLog(input: unknown, options: NormalizeSarifOptions): Violation[] {
  const limits = options.limits ?? DEFAULT_ENGINE_LIMITS;
  let log: unknown = input;
  if (typeof input === 'string') {
    try {
      log = JSON.parse(input);
    } catch (thrown) {
      throw invalid(`not JSON (${describeThrown(thrown)})`);
    }
  }
  if (!isRecord(log)) throw invalid('the log is not an object');
  const version = own(log, 'version');
  if (version !== '2.1.0') throw invalid(`version must be "2.1.0", got ${describeScalar(version)}`);
  const runs = own(log, 'runs');
  if (!Array.isArray(runs)) throw invalid('"runs" is not an array');
  if (runs.length > limits.maxSarifRuns) {
    throw new SarifProblem({
      code: 'LIMIT_EXCEEDED',
      message: `SARIF log has ${runs.length} runs, more than the limit of ${limits.maxSarifRuns}`,
    });
  }

  // Count first, so a flood of results is refused before any work is done on it.
  let total = 0;
  const checked: { run: JsonRecord; results: readonly unknown[] }[] = [];
  runs.forEach((run: unknown, index) => {
    if (!isRecord(run)) throw invalid(`runs[${index}] is not an object`);
    const results = own(run, 'results');
    // SARIF: a run without a results array is one whose tool did not finish its analysis.
    if (!Array.isArray(results)) throw invalid(`runs[${index}] has no "results" array (the tool did not finish)`);
    total += results.length;
    checked.push({ run, results });
  });
  if (total > limits.maxSarifResults) {
    throw new SarifProblem({
      code: 'LIMIT_EXCEEDED',
      message: `SARIF log has ${total} results, more than the limit of ${limits.maxSarifResults}`,
    });
  }

  const context: Context = {
    policyId: options.policyId,
    effect: options.effect ?? 'deny',
    minRank: LEVEL_RANK[options.minLevel ?? 'note'],
    maxLength: limits.maxMessageLength,
    scrub: options.scrub ?? ((text) => text),
    locationFile: options.locationFile ?? ((file) => file),
    failing: new Set(options.failingNotifications ?? []),
    levelOf: options.levelOf,
  };
  const violations: Violation[] = [];
  checked.forEach(({ run, results }, runIndex) => {
    checkInvocations(run, runIndex, context);
    const rules = readRules(run);
    results.forEach((result: unknown, resultIndex) => {
      if (!isRecord(result)) throw invalid(`runs[${runIndex}].results[${resultIndex}] is not an object`);
      const violation = toViolation(result, rules, run, context);
      if (violation !== undefined) violations.push(violation);
    });
  });
  return violations.sort(compareViolations);
}

interface Context {
  readonly policyId: string;
  readonly effect: Effect;
  readonly minRank: number;
  readonly maxLength: number;
  readonly scrub: (text: string) => string;
  readonly locationFile: (file: string) => string;
  readonly failing: ReadonlySet<string>;
  readonly levelOf: NormalizeSarifOptions['levelOf'];
}

interface Rules {
  readonly list: readonly unknown[];
  readonly byId: ReadonlyMap<string, JsonRecord>;
}

/**
 * A run whose invocation did not succeed, or that notified an `error` (a rule
 * that failed to parse, a config it could not load) or one of the
 * `failingNotifications`, cannot be trusted to have found everything: a partial
 * run must not read as a pass. Other notifications at `warning` and below (a
 * target with a syntax error the tool recovered from) are not failures.
 */
function checkInvocations(run: JsonRecord, runIndex: number, context: Context): void {
  const invocations = own(run, 'invocations');
  if (!Array.isArray(invocations)) return;
  for (const invocation of invocations) {
    if (!isRecord(invocation)) continue;
    const errors: string[] = [];
    for (const key of ['toolExecutionNotifications', 'toolConfigurationNotifications']) {
      const list = own(invocation, key);
      if (!Array.isArray(list)) continue;
      for (const note of list) {
        if (!isRecord(note) || !(own(note, 'level') === 'error' || context.failing.has(descriptorId(note)))) continue;
        errors.push(messageText(own(note, 'message')) ?? 'an error without a message');
        if (errors.length === 3) break;
      }
    }
    const failed = own(invocation, 'executionSuccessful') === false;
    if (!failed && errors.length === 0) continue;
    const detail = errors.length > 0 ? `: ${errors.join('; ')}` : '';
    const what = failed ? 'reports that it did not run successfully' : 'reports errors';
    throw new SarifProblem({
      code: 'ENGINE_FAILED',
      message: boundText(context.scrub(`runs[${runIndex}]: the tool ${what}${detail}`), context.maxLength),
    });
  }
}

/** The id of the notification's descriptor, or `''`. */
function descriptorId(note: JsonRecord): string {
  const descriptor = own(note, 'descriptor');
  return (isRecord(descriptor) ? stringOf(own(descriptor, 'id')) : undefined) ?? '';
}

function readRules(run: JsonRecord): Rules {
  const tool = own(run, 'tool');
  const driver = isRecord(tool) ? own(tool, 'driver') : undefined;
  const list = isRecord(driver) ? own(driver, 'rules') : undefined;
  const byId = new Map<string, JsonRecord>();
  if (!Array.isArray(list)) return { list: [], byId };
  for (const rule of list) {
    if (!isRecord(rule)) continue;
    const id = own(rule, 'id');
    // The first rule with an id wins, as an index lookup would find it.
    if (typeof id === 'string' && !byId.has(id)) byId.set(id, rule);
  }
  return { list, byId };
}

function toViolation(result: JsonRecord, rules: Rules, run: JsonRecord, context: Context): Violation | undefined {
  const kind = own(result, 'kind');
  if (kind !== undefined && kind !== 'fail') return undefined;
  if (isSuppressed(result)) return undefined;

  const reference = own(result, 'rule');
  const ruleIndex = integer(own(result, 'ruleIndex')) ?? (isRecord(reference) ? integer(own(reference, 'index')) : undefined);
  const declaredId = stringOf(own(result, 'ruleId')) ?? (isRecord(reference) ? stringOf(own(reference, 'id')) : undefined);
  const indexed = ruleIndex === undefined ? undefined : rules.list[ruleIndex];
  const rule = isRecord(indexed) ? indexed : declaredId === undefined ? undefined : rules.byId.get(declaredId);
  const ruleId = declaredId ?? (rule === undefined ? undefined : stringOf(own(rule, 'id'))) ?? '(unknown rule)';

  const given = sarifLevel(own(result, 'level')) ?? ruleDefaultLevel(rule) ?? 'warning';
  const level = context.levelOf === undefined ? given : context.levelOf(ruleId, given);
  if (level === 'none' || LEVEL_RANK[level] < context.minRank) return undefined;

  const location = readLocation(result, run, context);
  const text = resultText(result, rule) ?? ruleId;
  let message = location.prefix + text;
  const help = rule === undefined ? undefined : remainder(messageText(own(rule, 'help')), text);
  if (help !== undefined) message += ` Help: ${help}`;
  const helpUri = rule === undefined ? undefined : stringOf(own(rule, 'helpUri'));
  if (helpUri !== undefined) message += ` (see ${helpUri})`;

  const effect = level === 'error' ? context.effect : 'warn';
  return {
    policyId: context.policyId,
    tier: 'engine',
    constraint: boundText(context.scrub(ruleId), context.maxLength),
    path: location.path,
    message: boundText(context.scrub(message), context.maxLength),
    effect,
    // An error-level result of a `warn` policy is a warning: it never blocks.
    severity: effect === 'warn' && level === 'error' ? SEVERITY.warning : SEVERITY[level],
  };
}

/** SARIF: a result is suppressed when it has a suppression whose status is absent or `accepted`. */
function isSuppressed(result: JsonRecord): boolean {
  const suppressions = own(result, 'suppressions');
  if (!Array.isArray(suppressions)) return false;
  return suppressions.some((suppression: unknown) => {
    if (!isRecord(suppression)) return false;
    const status = own(suppression, 'status');
    return status === undefined || status === 'accepted';
  });
}

function ruleDefaultLevel(rule: JsonRecord | undefined): SarifLevel | 'none' | undefined {
  if (rule === undefined) return undefined;
  const configuration = own(rule, 'defaultConfiguration');
  return isRecord(configuration) ? sarifLevel(own(configuration, 'level')) : undefined;
}

function sarifLevel(value: unknown): SarifLevel | 'none' | undefined {
  return value === 'error' || value === 'warning' || value === 'note' || value === 'none' ? value : undefined;
}

/** The result's message: its own text, else the rule's message string it names (with `{0}` arguments filled). */
function resultText(result: JsonRecord, rule: JsonRecord | undefined): string | undefined {
  const message = own(result, 'message');
  const direct = messageText(message);
  if (direct !== undefined) return direct;
  if (!isRecord(message) || rule === undefined) return undefined;
  const id = stringOf(own(message, 'id'));
  const strings = own(rule, 'messageStrings');
  if (id === undefined || !isRecord(strings)) return undefined;
  const template = messageText(own(strings, id));
  if (template === undefined) return undefined;
  const args = own(message, 'arguments');
  const list = Array.isArray(args) ? args : [];
  return template.replace(/\{(\d{1,4})\}/g, (placeholder, index: string) => {
    const value: unknown = list[Number(index)];
    return typeof value === 'string' ? value : placeholder;
  });
}

/**
 * What `help` adds to `message`, on one line: engines often repeat the message as
 * the first line of the help (Semgrep wholly, Checkov before a `Resource:` line).
 */
function remainder(help: string | undefined, message: string): string | undefined {
  if (help === undefined) return undefined;
  const flat = help.replace(/\s*\n\s*/g, ' ').trim();
  const text = message.trim();
  const rest = flat.startsWith(text) ? flat.slice(text.length).trim() : flat;
  return rest.length > 0 ? rest : undefined;
}

/** A SARIF message object's `text`, else its `markdown`. */
function messageText(message: unknown): string | undefined {
  if (!isRecord(message)) return undefined;
  return stringOf(own(message, 'text')) ?? stringOf(own(message, 'markdown'));
}

interface Location {
  readonly path: readonly PathSegment[];
  readonly prefix: string;
}

const NO_LOCATION: Location = { path: [], prefix: '' };

function readLocation(result: JsonRecord, run: JsonRecord, context: Context): Location {
  const locations = own(result, 'locations');
  const first: unknown = Array.isArray(locations) ? locations[0] : undefined;
  const physical = isRecord(first) ? own(first, 'physicalLocation') : undefined;
  if (!isRecord(physical)) return NO_LOCATION;
  const artifact = own(physical, 'artifactLocation');
  let uri = isRecord(artifact) ? stringOf(own(artifact, 'uri')) : undefined;
  if (uri === undefined && isRecord(artifact)) {
    // The location may only point into run.artifacts by index.
    const index = integer(own(artifact, 'index'));
    const artifacts = own(run, 'artifacts');
    const entry: unknown = index !== undefined && Array.isArray(artifacts) ? artifacts[index] : undefined;
    const entryLocation = isRecord(entry) ? own(entry, 'location') : undefined;
    uri = isRecord(entryLocation) ? stringOf(own(entryLocation, 'uri')) : undefined;
  }
  if (uri === undefined) return NO_LOCATION;
  const file = boundText(context.scrub(context.locationFile(uriToPath(uri))), context.maxLength);
  const region = own(physical, 'region');
  const line = isRecord(region) ? positive(own(region, 'startLine')) : undefined;
  const column = line !== undefined && isRecord(region) ? positive(own(region, 'startColumn')) : undefined;
  const path: PathSegment[] = [file];
  if (line !== undefined) path.push(line);
  if (column !== undefined) path.push(column);
  return { path, prefix: `${path.join(':')}: ` };
}

/** SARIF URIs are percent-encoded and may be `file:` URLs; people and paths want the plain file name. */
function uriToPath(uri: string): string {
  let path = uri;
  if (path.startsWith('file://')) {
    path = path.slice('file://'.length);
    // file://host/path: keep the path; file:///path has an empty host.
    const slash = path.indexOf('/');
    path = slash < 0 ? path : path.slice(slash);
  }
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function compareViolations(a: Violation, b: Violation): number {
  const length = Math.max(a.path.length, b.path.length);
  for (let index = 0; index < length; index += 1) {
    const order = compareSegment(a.path[index], b.path[index]);
    if (order !== 0) return order;
  }
  return compareText(a.constraint, b.constraint) || compareText(a.message, b.message) || compareText(a.severity, b.severity);
}

function compareSegment(a: PathSegment | undefined, b: PathSegment | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareText(String(a), String(b));
}

function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function positive(value: unknown): number | undefined {
  const number = integer(value);
  return number !== undefined && number >= 1 ? number : undefined;
}

function describeScalar(value: unknown): string {
  if (value === undefined) return 'nothing';
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
