import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Runs the MCP Inspector CLI (`@modelcontextprotocol/inspector-cli`, a dev
 * dependency): an MCP client written by others, so the gateway is shown to
 * work with more than the SDK Client its own tests use.
 *
 * What it does, found by running it (1.0.3): it connects, runs one `--method`,
 * prints the result as JSON on stdout and exits 0, and a tool's own error
 * (`isError: true`, which is how the gateway refuses a call) is such a result.
 * A JSON-RPC error, or a failure to connect, is a one-line message on stderr
 * and exit 1. The target's stderr is piped and dropped.
 */

const PACKAGE_DIR = dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector-cli/package.json'));
// The real CLI; the package's bin (build/cli.js) is a launcher that prints a deprecation banner and spawns this.
const ENTRY = join(PACKAGE_DIR, 'build', 'index.js');
// 1.0.3 imports its package.json from `../package.json` only when that path exists relative to the working
// directory, and from a path that does not exist otherwise (modelcontextprotocol/inspector#1334), so it runs
// from its own build folder; every path given to it is therefore absolute.
const CWD = dirname(ENTRY);
const DEADLINE_MS = 60_000;

/** What one run of the Inspector printed and how it ended. */
export interface InspectorRun {
  /** The exit code, or `null` when it was killed at the deadline. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where the Inspector connects: a command it spawns over stdio, or a Streamable HTTP URL. */
export type InspectorTarget = { readonly command: string; readonly args: readonly string[] } | { readonly url: URL };

/**
 * Runs the Inspector against `target` with `options` (`--method ...` and its
 * arguments). Never rejects for the Inspector's own failure: the caller reads
 * `status`.
 */
export function runInspector(target: InspectorTarget, options: readonly string[]): Promise<InspectorRun> {
  const argv =
    'url' in target
      ? [ENTRY, target.url.href, '--transport', 'http', ...options]
      : // The Inspector takes the first `--` on its command line as its own separator, drops it and appends what
        // follows to the target untouched; the gateway's own `--` survives only behind it. Its target must start
        // before that `--`, so: the command, the Inspector's options, `--`, then the command's arguments.
        [ENTRY, target.command, ...options, '--', ...target.args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: CWD, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const deadline = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
    child.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(deadline);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A tool result as the Inspector prints it. */
export interface PrintedToolResult {
  readonly isError?: boolean;
  readonly content?: readonly { readonly type: string; readonly text?: string }[];
  readonly _meta?: Record<string, unknown>;
}

/** The JSON the Inspector printed on stdout; throws, showing what it printed, when a run did not end well. */
export function printedJson(run: InspectorRun): unknown {
  if (run.status !== 0) throw new Error(`the Inspector exited with ${String(run.status)}:\n${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as unknown;
}

/** The text parts of a printed tool result, joined. */
export function textOf(result: PrintedToolResult): string {
  return (result.content ?? []).map((part) => part.text ?? '').join('\n');
}
