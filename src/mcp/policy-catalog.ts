import { ToolIndex } from '../glob/tool-index.js';
import type { Engine } from '../engine.js';
import type { PolicyDefinition } from '../types.js';
import type { PolicyDescription } from './describe-policy.js';
import { describePolicy } from './describe-policy.js';
import type { GuidanceDescription } from './describe-guidance.js';
import { describeGuidance } from './describe-guidance.js';
import { selectsToolCalls } from './selects-tool-calls.js';

/** A policy as `get_constraints` lists it: its checks in readable form and its guidance. */
export type ConstraintDescription = PolicyDescription & GuidanceDescription;

/** One policy of the catalog: its definition and its description, at its position in the set. */
export interface CatalogEntry {
  /** The policy's tool patterns, for the tool index. */
  readonly tools: readonly string[] | undefined;
  /** Its position in the set. */
  readonly index: number;
  /** The definition, as the engine compiled it. */
  readonly definition: PolicyDefinition;
  /** How `get_constraints` describes it. */
  readonly description: ConstraintDescription;
  /** False for a policy listed for no tool: enforcement-only, or advisory about artifacts only. */
  readonly toolCalls: boolean;
}

/** An engine's policies described once, with the engine's own tool matching. */
export interface PolicyCatalog {
  /** Every policy, in policy order. */
  readonly policies: readonly ConstraintDescription[];
  /** Every policy with its definition, in policy order. */
  readonly entries: readonly CatalogEntry[];
  /**
   * The policies whose `tools` match `tool` (policies without `tools` match every tool), in policy order.
   * Enforcement-only policies judge artifacts, never tool calls, so they are not listed here; nor are
   * advisory policies that select with `artifacts` alone.
   */
  forTool(tool: string): readonly ConstraintDescription[];
  /** The entries {@link PolicyCatalog.forTool} lists, with their definitions. */
  entriesForTool(tool: string): readonly CatalogEntry[];
}

// Engines are immutable, so what is derived from one is built once and lives as
// long as the engine: a hot-swapped engine gets its own catalog on first use.
const catalogs = new WeakMap<Engine, PolicyCatalog>();

/**
 * The catalog of `engine`'s policies. Tool patterns are matched by the same
 * `ToolIndex` the engine selects policies with (RE2 globs from `compileGlob`,
 * exact names by lookup), so the answer is the set of policies an action on
 * that tool is judged by.
 */
export function catalogOf(engine: Engine): PolicyCatalog {
  const cached = catalogs.get(engine);
  if (cached !== undefined) return cached;
  const entries: CatalogEntry[] = engine.definitions.map((definition, index) =>
    Object.freeze({
      tools: definition.tools,
      index,
      definition,
      description: { ...describePolicy(definition, engine.mode), ...describeGuidance(definition) },
      toolCalls: selectsToolCalls(definition),
    }),
  );
  const index = new ToolIndex(
    entries.filter((entry) => entry.toolCalls),
    engine.limits,
  );
  const catalog: PolicyCatalog = Object.freeze({
    policies: Object.freeze(entries.map((entry) => entry.description)),
    entries: Object.freeze(entries),
    forTool: (tool: string) => index.lookup(tool).map((entry) => entry.description),
    entriesForTool: (tool: string) => index.lookup(tool),
  });
  catalogs.set(engine, catalog);
  return catalog;
}
