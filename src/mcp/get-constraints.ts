import type { Engine } from '../engine.js';
import type { Mode, Phase } from '../types.js';
import type { PolicyDescription } from './describe-policy.js';
import { catalogOf } from './policy-catalog.js';

/** What `get_constraints` is asked. */
export interface ConstraintsQuery {
  /** A tool name: only the policies whose `tools` match it. Absent: every policy. */
  readonly tool?: string;
  /**
   * `request`: only the policies that judge a proposed action; `response`: only
   * those that judge a tool's result (`on: 'response'`). Absent: both.
   */
  readonly kind?: Phase;
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
  /** The matching policies, in policy order; empty when none applies. */
  readonly policies: readonly PolicyDescription[];
}

/**
 * The policies of `engine` that apply to `query.tool` (matched as the engine
 * matches an action's tool) and judge the phase `query.kind`, described for an agent.
 */
export function getConstraints(engine: Engine, query: ConstraintsQuery = {}): ConstraintsReport {
  const catalog = catalogOf(engine);
  const selected = query.tool === undefined ? catalog.policies : catalog.forTool(query.tool);
  return {
    version: engine.version,
    mode: engine.mode,
    ...(query.tool === undefined ? {} : { tool: query.tool }),
    ...(query.kind === undefined ? {} : { kind: query.kind }),
    policies: query.kind === undefined ? [...selected] : selected.filter((policy) => policy.phase === query.kind),
  };
}

/** The report as text for the model: a summary line, then each policy's checks on indented lines. */
export function formatConstraints(report: ConstraintsReport): string {
  const count = report.policies.length;
  const what = `${count} ${report.kind === undefined ? '' : `${report.kind} `}${count === 1 ? 'policy' : 'policies'}`;
  const scope = report.tool === undefined ? '' : ` ${count === 1 ? 'applies' : 'apply'} to ${report.tool}`;
  const lines = [`${what}${scope} (policies ${report.version}, mode ${report.mode})`];
  if (count === 0 && report.tool !== undefined)
    lines.push(`No policy constrains ${report.tool}${report.kind === undefined ? '' : ` in the ${report.kind} phase`}.`);
  for (const policy of report.policies) lines.push('', ...formatPolicy(policy));
  return lines.join('\n');
}

function formatPolicy(policy: PolicyDescription): string[] {
  const lines = [`${policy.id}  ${policy.effect}  ${policy.mode}  ${policy.phase}  tools: ${policy.tools.join(', ')}`];
  if (policy.description !== undefined) lines.push(`  ${policy.description}`);
  if (policy.when !== undefined) lines.push(`  applies when: ${policy.when}`);
  if (policy.require !== undefined) lines.push(`  requires: ${policy.require.join(', ')}`);
  if (policy.assert !== undefined) lines.push(`  asserts: ${policy.assert}`);
  if (policy.rewrites !== undefined) lines.push(`  rewrites: ${policy.rewrites.join('; ')}`);
  if (policy.shape !== undefined) lines.push('  shape:', ...policy.shape.map((line) => `    ${line}`));
  if (policy.shapesFile !== undefined) lines.push(`  shapes file: ${policy.shapesFile} (hand-written SHACL)`);
  if (policy.violatedWhenApplies === true) lines.push('  violated whenever it applies');
  if (policy.message !== undefined) lines.push(`  message: ${policy.message}`);
  return lines;
}
