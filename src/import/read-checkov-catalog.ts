import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { createCheckovAdapter } from '../engines/checkov/checkov-adapter.js';
import { checkovEnvironment } from '../engines/checkov/checkov-environment.js';
import { lastLines } from '../engines/process/last-lines.js';
import { runProcess } from '../engines/process/run-process.js';
import { withTempDir } from '../engines/process/temp-dir.js';
import { TierguardError } from '../errors.js';
import { DEFAULT_ENGINE_LIMITS } from '../limits.js';
import { parseCheckovList } from './checkov-catalog.js';
import type { CheckovCheck } from './checkov-catalog.js';

/** How to read the installed Checkov's catalog. */
export interface ReadCheckovCatalogOptions {
  /** The checkov executable; default `checkov`. */
  readonly command?: string;
  /** Only these frameworks (`terraform`); default all. */
  readonly frameworks?: readonly string[];
  /** The environment; default this process's (Checkov's own variables are removed, as the adapter does). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The installed Checkov's checks, and its version. */
export interface CheckovCatalog {
  readonly version: string | undefined;
  readonly checks: readonly CheckovCheck[];
}

const FRAMEWORK = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** The full catalog is a table of a few MB; listing it takes seconds, mostly Python starting. */
const LIST_TIMEOUT_MS = 120_000;
const MAX_LIST_BYTES = 64 * 1_048_576;

/**
 * Runs `checkov --list [--framework <f>]...` offline, as the adapter runs
 * Checkov (its variables stripped, HOME in a temporary directory, no
 * downloads), and reads the table it prints. Checkov missing, failing or
 * printing no table is an `IO_ERROR` saying so (Checkov itself refuses an
 * unknown framework); so is a catalog without a single check.
 */
export async function readCheckovCatalog(options: ReadCheckovCatalogOptions = {}): Promise<CheckovCatalog> {
  const command = options.command ?? 'checkov';
  const frameworks = [...new Set(options.frameworks ?? [])].sort();
  for (const framework of frameworks) {
    if (!FRAMEWORK.test(framework)) throw new TierguardError('IO_ERROR', `"${framework}" is not a Checkov framework name`);
  }
  const env = options.env ?? process.env;
  const availability = await createCheckovAdapter({ command, env }).available();
  if (!availability.ok) throw new TierguardError('IO_ERROR', `checkov is not available: ${availability.reason ?? 'no reason given'}`);
  const text = await withTempDir(async (dir) => {
    const home = join(dir, 'home');
    await mkdir(home, { mode: 0o700 });
    const result = await runProcess(command, ['--list', ...frameworks.map((framework) => `--framework=${framework}`)], {
      cwd: dir,
      env: { ...checkovEnvironment(env), HOME: home },
      timeoutMs: LIST_TIMEOUT_MS,
      maxStdoutBytes: MAX_LIST_BYTES,
      maxStderrBytes: DEFAULT_ENGINE_LIMITS.maxStderrBytes,
      killGraceMs: DEFAULT_ENGINE_LIMITS.killGraceMs,
    });
    if (result.status === 'failed') throw new TierguardError('IO_ERROR', `checkov --list failed: ${result.message}`);
    if (result.exitCode !== 0) {
      const detail = lastLines(result.stderr.trim(), 2_000);
      throw new TierguardError('IO_ERROR', `checkov --list exited with ${result.exitCode}${detail ? `: ${detail}` : ''}`);
    }
    return result.stdout;
  });
  const checks = parseCheckovList(text, 'checkov --list');
  // Checkov filters by framework itself, and files some (helm, kustomize) under another's name (Kubernetes).
  if (checks.length === 0) throw new TierguardError('IO_ERROR', 'checkov --list shows no check');
  return { version: availability.version, checks };
}
