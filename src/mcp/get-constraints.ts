import { closestNames, didYouMean } from '../did-you-mean.js';
import type { Engine } from '../engine.js';
import { TierguardError } from '../errors.js';
import { matchesScope } from '../guidance/scope-match.js';
import { parseScopeQuery } from '../guidance/scope-query.js';
import type { ScopeQuery } from '../guidance/scope-query.js';
import { POLICY_SEVERITIES } from '../guidance/severities.js';
import { POLICY_CATEGORIES } from '../types.js';
import type { Mode, Phase, PolicySeverity } from '../types.js';
import { formatConstraint, formatScopeQuery } from './format-constraint.js';
import type { ConstraintDescription } from './policy-catalog.js';
import { catalogOf } from './policy-catalog.js';

/** What `get_constraints` is asked. Every filter given must hold (AND). */
export interface ConstraintsQuery {
  /** A tool name: only the policies whose `tools` match it. Absent: every policy. */
  readonly tool?: string;
  /**
   * `request`: only the policies that judge a proposed action; `response`: only
   * those that judge a tool's result (`on: 'response'`). Absent: both.
   */
  readonly kind?: Phase;
  /** What the agent is about to produce: only the policies whose `scope` matches it (README, "Scope matching"). */
  readonly scope?: ScopeQuery;
  /** Only the policies of this category. */
  readonly category?: string;
  /** Only the policies of this severity (declared, or implied by the effect). */
  readonly severity?: PolicySeverity;
}

/** The policies that answer a {@link ConstraintsQuery}. */
export interface ConstraintsReport {
  /** The bundle's content hash (`sha256:...`). */
  readonly version: string;
  /** The engine's mode: in `monitor` nothing blocks. */
  readonly mode: Mode;
  /** The tool asked about, when one was. */
  readonly tool?: string;
  /** The phase asked about, when one was. */
  readonly kind?: Phase;
  /** The scope asked about, as given, when one was. */
  readonly scope?: ScopeQuery;
  /** The category asked about, when one was. */
  readonly category?: string;
  /** The severity asked about, when one was. */
  readonly severity?: PolicySeverity;
  /** The matching policies, in policy order; empty when none applies. */
  readonly policies: readonly ConstraintDescription[];
}

/**
 * The policies of `engine` that apply to `query.tool` (matched as the engine
 * matches an action's tool), judge the phase `query.kind`, match `query.scope`
 * and have the category and severity asked, described for an agent.
 *
 * @throws {TierguardError} `INVALID_OPTIONS` for a malformed scope (an unknown
 *   dimension, a bad value), a category that is neither one tierguard names nor
 *   one the policies use, or an unknown severity; each message lists the valid values.
 */
export function getConstraints(engine: Engine, query: ConstraintsQuery = {}): ConstraintsReport {
  const scope = query.scope === undefined ? undefined : parseScopeQuery(query.scope);
  const catalog = catalogOf(engine);
  if (query.category !== undefined) checkCategory(query.category, catalog.policies);
  if (query.severity !== undefined) checkSeverity(query.severity);
  const selected = query.tool === undefined ? catalog.entries : catalog.entriesForTool(query.tool);
  const policies = selected
    .filter(
      ({ definition, description }) =>
        (query.kind === undefined || description.phase === query.kind) &&
        (query.category === undefined || definition.category === query.category) &&
        (query.severity === undefined || description.severity === query.severity) &&
        (scope === undefined || matchesScope(definition.scope, scope)),
    )
    .map((entry) => entry.description);
  return {
    version: engine.version,
    mode: engine.mode,
    ...(query.tool === undefined ? {} : { tool: query.tool }),
    ...(query.kind === undefined ? {} : { kind: query.kind }),
    ...(query.scope === undefined ? {} : { scope: query.scope }),
    ...(query.category === undefined ? {} : { category: query.category }),
    ...(query.severity === undefined ? {} : { severity: query.severity }),
    policies,
  };
}

/** A category must be one tierguard names or one the policies use: anything else is a typo, not an empty answer. */
function checkCategory(category: unknown, policies: readonly ConstraintDescription[]): void {
  const known = [
    ...new Set([...POLICY_CATEGORIES, ...policies.flatMap((policy) => (policy.category === undefined ? [] : [policy.category]))]),
  ];
  if (typeof category === 'string' && known.includes(category)) return;
  const hint = typeof category === 'string' ? didYouMean(closestNames(category, known)) : '';
  throw new TierguardError(
    'INVALID_OPTIONS',
    `unknown category ${JSON.stringify(category)}${hint}; the categories are ${known.join(', ')}`,
    {
      option: 'category',
      actual: category,
    },
  );
}

function checkSeverity(severity: unknown): void {
  if (POLICY_SEVERITIES.includes(severity as PolicySeverity)) return;
  const hint = typeof severity === 'string' ? didYouMean(closestNames(severity, POLICY_SEVERITIES)) : '';
  throw new TierguardError(
    'INVALID_OPTIONS',
    `unknown severity ${JSON.stringify(severity)}${hint}; the severities are ${POLICY_SEVERITIES.join(', ')}`,
    { option: 'severity', actual: severity },
  );
}

/** The report as text for the model: a summary line, then each policy's checks and guidance on indented lines. */
export function formatConstraints(report: ConstraintsReport): string {
  const count = report.policies.length;
  const what = `${count} ${report.kind === undefined ? '' : `${report.kind} `}${count === 1 ? 'policy' : 'policies'}`;
  const scope = report.tool === undefined ? '' : ` ${count === 1 ? 'applies' : 'apply'} to ${report.tool}`;
  const filters = [
    ...(report.scope === undefined ? [] : [`scope ${formatScopeQuery(report.scope)}`]),
    ...(report.category === undefined ? [] : [`category ${report.category}`]),
    ...(report.severity === undefined ? [] : [`severity ${report.severity}`]),
  ];
  const matching = filters.length === 0 ? '' : ` matching ${filters.join(', ')}`;
  const lines = [`${what}${scope}${matching} (policies ${report.version}, mode ${report.mode})`];
  if (count === 0 && report.tool !== undefined)
    lines.push(`No policy constrains ${report.tool}${report.kind === undefined ? '' : ` in the ${report.kind} phase`}${matching}.`);
  else if (count === 0 && filters.length > 0) lines.push(`No policy matches ${filters.join(', ')}.`);
  for (const policy of report.policies) lines.push('', ...formatConstraint(policy));
  return lines.join('\n');
}
