import type { Engine } from '../engine.js';
import { scopeVocabulary } from '../guidance/scope-vocabulary.js';
import type { ScopeVocabulary } from '../guidance/scope-vocabulary.js';
import { POLICY_SEVERITIES } from '../guidance/severities.js';
import { policyParts } from '../policy/policy-parts.js';
import { OPERATORS } from '../types.js';
import type { Effect, Mode, Operator, Phase, PolicySeverity, RewriteOp } from '../types.js';
import { EVERY_TOOL } from './describe-policy.js';
import { comparisonsOf, fieldsRead } from './policy-fields.js';
import { selectsToolCalls } from './selects-tool-calls.js';
import { effectOf, severityOf } from '../policy/policy-effect.js';

/** What a policy bundle covers, for an agent deciding which of its actions are governed. */
export interface ScopeDescription {
  /** The bundle's content hash (`sha256:...`); every decision carries it. */
  readonly version: string;
  /** The engine's mode: in `monitor` nothing blocks. */
  readonly mode: Mode;
  /** How many policies the bundle holds. */
  readonly policyCount: number;
  /** The policy ids, in policy order. */
  readonly policyIds: readonly string[];
  /** The tool patterns the policies select, sorted, each once; `*` stands for a policy that applies to every tool. */
  readonly tools: readonly string[];
  /** The paths into the action the policies read (`when`, `require`, `assert`, rewrites, shapes), sorted, each once. */
  readonly fields: readonly string[];
  /** The predicate operators used, in documentation order. */
  readonly operators: readonly Operator[];
  /** The rewrite operations used. */
  readonly rewriteOps: readonly RewriteOp[];
  /** The effects of the policies (a policy without `effect` denies). */
  readonly effects: readonly Effect[];
  /** The phases judged: `request` (the proposed action) and `response` (a tool's result). */
  readonly phases: readonly Phase[];
  /** Every scope dimension with the values the policies select on: what `get_constraints({ scope })` can be asked. */
  readonly selectors: ScopeVocabulary;
  /** The policies' categories, sorted, each once. */
  readonly categories: readonly string[];
  /** The policies' severities (declared, or implied by the effect), from `hard` to `advisory`. */
  readonly severities: readonly PolicySeverity[];
  /** The `artifacts` glob patterns, sorted, each once: the generated files the policies select. */
  readonly artifacts: readonly string[];
  /** The engines the enforcement bindings name (`opa`, `checkov`), sorted, each once. */
  readonly engines: readonly string[];
}

const EFFECTS: readonly Effect[] = ['deny', 'escalate', 'warn'];
const PHASES: readonly Phase[] = ['request', 'response'];
const REWRITE_OPS: readonly RewriteOp[] = ['cap_value', 'set_default', 'mask_field', 'remove_field', 'replace'];

// Engines are immutable: a scope is worked out once per engine.
const scopes = new WeakMap<Engine, ScopeDescription>();

/** The scope of `engine`'s policy bundle, computed once per engine. */
export function describeScope(engine: Engine): ScopeDescription {
  const cached = scopes.get(engine);
  if (cached !== undefined) return cached;
  const tools = new Set<string>();
  const fields = new Set<string>();
  const operators = new Set<Operator>();
  const rewriteOps = new Set<RewriteOp>();
  const effects = new Set<Effect>();
  const phases = new Set<Phase>();
  const categories = new Set<string>();
  const severities = new Set<PolicySeverity>();
  const artifacts = new Set<string>();
  const engines = new Set<string>();
  for (const definition of engine.definitions) {
    // An enforcement-only policy judges artifacts, not tool calls: it selects no tool.
    if (selectsToolCalls(definition)) for (const tool of definition.tools ?? [EVERY_TOOL]) tools.add(tool);
    if (definition.category !== undefined) categories.add(definition.category);
    severities.add(severityOf(definition));
    for (const pattern of definition.artifacts ?? []) artifacts.add(pattern);
    for (const binding of definition.enforcement ?? []) engines.add(binding.engine);
    for (const field of fieldsRead(definition)) fields.add(field);
    for (const predicate of [definition.when, definition.assert]) {
      if (predicate !== undefined) for (const comparison of comparisonsOf(predicate)) operators.add(comparison.op);
    }
    for (const rewrite of definition.rewrite ?? []) rewriteOps.add(rewrite.op);
    if (!policyParts(definition).advisory) effects.add(effectOf(definition));
    phases.add(definition.on ?? 'request');
  }
  const scope: ScopeDescription = Object.freeze({
    version: engine.version,
    mode: engine.mode,
    policyCount: engine.definitions.length,
    policyIds: Object.freeze([...engine.policyIds]),
    tools: Object.freeze([...tools].sort()),
    fields: Object.freeze([...fields].sort()),
    operators: Object.freeze(OPERATORS.filter((operator) => operators.has(operator))),
    rewriteOps: Object.freeze(REWRITE_OPS.filter((op) => rewriteOps.has(op))),
    effects: Object.freeze(EFFECTS.filter((effect) => effects.has(effect))),
    phases: Object.freeze(PHASES.filter((phase) => phases.has(phase))),
    selectors: scopeVocabulary(engine.definitions),
    categories: Object.freeze([...categories].sort()),
    severities: Object.freeze(POLICY_SEVERITIES.filter((severity) => severities.has(severity))),
    artifacts: Object.freeze([...artifacts].sort()),
    engines: Object.freeze([...engines].sort()),
  });
  scopes.set(engine, scope);
  return scope;
}

/** The scope as text for the model: one labelled line per list. */
export function formatScope(scope: ScopeDescription): string {
  const list = (values: readonly string[]): string => (values.length === 0 ? '(none)' : values.join(', '));
  return [
    `tierguard policies ${scope.version} (mode ${scope.mode}): ${scope.policyCount} ${scope.policyCount === 1 ? 'policy' : 'policies'}`,
    `tools: ${list(scope.tools)}`,
    `fields: ${list(scope.fields)}`,
    `operators: ${list(scope.operators)}`,
    `rewrites: ${list(scope.rewriteOps)}`,
    `effects: ${list(scope.effects)}`,
    `phases: ${list(scope.phases)}`,
    `policy ids: ${list(scope.policyIds)}`,
    `categories: ${list(scope.categories)}`,
    `severities: ${list(scope.severities)}`,
    `artifacts: ${list(scope.artifacts)}`,
    `engines: ${list(scope.engines)}`,
    `scope selectors: ${formatVocabulary(scope.selectors)}`,
  ].join('\n');
}

/** The dimensions that have values, as `providers: aws, gcp; relationship.differentDomain: true`. */
function formatVocabulary(vocabulary: ScopeVocabulary): string {
  const { relationship, ...lists } = vocabulary;
  const entries: [string, readonly (string | boolean)[]][] = [
    ...Object.entries(lists),
    ...Object.entries(relationship).map(([name, values]): [string, readonly (string | boolean)[]] => [`relationship.${name}`, values]),
  ];
  const used = entries.filter(([, values]) => values.length > 0).map(([name, values]) => `${name}: ${values.join(', ')}`);
  return used.length === 0 ? '(none)' : used.join('; ');
}
