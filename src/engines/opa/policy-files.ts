import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describeThrown } from '../../describe-thrown.js';
import { compareText } from '../json-reading.js';
import type { EngineError } from '../types.js';

/** One file of a binding's policy. */
export interface PolicyFile {
  /** Path relative to the policy directory, with `/` separators; the file's base name when the policy is a file. */
  readonly name: string;
  /** The file's bytes. */
  readonly content: Buffer;
}

/** A binding's policy as read now, and the hash that says whether it changed. */
export interface PolicyFiles {
  /** Every file, sorted by name. */
  readonly files: readonly PolicyFile[];
  /** sha256 (hex) over every file's name and content, in order: the same for the same content on every machine. */
  readonly hash: string;
}

/** Bounds on a policy directory, so a binding pointed at `/` cannot read the disk. */
export interface PolicyFileBounds {
  /** Most files read. */
  readonly maxFiles: number;
  /** Most bytes across all files. */
  readonly maxBytes: number;
}

/**
 * Reads a policy file, or every file of a policy directory recursively (hidden
 * entries skipped, as OPA's loader does), and hashes the content: adapters that
 * keep a compiled or uploaded copy rebuild it exactly when the hash changes.
 * Returns `POLICY_NOT_FOUND` for a missing policy and `LIMIT_EXCEEDED` past the
 * bounds; never throws.
 */
export async function readPolicyFiles(policy: string, bounds: PolicyFileBounds): Promise<{ readonly ok: true; readonly policy: PolicyFiles } | { readonly ok: false; readonly error: EngineError }> {
  try {
    let info;
    try {
      info = await stat(policy);
    } catch {
      return { ok: false, error: { code: 'POLICY_NOT_FOUND', message: `the policy ${policy} does not exist or cannot be read` } };
    }
    let paths: string[];
    if (info.isFile()) {
      paths = [policy];
    } else if (info.isDirectory()) {
      paths = [];
      const listed = await listFiles(policy, paths, bounds.maxFiles);
      if (!listed) return { ok: false, error: { code: 'LIMIT_EXCEEDED', message: `the policy ${policy} holds more than ${bounds.maxFiles} files` } };
    } else {
      return { ok: false, error: { code: 'POLICY_NOT_FOUND', message: `the policy ${policy} is not a file or directory` } };
    }

    const files: PolicyFile[] = [];
    let bytes = 0;
    for (const path of paths) {
      const content = await readFile(path);
      bytes += content.length;
      if (bytes > bounds.maxBytes) return { ok: false, error: { code: 'LIMIT_EXCEEDED', message: `the policy ${policy} is larger than ${bounds.maxBytes} bytes` } };
      const name = path === policy ? (policy.split(sep).pop() ?? policy) : relative(policy, path).split(sep).join('/');
      files.push({ name, content });
    }
    files.sort((a, b) => compareText(a.name, b.name));
    const hash = createHash('sha256');
    for (const file of files) {
      // Lengths first, so no two different file sets hash the same bytes.
      hash.update(`${Buffer.byteLength(file.name)}:${file.name}:${file.content.length}:`).update(file.content);
    }
    return { ok: true, policy: { files, hash: hash.digest('hex') } };
  } catch (thrown) {
    return { ok: false, error: { code: 'POLICY_NOT_FOUND', message: `the policy ${policy} cannot be read: ${describeThrown(thrown)}` } };
  }
}

/** Appends the regular files under `dir` to `into`; `false` once there are more than `max`. Symbolic links are not followed. */
async function listFiles(dir: string, into: string[], max: number): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!(await listFiles(path, into, max))) return false;
    } else if (entry.isFile()) {
      into.push(path);
      if (into.length > max) return false;
    }
  }
  return true;
}
