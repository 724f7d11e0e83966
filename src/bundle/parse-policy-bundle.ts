import { TierguardError } from '../errors.js';
import { withoutSchemaKey } from '../policy/schema-key.js';
import type { PolicyDefinition } from '../types.js';
import { isBundleDocument } from './bundle-format.js';
import { isYamlFile } from './list-policy-files.js';
import type { LoadedPolicies } from './load-policies.js';
import { parseJson } from './read-json.js';
import type { PolicyFileText } from './read-policy-bundle.js';

/**
 * Parses policy files read by `readPolicyBundle`: a `.yaml`/`.yml` file as YAML
 * (one policy, an array of them, or several documents of either), anything else
 * as JSON (one policy or an array). A namespaced file's policies get ids
 * `<namespace>/<id>`. A policy's `$schema` key (an editor hint) is left out. A JSON file that is a bundle (`tierguardBundle`) is
 * refused with `INVALID_BUNDLE`: read among other files, its definitions would
 * lose the paths their files resolve by. Definitions are not validated here: `createEngine` does
 * that, naming the policy and the file.
 */
export async function parsePolicyBundle(texts: readonly PolicyFileText[], maxDepth: number): Promise<LoadedPolicies> {
  const definitions: PolicyDefinition[] = [];
  const sources: string[] = [];
  for (const { file, text, namespace } of texts) {
    let documents: unknown[];
    if (isYamlFile(file)) {
      // Loaded on the first YAML file only: a JSON-only user never loads the yaml package.
      const { parseYaml } = await import('./parse-yaml.js');
      documents = parseYaml(text, file, maxDepth);
    } else {
      const document = parseJson(text, file, { maxDepth });
      if (isBundleDocument(document)) {
        throw new TierguardError(
          'INVALID_BUNDLE',
          `${file} is a bundle: a bundle is a whole policy set, loaded on its own (pass its path alone), never with other policy files`,
          { file },
        );
      }
      documents = [document];
    }
    for (const document of documents) {
      for (const written of Array.isArray(document) ? (document as unknown[]) : [document]) {
        // `$schema` points the author's editor at the schema; the loader reads past it.
        const policy = withoutSchemaKey(written);
        definitions.push((namespace === undefined ? policy : namespaced(policy, namespace)) as PolicyDefinition);
        sources.push(file);
      }
    }
  }
  return { definitions, sources, files: [...new Set(texts.map((text) => text.file))].sort() };
}

/**
 * A shallow copy with the id prefixed, so the parsed object is never mutated. A
 * definition with no string id is passed through as it is, for `createEngine`
 * to report (a prefix on a non-id would hide what was wrong).
 */
// A successor is named as written in the same file, so it gets the same
// namespace as the id: `deprecated` policies point within their own source.
function namespaced(policy: unknown, namespace: string): unknown {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) return policy;
  const { id, successor } = policy as { id?: unknown; successor?: unknown };
  if (typeof id !== 'string') return policy;
  return {
    ...policy,
    id: `${namespace}/${id}`,
    ...(typeof successor === 'string' ? { successor: `${namespace}/${successor}` } : {}),
  };
}
