import { listPolicyFiles } from './list-policy-files.js';
import type { ResolvedSource } from './policy-sources.js';
import { readBoundedText } from './read-json.js';

/** One policy file as read, not yet parsed, with the namespace of the source it belongs to. */
export interface PolicyFileText {
  /** The path, as listed (under the source's path). */
  readonly file: string;
  /** The whole content, at most `limits.maxFileBytes` bytes. */
  readonly text: string;
  /** The namespace of the source the file was found under, if the sources were a list. */
  readonly namespace?: string;
}

/**
 * Reads the text of every policy file of every source, sources in the order
 * given and each source's files in sorted order. Reading is kept apart from
 * parsing so a watcher can fingerprint exactly the bytes it then parses: a file
 * edited in between is seen on the next poll, never half-counted.
 */
export async function readPolicyBundle(sources: readonly ResolvedSource[], maxFileBytes: number): Promise<PolicyFileText[]> {
  const texts: PolicyFileText[] = [];
  for (const source of sources) {
    for (const file of await listPolicyFiles(source.path)) {
      const text = await readBoundedText(file, maxFileBytes);
      texts.push(source.namespace === undefined ? { file, text } : { file, text, namespace: source.namespace });
    }
  }
  return texts;
}
