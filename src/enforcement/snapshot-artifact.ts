import { describeThrown } from '../describe-thrown.js';
import { ARTIFACT_FORMATS, defaultArtifactName, isArtifactFormat } from '../engines/artifact/materialize-artifact.js';
import type { Artifact } from '../engines/types.js';
import type { JsonValue } from '../types.js';

/** An artifact checked and copied, or why it cannot be validated. */
export type ArtifactSnapshot =
  | { readonly ok: true; readonly artifact: Artifact; readonly shownAs: string }
  | { readonly ok: false; readonly message: string; readonly shownAs: string };

// Longer than any real path; a bound so a hostile "path" is not echoed into every message.
const MAX_PATH_LENGTH = 4_096;

/**
 * Reads the caller's artifact once, own properties only, into a plain copy that
 * every adapter then sees: a getter or Proxy cannot answer one way to this check
 * and another to an adapter, and JSON content is serialised once to be measured
 * (a cycle, a BigInt or a hostile nesting is refused here, not in an engine).
 * Returns the problem, never throws. `shownAs` names the artifact in decisions:
 * its path, its name, the name the engine sees content by (`main.tf` for
 * `terraform`), or `artifact` for something that is not an artifact at all.
 */
export function snapshotArtifact(artifact: unknown, maxBytes: number): ArtifactSnapshot {
  let shownAs = 'artifact';
  const refuse = (message: string): ArtifactSnapshot => ({ ok: false, message, shownAs });
  try {
    if (typeof artifact !== 'object' || artifact === null || Array.isArray(artifact)) {
      return refuse('the artifact must be an object with a path or a content');
    }
    const own = (key: string): unknown => (Object.hasOwn(artifact, key) ? (artifact as Record<string, unknown>)[key] : undefined);
    const path = own('path');
    const content = own('content');
    const format = own('format');
    const name = own('name');
    if (typeof name === 'string' && name.length > 0 && name.length <= MAX_PATH_LENGTH) shownAs = name;
    if ((path === undefined) === (content === undefined)) return refuse('the artifact must have exactly one of path and content');
    if (format !== undefined && !isArtifactFormat(format)) {
      return refuse(`unknown artifact format ${describeFormat(format)} (known: ${ARTIFACT_FORMATS.join(', ')})`);
    }
    if (name !== undefined && typeof name !== 'string') return refuse('the artifact name must be a string');
    const described = { ...(format === undefined ? {} : { format }), ...(name === undefined ? {} : { name }) };

    if (path !== undefined) {
      if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH_LENGTH) {
        return refuse(`the artifact path must be a non-empty string of at most ${MAX_PATH_LENGTH} characters`);
      }
      shownAs = path;
      if (name !== undefined) return refuse('a file artifact takes no name: the engine sees the file under its own');
      return { ok: true, artifact: { path, ...described } as Artifact, shownAs };
    }

    // Content is shown, and selected by `artifacts` patterns, under the name the engine sees it by.
    if (name === undefined) shownAs = defaultArtifactName(format ?? (typeof content === 'string' ? 'text' : 'json'));
    if (typeof content === 'string') {
      // Refused here, not by each engine: no policy's `artifacts` could otherwise be matched fairly against it.
      if (format === undefined && name === undefined)
        return refuse('text content needs a format or a name, so the engine knows how to read it');
      const bytes = Buffer.byteLength(content, 'utf8');
      if (bytes > maxBytes) return refuse(`the artifact content has ${bytes} bytes, more than the limit of ${maxBytes}`);
      return { ok: true, artifact: { content, ...described } as Artifact, shownAs };
    }
    const text = JSON.stringify(content) as string | undefined;
    if (text === undefined) return refuse('the artifact content must be a string or a JSON value');
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxBytes) return refuse(`the artifact content has ${bytes} bytes as JSON, more than the limit of ${maxBytes}`);
    return { ok: true, artifact: { content: JSON.parse(text) as JsonValue, ...described } as Artifact, shownAs };
  } catch (error) {
    return refuse(`the artifact cannot be read: ${describeThrown(error)}`);
  }
}

/** A caller's format value, bounded, for a message. */
function describeFormat(format: unknown): string {
  return typeof format === 'string' ? JSON.stringify(format.slice(0, 64)) : `of type ${typeof format}`;
}
