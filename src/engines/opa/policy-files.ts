import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { describeThrown } from '../../describe-thrown.js';
import { isTierguardError } from '../../errors.js';
import { readRegularFile } from '../../read-regular-file.js';
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
export async function readPolicyFiles(
  policy: string,
  bounds: PolicyFileBounds,
): Promise<{ readonly ok: true; readonly policy: PolicyFiles } | { readonly ok: false; readonly error: EngineError }> {
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
      if (!listed)
        return { ok: false, error: { code: 'LIMIT_EXCEEDED', message: `the policy ${policy} holds more than ${bounds.maxFiles} files` } };
    } else {
      return { ok: false, error: { code: 'POLICY_NOT_FOUND', message: `the policy ${policy} is not a file or directory` } };
    }

    const files: PolicyFile[] = [];
    let bytes = 0;
    for (const path of paths) {
      let content: Buffer;
      try {
        // Regular files only, checked on the opened descriptor: a FIFO put where a policy file was never blocks the read.
        content = await readRegularFile(path, bounds.maxBytes - bytes);
      } catch (thrown) {
        if (isTierguardError(thrown, 'IO_ERROR') && thrown.details.limit !== undefined) {
          return { ok: false, error: { code: 'LIMIT_EXCEEDED', message: `the policy ${policy} is larger than ${bounds.maxBytes} bytes` } };
        }
        throw thrown;
      }
      bytes += content.length;
      if (bytes > bounds.maxBytes)
        return { ok: false, error: { code: 'LIMIT_EXCEEDED', message: `the policy ${policy} is larger than ${bounds.maxBytes} bytes` } };
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

/** What a {@link createPolicyReader} reader keeps of a policy between reads. */
export interface PolicyReaderOptions<T> {
  /** Bounds on the policy, as for {@link readPolicyFiles}. */
  readonly bounds: PolicyFileBounds;
  /** What to keep of a fresh read (only the hash, say, so the bytes are not held); it is what `read` returns until the policy changes. */
  readonly keep: (files: PolicyFiles) => T;
  /**
   * How long after a file's last change (its mtime or ctime) its stat alone is
   * trusted to say it did not change again; default 2000 ms. Within that window
   * a second write can leave the same size and timestamps (file systems keep
   * time in ticks of a few milliseconds up to 2 s), so the files are read and
   * hashed again instead.
   */
  readonly settleMs?: number;
}

/** Reads binding policies, again only when their files' stats say they changed. */
export interface PolicyReader<T> {
  /** What `keep` made of the policy as it is now; the errors of {@link readPolicyFiles}; never throws. */
  read(policy: string): Promise<{ readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EngineError }>;
}

const DEFAULT_SETTLE_MS = 2_000;

/**
 * A {@link readPolicyFiles} for hot paths. Each read stats the policy (every
 * file of a directory, and so its listing) and compares that fingerprint (per
 * file: name, size, mtime, ctime, inode and device) with the last read's; only
 * when it differs, or when the last read saw a file changed too recently to
 * trust its stat (see `settleMs`), are the files read and hashed again. An
 * edit always changes the ctime, which cannot be set back, so once a policy
 * has settled no edit goes unseen. Errors are not kept: a missing policy is
 * looked for again on the next read.
 */
export function createPolicyReader<T>(options: PolicyReaderOptions<T>): PolicyReader<T> {
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const known = new Map<string, { readonly fingerprint: string; readonly settled: boolean; readonly value: T }>();

  async function read(policy: string): ReturnType<PolicyReader<T>['read']> {
    const key = resolve(policy);
    const checkedAt = Date.now();
    const stamp = await fingerprint(policy, options.bounds.maxFiles);
    if (!stamp.ok) {
      known.delete(key);
      return stamp;
    }
    const last = known.get(key);
    if (last !== undefined && last.settled && last.fingerprint === stamp.fingerprint) return { ok: true, value: last.value };
    const files = await readPolicyFiles(policy, options.bounds);
    if (!files.ok) {
      known.delete(key);
      return files;
    }
    // The fingerprint was taken before the read, so a write in between makes the next fingerprint differ.
    const value = options.keep(files.policy);
    known.set(key, { fingerprint: stamp.fingerprint, settled: checkedAt - stamp.lastChangeMs > settleMs, value });
    return { ok: true, value };
  }

  return { read };
}

/** The stats of the files {@link readPolicyFiles} would read, as one string, and the latest change among them. */
async function fingerprint(
  policy: string,
  maxFiles: number,
): Promise<{ ok: true; fingerprint: string; lastChangeMs: number } | { ok: false; error: EngineError }> {
  try {
    let info;
    try {
      info = await stat(policy);
    } catch {
      return { ok: false, error: { code: 'POLICY_NOT_FOUND', message: `the policy ${policy} does not exist or cannot be read` } };
    }
    if (info.isFile()) return { ok: true, fingerprint: `file\0${stamp(info)}`, lastChangeMs: Math.max(info.mtimeMs, info.ctimeMs) };
    if (!info.isDirectory())
      return { ok: false, error: { code: 'POLICY_NOT_FOUND', message: `the policy ${policy} is not a file or directory` } };
    const paths: string[] = [];
    if (!(await listFiles(policy, paths, maxFiles)))
      return { ok: false, error: { code: 'LIMIT_EXCEEDED', message: `the policy ${policy} holds more than ${maxFiles} files` } };
    paths.sort(compareText);
    const stats = await Promise.all(paths.map((path) => stat(path)));
    let lastChangeMs = 0;
    const parts = ['dir'];
    stats.forEach((file, index) => {
      lastChangeMs = Math.max(lastChangeMs, file.mtimeMs, file.ctimeMs);
      parts.push(`${relative(policy, paths[index] ?? '')}\0${stamp(file)}`);
    });
    return { ok: true, fingerprint: parts.join('\0\0'), lastChangeMs };
  } catch (thrown) {
    // A file removed between the listing and its stat: report it now, read it again next time.
    return { ok: false, error: { code: 'POLICY_NOT_FOUND', message: `the policy ${policy} cannot be read: ${describeThrown(thrown)}` } };
  }
}

/** What changes when a file is written, replaced or touched. */
function stamp(info: { size: number; mtimeMs: number; ctimeMs: number; ino: number; dev: number }): string {
  return `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}:${info.dev}`;
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
