import type { PolicyDefinition } from '../types.js';

/**
 * True for a policy whose only checks are its `enforcement` bindings: nothing in
 * it reads an action, so it judges artifacts (through `engine.validate`) and
 * never applies in `evaluate`. The one test the engine, the fixture runner and
 * the MCP constraint tools share, so they cannot disagree about a policy.
 */
export function isEngineOnly(definition: PolicyDefinition): boolean {
  return (
    definition.enforcement !== undefined &&
    definition.assert === undefined &&
    definition.require === undefined &&
    definition.shape === undefined &&
    definition.shapesFile === undefined &&
    definition.rewrite === undefined
  );
}
