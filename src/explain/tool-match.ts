import type { GlobLimits } from '../glob/compile-glob.js';
import { compileGlob, isGlobPattern } from '../glob/compile-glob.js';
import { ToolIndex } from '../glob/tool-index.js';
import type { ToolsExplanation } from './explanation.js';

/** A policy as the tool index holds it: its `tools` and its position in the set. */
export interface ToolSelecting {
  readonly tools: readonly string[] | undefined;
  readonly index: number;
}

/**
 * Which policies an action's tool selects, answered by the same tool index the
 * engine uses (so a tool name too long for a glob fails here exactly when it
 * fails there), and which of a policy's patterns matched, for people.
 */
export class ToolMatch {
  private readonly index: ToolIndex<ToolSelecting>;

  constructor(
    policies: readonly ToolSelecting[],
    private readonly limits: GlobLimits,
  ) {
    this.index = new ToolIndex(policies, limits);
  }

  /**
   * The positions of the policies whose `tools` select `tool`.
   *
   * @throws {TierguardError} `LIMIT_EXCEEDED` where the engine's lookup throws: a tool name longer than a glob may read.
   */
  selecting(tool: string): ReadonlySet<number> {
    return new Set(this.index.lookup(tool).map((policy) => policy.index));
  }

  /** How a policy's `tools` met the tool, given whether the index selected it. */
  explain(tools: readonly string[] | undefined, tool: string, selected: boolean): ToolsExplanation {
    if (tools === undefined) return { result: selected ? 'pass' : 'fail' };
    const matched = selected ? tools.find((pattern) => this.matches(pattern, tool)) : undefined;
    return { patterns: [...tools], ...(matched === undefined ? {} : { matched }), result: selected ? 'pass' : 'fail' };
  }

  // Only asked about a policy the index selected, to name the pattern: a glob
  // that cannot read the name within its budget is simply not the one named.
  private matches(pattern: string, tool: string): boolean {
    if (!isGlobPattern(pattern)) return pattern === tool;
    try {
      return compileGlob(pattern, this.limits).test(tool);
    } catch {
      return false;
    }
  }
}
