import type { EngineAvailability } from '../types.js';
import { runProcess } from './run-process.js';

/** How to ask an engine binary for its version. */
export interface VersionProbe {
  /** The executable: a name looked up on PATH, or a path. */
  readonly command: string;
  /** What prints the version: `['--version']`, `['version']`. */
  readonly args: readonly string[];
  /** The environment the probe runs in. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Kill the probe after this many milliseconds. */
  readonly timeoutMs: number;
  /** The version in the probe's stdout, or `undefined` when it holds none. */
  readonly readVersion: (stdout: string) => string | undefined;
  /** Appended to every reason the engine is unavailable: how to install it. */
  readonly installHint: string;
  /**
   * Whether a failed probe's reason says `and no version` after the exit code;
   * default `true`. (Semgrep's reason has never said it.)
   */
  readonly mentionNoVersion?: boolean;
}

/** Enough for any version banner; the probe's output is not otherwise read. */
const MAX_PROBE_OUTPUT_BYTES = 65_536;

/**
 * An adapter's `available()`: runs `<command> <args>` and reads its version.
 * A binary that cannot be run, exits non-zero or prints no version is
 * unavailable, with a reason that ends in the install hint. Never throws.
 */
export async function probeVersion(probe: VersionProbe): Promise<EngineAvailability> {
  const result = await runProcess(probe.command, probe.args, {
    env: probe.env,
    timeoutMs: probe.timeoutMs,
    maxStdoutBytes: MAX_PROBE_OUTPUT_BYTES,
    maxStderrBytes: MAX_PROBE_OUTPUT_BYTES,
  });
  if (result.status === 'failed') return { ok: false, reason: `${result.message}; ${probe.installHint}` };
  const version = probe.readVersion(result.stdout);
  if (result.exitCode !== 0 || version === undefined) {
    const noVersion = probe.mentionNoVersion === false ? '' : ' and no version';
    return {
      ok: false,
      reason: `${[probe.command, ...probe.args].join(' ')} exited with ${result.exitCode}${noVersion}; ${probe.installHint}`,
    };
  }
  return { ok: true, version };
}

/** The last line of the output, trimmed (where `semgrep --version` and `checkov --version` print it); `undefined` when there is none. */
export function lastLineVersion(stdout: string): string | undefined {
  const line = stdout.trim().split('\n').pop()?.trim() ?? '';
  return line.length > 0 ? line : undefined;
}

/** A reader that takes the version from the first capture group of `pattern` (`/^Version:\s*(\S+)/m`). */
export function versionMatching(pattern: RegExp): (stdout: string) => string | undefined {
  return (stdout) => pattern.exec(stdout)?.[1];
}
