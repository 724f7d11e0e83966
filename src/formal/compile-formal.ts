import type { CompiledPolicy } from '../policy/compile-policy.js';
import type { TierguardError } from '../errors.js';
import type { Limits } from '../limits.js';
import { DefinitionIssue } from '../definition-issue.js';
import { invalidPolicy, throwIfInvalid } from '../policy/invalid-policy.js';
import type { FormalPolicy } from './formal-tier.js';
import { FormalTier } from './formal-tier.js';
import { generateShapes } from './generate-shapes.js';
import { loadPolicyShapes } from './load-policy-shapes.js';

/** The formal tier of a policy set, and the files it read (name to content) for the set's version. */
export interface CompiledFormalTier {
  readonly tier: FormalTier;
  readonly files: Readonly<Record<string, string>>;
}

/**
 * Compiles the formal parts of a policy set: generates SHACL for each `shape`,
 * reads each `shapesFile`, and builds the validators. This module is loaded only
 * when some policy has a formal part, so the auto tier alone never loads RDF.
 * Every invalid formal part is reported at once, as for the auto tier.
 */
export async function compileFormalTier(
  policies: readonly CompiledPolicy[],
  sources: readonly string[] | undefined,
  limits: Limits,
): Promise<CompiledFormalTier | undefined> {
  const withFormal = policies.filter(({ parts }) => parts.formal.length > 0);
  if (withFormal.length === 0) return undefined;
  const definitions: unknown[] = [];
  for (const policy of policies) definitions[policy.index] = policy.definition;
  const shapesFiles = await loadPolicyShapes(definitions, sources, limits);
  const formal: FormalPolicy[] = [];
  const failures: TierguardError<'INVALID_POLICY'>[] = [];
  const files: Record<string, string> = {};
  for (const policy of withFormal) {
    const { definition } = policy;
    try {
      const file = shapesFiles.get(policy.index);
      if (file instanceof DefinitionIssue) throw file;
      if (file !== undefined && definition.shapesFile !== undefined) files[`${policy.index}:${definition.shapesFile}`] = file.content;
      formal.push({
        id: policy.id,
        index: policy.index,
        effect: policy.effect,
        tools: policy.tools,
        compiled: policy,
        definition,
        ...(definition.shape === undefined ? {} : { shapes: generateShapes(policy.id, definition.shape, 'policy', limits) }),
        ...(file === undefined ? {} : { fileShapes: file.quads }),
      });
    } catch (error) {
      if (!(error instanceof DefinitionIssue)) throw error;
      failures.push(invalidPolicy(`policy "${policy.id}"`, policy.index, [error]));
    }
  }
  throwIfInvalid(failures);
  return { tier: new FormalTier(formal, limits), files };
}
