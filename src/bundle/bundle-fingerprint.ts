import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { describeThrown } from '../describe-thrown.js';
import { versionTextOf } from '../file-content.js';
import { readRegularFile } from '../read-regular-file.js';
import type { PolicyFileText } from './read-policy-bundle.js';
import { TREE_BOUNDS, readReferencedTree } from '../read-referenced-tree.js';

/**
 * A digest of policy files exactly as read: which files, in which order, with
 * which text. Content, not size and modification time: Linux stamps files from
 * a coarse clock, so two same-size writes a few milliseconds apart can share an
 * mtime, and copies (`cp -p`, `rsync -t`, unpacked archives) can carry an old
 * one. Rereading a policy bundle (kilobytes, bounded by `limits.maxFileBytes`
 * per file) each interval costs far less than missing an edit.
 */
export function digestPolicyTexts(texts: readonly PolicyFileText[]): string {
  const hash = createHash('sha256');
  // JSON arrays delimit each field, so no two different bundles serialise alike.
  for (const { file, namespace, text } of texts) hash.update(`${JSON.stringify([file, namespace ?? null, text])}\n`);
  return hash.digest('hex');
}

/** A digest of bytes read whole (a bundle file or download), marked so that it never equals a digest of policy texts. */
export function digestBytes(bytes: Uint8Array): string {
  return `bytes:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * A digest of the current state of referenced files (see `referencedFiles`): each
 * path with its text, every file of it when it is a directory (an engine policy
 * such as a Rego bundle), or why it cannot be read (missing, neither file nor
 * directory, too large), so creating a missing shapes file is a change too. Only
 * regular files are opened: opening a FIFO would block a worker thread on every poll.
 */
export async function digestReferencedFiles(paths: readonly string[], maxFileBytes: number): Promise<string> {
  const hash = createHash('sha256');
  for (const path of paths) {
    hash.update(`${JSON.stringify([path, await stateOf(path, maxFileBytes)])}\n`);
  }
  return hash.digest('hex');
}

async function stateOf(path: string, maxFileBytes: number): Promise<unknown> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      const files = await readReferencedTree(path, { ...TREE_BOUNDS, maxBytes: maxFileBytes });
      return ['directory', ...files.map(({ relative, content }) => [relative, versionTextOf(content)])];
    }
    if (!info.isFile()) return 'not a regular file';
    // As the version sees it: a binary file (an OPA bundle) by its bytes, not by text with replacement characters.
    return `text:${versionTextOf(await readRegularFile(path, maxFileBytes))}`;
  } catch (error) {
    return `unreadable:${describeThrown(error)}`;
  }
}
