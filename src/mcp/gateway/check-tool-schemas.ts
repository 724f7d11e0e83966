// Longer than most: the check's rules (which policies, which fields, which
// tools, what counts as present) are one contract and read best in one place;
// the schema walk and its keywords live beside it in their own modules.
import { describeThrown } from '../../describe-thrown.js';
import { resolveLimits, type Limits } from '../../limits.js';
import type { CompiledPolicy } from '../../policy/compile-policy.js';
import type { Engine } from '../../engine.js';
import type { PolicyDefinition } from '../../types.js';
import { escapeTerminalText } from '../../terminal-text.js';
import { fieldReads, type FieldRead } from '../policy-fields.js';
import { closestNames, didYouMean } from '../../did-you-mean.js';
import { isJsonPath } from '../../path/parse-path.js';
import { policyPath, policyPathText as pathText, policyPathWith as pathWith, type PolicyPath } from './policy-path.js';
import { walkSchema, type SchemaWalk } from './schema-walk.js';
import { toolMatcher } from './tool-matcher.js';
import { policyParts } from '../../policy/policy-parts.js';
import { mayJudgeToolCalls } from './tool-call-scope.js';

/** A tool as a server lists it (`tools/list`): its name and the JSON Schemas of its arguments and, optionally, its structured result. */
export interface ToolDescription {
  /** The tool's name, which policies select with `tools`. */
  readonly name: string;
  /** The JSON Schema of its arguments. */
  readonly inputSchema: object;
  /** The JSON Schema of its structured result, when it has one. */
  readonly outputSchema?: object | undefined;
}

/** One mismatch between a policy and the server's tools. */
export interface ToolSchemaProblem {
  /** The policy. */
  readonly policyId: string;
  /** Where in the policy's definition: `/tools/0`, `/when/field`, `/shape/properties/1/path`. */
  readonly pointer: string;
  /** The field the policy reads, for a field problem. */
  readonly field?: string;
  /** The tool whose schema lacks the field; absent when the problem is with every tool. */
  readonly tool?: string;
  /** The problem in words, naming the policy, the field and the tool. */
  readonly message: string;
  /**
   * What the message's "did you mean" offers, nearest first, written whole: the
   * field with its mistyped key replaced (`arguments.amount`; none for a
   * JSONPath), or a tool's name for a `tools` pattern.
   */
  readonly suggestions?: readonly string[];
}

/** Options for {@link checkPoliciesAgainstTools}. */
export interface CheckToolSchemasOptions {
  /** Bounds on the work a schema may cost (`maxDepth`, `maxNodes`, the regex limits); the engine's defaults otherwise. */
  readonly limits?: Partial<Limits>;
  /**
   * Other names policies select with `tools`: prompt names, resource URIs,
   * `initialize`. A pattern that matches one of them is not reported as matching
   * no tool. `initialize` is always among them.
   */
  readonly otherTargets?: readonly string[];
  /** The top-level keys of the actions the policies judge; default `tool`, `kind`, `arguments`, `context` (and `result` on responses). */
  readonly actionKeys?: readonly string[];
}

const DEFAULT_ACTION_KEYS = ['tool', 'kind', 'arguments', 'context'];

/**
 * Checks policies against a server's tools, so a typo cannot silently allow:
 * every `tools` pattern of a request policy must match a tool (or an
 * {@link CheckToolSchemasOptions.otherTargets | other target}), and every path a
 * policy reads under `arguments` (in `when`, `require`, `assert`, `valueRef`s,
 * rewrite fields and shape paths; message placeholders name no fields) must
 * exist in the `inputSchema` of each tool its patterns match; a response
 * policy's `result.structuredContent` paths are checked against the tool's
 * `outputSchema` when it has one. A policy without `tools` is checked against
 * the whole server: its path must exist in some tool's schema. A JSONPath is
 * checked up to its first wildcard or filter; paths under `tool`, `kind`,
 * `context` and `result` are not checked, and a path under any other top-level
 * key is a problem (gateway actions have none). Policies whose `when` rules out
 * tool calls ({@link mayJudgeToolCalls}) and enforcement-only ones are skipped.
 * How schemas are read is in {@link walkSchema}. Pure, synchronous and total: a
 * hostile schema or tool list gives problems, never a throw or a hang.
 */
