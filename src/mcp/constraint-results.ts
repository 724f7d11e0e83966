import type { Engine } from '../engine.js';
import { compileArtifactSelector } from '../enforcement/artifact-selector.js';
import type { ArtifactSelector } from '../enforcement/artifact-selector.js';
import { remediationOf } from '../guidance/remediation.js';
import { matchesScope } from '../guidance/scope-match.js';
import type { ParsedScopeQuery } from '../guidance/scope-query.js';
import { compilePredicate } from '../predicate/compile-predicate.js';
import type { CompiledPredicate } from '../predicate/compile-predicate.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { Decision, PolicyGuidance, PolicySeverity } from '../types.js';
import type { CatalogEntry } from './policy-catalog.js';
import { catalogOf } from './policy-catalog.js';

/** How one policy came out of a `validate` call. */
export type ConstraintStatus = 'violated' | 'passed' | 'informational' | 'error';

/** One policy's result in a `validate` answer. */
export interface ConstraintResult {
  /** The policy. */
  readonly policyId: string;
  /** Its title, when it has one. */
  readonly title?: string;
  /** Declared, or implied by its effect. */
  readonly severity: PolicySeverity;
  /**
   * `violated`: it found something (whether that blocks follows its severity and
   * mode); `passed`: it applied and found nothing; `error`: it could not be
   * evaluated; `informational`: an advisory policy that selects the action or
   * artifact, with its guidance.
   */
  readonly status: ConstraintStatus;
  /** Present when the policy is being retired. */
  readonly deprecated?: true;
  /** The policy that replaces a deprecated one. */
  readonly successor?: string;
  /** For a violated policy: what to change, from its guidance (`do`, `dont`, the compliant example). */
  readonly remediation?: string;
  /** For an informational (advisory) policy: its guidance. */
  readonly guidance?: PolicyGuidance;
}

/** What a `validate` call judged: an action's tool, or an artifact's name. */
export type Judged = { readonly tool: string } | { readonly artifact: string };

// Engines are immutable: each one's artifact selectors and `when` predicates are compiled once, on first use.
const selectors = new WeakMap<Engine, readonly (ArtifactSelector | undefined)[]>();
const conditions = new WeakMap<Engine, readonly (CompiledPredicate | undefined)[]>();

/**
 * The per-policy results of a `validate` decision, in policy order: each policy
 * that applied, with its status from the decision, and each advisory policy that
 * selects the action or artifact and whose scope matches `scope` as
 * `informational`. For an action, a policy applies when the action's tool
 * selects it (request phase) and its `when` holds over the action as rewritten
 * (or it found something, rewrote, or failed); for an artifact, when the
 * artifact's name selects its engines. An advisory policy selects an action by
 * `tools` and an artifact by `artifacts`; one with neither selects both.
 */
export function constraintResults(engine: Engine, decision: Decision, judged: Judged, scope?: ParsedScopeQuery): ConstraintResult[] {
  const catalog = catalogOf(engine);
  const selected =
    'tool' in judged
      ? catalog.entriesForTool(judged.tool).filter((entry) => entry.description.phase === 'request')
      : artifactEntries(engine, catalog.entries, judged.artifact);
  const found = new Set(
    [...decision.violations, ...decision.warnings, ...decision.wouldDeny, ...decision.wouldEscalate].map((v) => v.policyId),
  );
  const failed = new Set(decision.errors.flatMap((error) => (error.policyId === undefined ? [] : [error.policyId])));
  const rewrote = new Set(decision.rewrites.map((rewrite) => rewrite.policyId));
  const results: ConstraintResult[] = [];
  for (const { definition, description, index } of selected) {
    const advisory = description.severity === 'advisory';
    if (advisory && scope !== undefined && !matchesScope(definition.scope, scope)) continue;
    const spoke = found.has(definition.id) || failed.has(definition.id) || rewrote.has(definition.id);
    if (!advisory && !spoke && 'tool' in judged && !holds(engine, index, decision)) continue;
    const status: ConstraintStatus = advisory
      ? 'informational'
      : failed.has(definition.id)
        ? 'error'
        : found.has(definition.id)
          ? 'violated'
          : 'passed';
    const remediation = status === 'violated' ? remediationOf(definition.guidance) : undefined;
    results.push({
      policyId: definition.id,
      ...(definition.title === undefined ? {} : { title: definition.title }),
      severity: description.severity,
      status,
      ...(definition.deprecated === true ? { deprecated: true as const } : {}),
      ...(definition.successor === undefined ? {} : { successor: definition.successor }),
      ...(remediation === undefined ? {} : { remediation }),
      ...(advisory && definition.guidance !== undefined ? { guidance: definition.guidance } : {}),
    });
  }
  return results;
}

/**
 * The entries an artifact named `name` selects: those whose enforcement
 * `engine.validate` runs on it (as it selects them: `artifacts` matching, or
 * none), and the advisory ones whose `artifacts` match or that have neither
 * `artifacts` nor `tools`.
 */
function artifactEntries(engine: Engine, entries: readonly CatalogEntry[], name: string): CatalogEntry[] {
  const compiled = selectorsOf(engine, entries);
  return entries.filter(({ definition, description }, position) => {
    const selector = compiled[position];
    if (description.severity === 'advisory') {
      return selector === undefined ? definition.tools === undefined : selector.selects(name);
    }
    return definition.enforcement !== undefined && (selector?.selects(name) ?? true);
  });
}

/** Whether policy `index`'s `when` holds over the decided action; true without one, or when it cannot be told. */
function holds(engine: Engine, index: number, decision: Decision): boolean {
  let compiled = conditions.get(engine);
  if (compiled === undefined) {
    // The engine compiled these predicates already (or refused the set): they compile here too.
    compiled = engine.definitions.map((definition) =>
      definition.when === undefined ? undefined : compilePredicate(definition.when, '/when', engine.limits),
    );
    conditions.set(engine, compiled);
  }
  const when = compiled[index];
  if (when === undefined) return true;
  try {
    return when.test(decision.action);
  } catch {
    // The engine would have reported a failure of its own; listing the policy says no less than it did.
    return true;
  }
}

function selectorsOf(engine: Engine, entries: readonly CatalogEntry[]): readonly (ArtifactSelector | undefined)[] {
  const cached = selectors.get(engine);
  if (cached !== undefined) return cached;
  // The engine compiled these patterns already (or refused the set): they compile here too.
  const compiled = entries.map(({ definition }) =>
    definition.artifacts === undefined ? undefined : compileArtifactSelector(definition.artifacts, engine.limits).selector,
  );
  selectors.set(engine, compiled);
  return compiled;
}

/** The results as text lines under the decision: one per policy, its remediation or guidance indented below. */
export function formatConstraintResults(results: readonly ConstraintResult[]): string {
  if (results.length === 0) return '';
  const lines = ['constraints:'];
  for (const result of results) {
    const flag = result.deprecated === true ? `, deprecated${result.successor === undefined ? '' : ` for ${result.successor}`}` : '';
    const title = result.title === undefined ? '' : `  ${result.title}`;
    lines.push(`  ${result.status}  ${result.policyId} (${result.severity}${flag})${title}`);
    if (result.remediation !== undefined) lines.push(...block('fix', result.remediation));
    const guidance = result.guidance === undefined ? undefined : remediationOf(result.guidance);
    if (guidance !== undefined) lines.push(...block('guidance', guidance));
  }
  return lines.map(escapeTerminalText).join('\n');
}

function block(label: string, text: string): string[] {
  const [first = '', ...rest] = text.split('\n');
  return [`    ${label}: ${first}`, ...rest.map((line) => `      ${line}`)];
}
