import { ToolIndex } from '../glob/tool-index.js';
import type { Engine } from '../engine.js';
import { policyParts } from '../policy/policy-parts.js';
import type { PolicyDescription } from './describe-policy.js';
import { describePolicy } from './describe-policy.js';

/** An engine's policies described once, with the engine's own tool matching. */
export interface PolicyCatalog {
  /** Every policy, in policy order. */
  readonly policies: readonly PolicyDescription[];
  /**
   * The policies whose `tools` match `tool` (policies without `tools` match every tool), in policy order.
   * Enforcement-only policies judge artifacts, never tool calls, so they are not listed here.
   */
  forTool(tool: string): readonly PolicyDescription[];
}

interface Entry {
  readonly tools: readonly string[] | undefined;
  readonly index: number;
  readonly description: PolicyDescription;
  readonly engineOnly: boolean;
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
  const entries: Entry[] = engine.definitions.map((definition, index) => ({
    tools: definition.tools,
    index,
    description: describePolicy(definition, engine.mode),
    engineOnly: policyParts(definition).engineOnly,
  }));
  const index = new ToolIndex(
    entries.filter((entry) => !entry.engineOnly),
    engine.limits,
  );
  const catalog: PolicyCatalog = Object.freeze({
    policies: Object.freeze(entries.map((entry) => entry.description)),
    forTool: (tool: string) => index.lookup(tool).map((entry) => entry.description),
  });
  catalogs.set(engine, catalog);
  return catalog;
}
