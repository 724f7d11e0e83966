import type { Limits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { PolicyDefinition } from '../types.js';
import { parsePolicyBundle } from './parse-policy-bundle.js';
import type { PolicySources } from './policy-sources.js';
import { resolveSources } from './policy-sources.js';
import { readPolicyBundle } from './read-policy-bundle.js';

/** Policies read from disk, with the file each came from (same order), for messages. */
export interface LoadedPolicies {
  /** The definitions, in load order: sources in the order given, each source's files sorted by path, policies in file order. */
  readonly definitions: readonly PolicyDefinition[];
  /** For each definition, the file it was read from. */
  readonly sources: readonly string[];
  /** Every file read, sorted. */
  readonly files: readonly string[];
}

/**
 * Reads policy definitions from a file (one policy object, or an array of them;
 * in YAML also several documents) or from a directory tree of `.json`, `.yaml`
 * and `.yml` files, read in sorted path order so a policy set loads the same on
 * every machine (folders named `fixtures` or `node_modules`, hidden folders and
 * symbolic links are skipped). Given a list of sources, each source's policy ids
 * are prefixed `<namespace>/`, the namespace defaulting to the source's base name
 * (`policies/payments` gives `payments/...`); the definitions returned are then
 * copies. Definitions are otherwise returned as parsed: `createEngine` validates them.
 */
export async function loadPolicies(sources: PolicySources, limits: Partial<Limits> = {}): Promise<LoadedPolicies> {
  const resolved = resolveSources(sources);
  const texts = await readPolicyBundle(resolved, limits.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes);
  return parsePolicyBundle(texts, limits.maxDepth ?? DEFAULT_LIMITS.maxDepth);
}