export function checkPoliciesAgainstTools(
  policies: readonly CompiledPolicy[],
  tools: readonly ToolDescription[],
  options: CheckToolSchemasOptions = {},
): ToolSchemaProblem[] {
  const list: readonly CompiledPolicy[] = Array.isArray(policies) ? policies : [];
  return checkDefinitions(
    list.map((policy) => definitionOf(policy)),
    tools,
    options,
  );
}

/**
 * {@link checkPoliciesAgainstTools} for an engine's policies (its compiled
 * definitions), under the engine's limits unless `options.limits` says otherwise.
 */
export function checkEngineAgainstTools(
  engine: Pick<Engine, 'definitions' | 'limits'>,
  tools: readonly ToolDescription[],
  options: CheckToolSchemasOptions = {},
): ToolSchemaProblem[] {
  return checkDefinitions(engine.definitions, tools, { ...options, limits: options.limits ?? engine.limits });
}

function checkDefinitions(
  definitions: readonly (PolicyDefinition | undefined)[],
  tools: readonly ToolDescription[],
  options: CheckToolSchemasOptions,
): ToolSchemaProblem[] {
  const limits = resolveLimits(options.limits);
  const listed = Array.isArray(tools) ? tools.filter(isTool) : [];
  const others = [
    'initialize',
    ...(Array.isArray(options.otherTargets) ? options.otherTargets.filter((name) => typeof name === 'string') : []),
  ];
  const actionKeys = Array.isArray(options.actionKeys) ? options.actionKeys.filter((key) => typeof key === 'string') : DEFAULT_ACTION_KEYS;
  const context: Context = { limits, tools: listed, walks: new Map(), actionKeys };
  const problems: ToolSchemaProblem[] = [];
  const list: readonly (PolicyDefinition | undefined)[] = Array.isArray(definitions) ? definitions : [];
  for (const policy of list) {
    try {
      if (typeof policy !== 'object' || policy === null) throw new TypeError('it is not a policy');
      // An advisory policy judges nothing: a tool it names that the server lacks lets nothing through.
      const parts = policyParts(policy);
      if (parts.engineOnly || parts.advisory || !mayJudgeToolCalls(policy)) continue;
      const applied = policy.tools === undefined ? undefined : toolsMatched(policy, listed, others, limits, problems);
      for (const read of fieldReads(policy)) checkRead(policy, read, applied, context, problems);
    } catch (error) {
      const id = idOf(policy);
      problems.push({
        policyId: id,
        pointer: '',
        message: `policy ${quote(id)} could not be checked against the server's tools: ${describeThrown(error)}`,
      });
    }
  }
  return problems;
}

/** The problems as lines for a terminal or a log, each escaped (tool and property names come from the server). */
export function formatToolSchemaProblems(problems: readonly ToolSchemaProblem[]): string {
  const count = `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`;
  return [
    `${count} between the policies and the server's tool schemas:`,
    ...problems.map((problem) => `  - ${escapeTerminalText(problem.message)}`),
  ].join('\n');
}

interface Context {
  readonly limits: Limits;
  readonly tools: readonly ToolDescription[];
  /** Walks done, per tool and then per path: policies often read the same fields. */
  readonly walks: Map<ToolDescription, Map<string, SchemaWalk>>;
  readonly actionKeys: readonly string[];
}

