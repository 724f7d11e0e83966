import type { BundleSignature } from './archive-bundle.js';
import type { PolicyBundle } from './bundle-format.js';
import { isBundleDocument } from './bundle-format.js';
import { isYamlFile } from './list-policy-files.js';
import type { LoadedPolicies } from './load-policies.js';
import { parseBundle } from './parse-bundle.js';
import { parsePolicyBundle } from './parse-policy-bundle.js';
import type { ResolvedSource } from './policy-sources.js';
import { parseJson } from './read-json.js';
import type { PolicyFileText } from './read-policy-bundle.js';

/**
 * Policy files parsed: their policies, and, when the one source was a bundle
 * file, the bundle (verified, its files not yet written out). For a bundle,
 * `loaded.sources` names the bundle file for every definition and
 * `loaded.files` is the bundle file, which is what messages and the empty-set
 * check need before the files are materialised.
 */
export interface ParsedPolicies {
  readonly loaded: LoadedPolicies;
  readonly bundle?: ParsedBundle;
}

/** A bundle parsed and verified, not yet written out: where it came from, what it holds, its format and its signature. */
export interface ParsedBundle {
  /** The bundle file, or its URL without a query. */
  readonly file: string;
  readonly content: PolicyBundle;
  /** `json` for a JSON bundle, `tar.gz` for an archive. */
  readonly format: 'json' | 'tar.gz';
  /** Whether it carried a signature, and whether that was checked (only an archive can carry one). */
  readonly signature: BundleSignature;
}

/**
 * Parses what `readPolicyBundle` read. A single source (the string form) that
 * is a JSON file whose document is an object with a `tierguardBundle` key is a
 * bundle, checked whole by `parseBundle` (`INVALID_BUNDLE` on any fault).
 * Anything else is parsed as policy files, exactly as before. A bundle is a
 * whole policy set with its own paths, so inside a directory or a list of
 * sources it is refused (by `parsePolicyBundle`), never merged.
 */
export async function parsePolicyTexts(
  texts: readonly PolicyFileText[],
  sources: readonly ResolvedSource[],
  maxDepth: number,
): Promise<ParsedPolicies> {
  const [only] = texts;
  const [source] = sources;
  const single = sources.length === 1 && texts.length === 1 && source !== undefined && only !== undefined;
  if (single && source.namespace === undefined && only.file === source.path && !isYamlFile(only.file)) {
    const document = bundleDocumentOf(only, maxDepth);
    if (document !== undefined) {
      const content = parseBundle(document, only.file);
      const loaded: LoadedPolicies = {
        definitions: content.policies,
        sources: content.policies.map(() => only.file),
        files: [only.file],
      };
      return { loaded, bundle: { file: only.file, content, format: 'json', signature: 'absent' } };
    }
  }
  return { loaded: await parsePolicyBundle(texts, maxDepth) };
}

/**
 * The document of a file that is a bundle, or `undefined`. Only an object can
 * be one, so a policy list is never parsed twice. A bundle holds its
 * definitions two levels below the top (`/policies/<i>`), one deeper than a
 * policy file's, so it is parsed with one more level; anything that fails this
 * parse is left for the policy parser to report as it always has.
 */
function bundleDocumentOf(text: PolicyFileText, maxDepth: number): Record<string, unknown> | undefined {
  if (!text.text.trimStart().startsWith('{')) return undefined;
  let document: unknown;
  try {
    document = parseJson(text.text, text.file, { maxDepth: maxDepth + 1 });
  } catch {
    return undefined;
  }
  return isBundleDocument(document) ? document : undefined;
}
