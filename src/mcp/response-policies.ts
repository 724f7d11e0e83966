import { ToolIndex } from '../glob/tool-index.js';
import type { Engine } from '../engine.js';

interface ResponsePolicy {
  readonly tools: readonly string[] | undefined;
  readonly index: number;
}

// Engines are immutable, so each one's response policies are indexed once.
const indexes = new WeakMap<Engine, ToolIndex<ResponsePolicy>>();

/**
 * True when a response policy of the engine selects `tool` (by its `tools`
 * patterns; `when` is not looked at, so it errs towards true): its result must
 * pass through `evaluateResponse` before the client sees it.
 */
export function responsePoliciesSelect(engine: Engine, tool: string): boolean {
  let index = indexes.get(engine);
  if (index === undefined) {
    const policies = engine.definitions.flatMap((definition, position) =>
      definition.on === 'response' ? [{ tools: definition.tools, index: position }] : [],
    );
    index = new ToolIndex(policies, engine.limits);
    indexes.set(engine, index);
  }
  return index.lookup(tool).length > 0;
}