// The tools a policy's patterns select; a pattern that selects nothing is a problem (request policies only).
function toolsMatched(
  policy: PolicyDefinition,
  tools: readonly ToolDescription[],
  others: readonly string[],
  limits: Limits,
  problems: ToolSchemaProblem[],
): ToolDescription[] {
  const selected = new Set<ToolDescription>();
  (policy.tools ?? []).forEach((pattern, position) => {
    const matches = toolMatcher(pattern, limits);
    const matched = tools.filter((tool) => matches(tool.name));
    for (const tool of matched) selected.add(tool);
    if (policy.on === 'response' || matched.length > 0 || others.some(matches)) return;
    const names = closestNames(
      pattern,
      tools.map((tool) => tool.name),
    );
    problems.push({
      policyId: policy.id,
      pointer: `/tools/${position}`,
      message: `policy ${quote(policy.id)}: tools pattern ${quote(pattern)} (/tools/${position}) matches no tool of the server${didYouMean(names)}`,
      ...suggesting(names),
    });
  });
  return tools.filter((tool) => selected.has(tool));
}

function checkRead(
  policy: PolicyDefinition,
  read: FieldRead,
  applied: readonly ToolDescription[] | undefined,
  context: Context,
  problems: ToolSchemaProblem[],
): void {
  const path = policyPath(read);
  const reads = `policy ${quote(policy.id)} reads ${quote(read.field)} (${read.pointer})`;
  const base = { policyId: policy.id, pointer: read.pointer, field: read.field };
  // A JSONPath is checked up to its first wildcard: a whole path for it would drop the rest.
  const offer = (names: readonly string[]): ReturnType<typeof suggesting> => (isJsonPath(read.field) ? {} : suggesting(names));
  if (path === 'unchecked') return;
  if ('invalid' in path) {
    problems.push({ ...base, message: `${reads}, but ${path.invalid}` });
    return;
  }
  const keys = policy.on === 'response' ? [...context.actionKeys, 'result'] : context.actionKeys;
  if (!keys.includes(path.head)) {
    const names = closestNames(path.head, keys);
    problems.push({
      ...base,
      message: `${reads}, but the actions a gateway judges have only ${keys.join(', ')} at the top${didYouMean(names)}`,
      ...offer(names.map((name) => pathWith(path, -1, name))),
    });
    return;
  }
  const target = schemaTarget(path, policy.on === 'response');
  if (target === undefined) return;
  const candidates = (applied ?? context.tools).filter((tool) => target.kind === 'inputSchema' || tool.outputSchema !== undefined);
  const failures: { readonly tool: ToolDescription; readonly walk: Extract<SchemaWalk, { found: false }> }[] = [];
  for (const tool of candidates) {
    const walk = walked(tool, target.kind, target.path, read, context);
    if (walk.found) {
      if (applied === undefined) return;
    } else failures.push({ tool, walk });
  }
  if (applied === undefined) {
    // Nothing to check a structured result against is no evidence against the path.
    if (target.kind === 'outputSchema' && candidates.length === 0) return;
    const offered = failures.flatMap(({ walk }) => {
      const index = target.skip - 1 + walk.matched;
      return closestNames(lastStep(path, index), walk.names).map((name) => ({ name, whole: pathWith(path, index, name) }));
    });
    const names = [...new Set(offered.map(({ name }) => name))].slice(0, 3);
    problems.push({
      ...base,
      message: `${reads}, but no tool of the server has it in its ${target.kind}${didYouMean(names)}`,
      ...offer([...new Set(offered.map(({ whole }) => whole))].slice(0, 3)),
    });
    return;
  }
  for (const { tool, walk } of failures) {
    const index = target.skip - 1 + walk.matched;
    const names = walk.reason === 'missing' && walk.matched >= 0 ? closestNames(lastStep(path, index), walk.names) : [];
    problems.push({
      ...base,
      tool: tool.name,
      message: `${reads}, but ${whyMissing(path, target, tool, walk)}`,
      ...offer(names.map((name) => pathWith(path, index, name))),
    });
  }
}

/** What part of a tool's schemas a path is checked against: the arguments or the structured result, after the keys that lead there. */
interface SchemaTarget {
  readonly kind: 'inputSchema' | 'outputSchema';
  readonly path: PolicyPath;
  /** How many of the path's steps lead to the schema's root (`arguments`; `result.structuredContent`). */
  readonly skip: number;
}

function schemaTarget(path: PolicyPath, response: boolean): SchemaTarget | undefined {
  if (path.head === 'arguments') return { kind: 'inputSchema', path, skip: 1 };
  const second = path.steps[0];
  if (response && path.head === 'result' && second?.kind === 'key' && second.key === 'structuredContent')
    return { kind: 'outputSchema', path, skip: 2 };
  return undefined;
}

function walked(tool: ToolDescription, kind: SchemaTarget['kind'], path: PolicyPath, read: FieldRead, context: Context): SchemaWalk {
  const key = `${kind}\u0000${read.syntax}\u0000${read.field}`;
  const done = context.walks.get(tool) ?? new Map<string, SchemaWalk>();
  context.walks.set(tool, done);
  let walk = done.get(key);
  if (walk === undefined) {
    const schema: unknown = kind === 'inputSchema' ? tool.inputSchema : tool.outputSchema;
    const steps = kind === 'inputSchema' ? path.steps : path.steps.slice(1);
    walk =
      typeof schema === 'boolean' || (typeof schema === 'object' && schema !== null && !Array.isArray(schema))
        ? walkSafely(schema, steps, read, context.limits)
        : { found: false, matched: -1, reason: 'not-container', names: [] };
    done.set(key, walk);
  }
  return walk;
}

function walkSafely(schema: unknown, steps: PolicyPath['steps'], read: FieldRead, limits: Limits): SchemaWalk {
  try {
    return walkSchema(schema, steps, { arraysTransparent: read.syntax === 'shape', limits });
  } catch (error) {
    // A getter or proxy in a schema built in code: the path cannot be followed, which is a problem, not a crash.
    return { found: false, matched: 0, reason: 'unfollowable', detail: `reading it threw: ${describeThrown(error)}`, names: [] };
  }
}

function whyMissing(path: PolicyPath, target: SchemaTarget, tool: ToolDescription, walk: Extract<SchemaWalk, { found: false }>): string {
  const schema = `tool ${quote(tool.name)}'s ${target.kind}`;
  if (walk.matched < 0) return `tool ${quote(tool.name)} has no ${target.kind} that is a JSON Schema`;
  const offset = target.skip - 1;
  const at = pathText(path, offset + walk.matched + 1);
  const missing = lastStep(path, offset + walk.matched);
  if (walk.reason === 'unfollowable') return `${schema} cannot be followed to ${at}: ${walk.detail ?? 'it is too complex'}`;
  if (walk.reason === 'not-container') {
    const step = path.steps[offset + walk.matched];
    const holds = step?.kind === 'key' && !/^(0|[1-9][0-9]*)$/.test(step.key) ? 'not an object' : 'neither an object nor an array';
    return `${pathText(path, offset + walk.matched)} is ${holds} in ${schema}, so it has no ${quote(missing)}`;
  }
  return `${schema} has no ${quote(missing)} under ${pathText(path, offset + walk.matched)}${didYouMean(closestNames(missing, walk.names))}`;
}

function suggesting(names: readonly string[]): { readonly suggestions?: readonly string[] } {
  return names.length === 0 ? {} : { suggestions: names };
}

function lastStep(path: PolicyPath, index: number): string {
  const step = path.steps[index];
  return step === undefined ? '' : step.kind === 'any' ? '*' : step.key;
}

// A hostile entry in the list has no definition: it is reported as a policy that could not be checked.
function definitionOf(policy: CompiledPolicy): PolicyDefinition | undefined {
  try {
    return policy.definition;
  } catch {
    return undefined;
  }
}

function idOf(policy: unknown): string {
  try {
    const id = (policy as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : '(a policy without an id)';
  } catch {
    return '(a policy without an id)';
  }
}

// An entry that is not an object with a string name cannot be selected by a policy; a throwing getter is such an entry.
function isTool(tool: unknown): tool is ToolDescription {
  try {
    return typeof tool === 'object' && tool !== null && typeof (tool as { name?: unknown }).name === 'string';
  } catch {
    return false;
  }
}

// Names from a server can be of any length; a message shows enough to find them.
function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}
