import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { describeThrown } from '../../describe-thrown.js';
import type { EngineErrorCode } from '../types.js';

/** How to run one engine process and how far to trust it. */
export interface RunProcessOptions {
  /** Working directory; default the current one. */
  readonly cwd?: string;
  /** The whole environment of the child; default this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to the child's stdin, which is then closed; without it stdin is empty. */
  readonly stdin?: string | Uint8Array;
  /** Kill the process tree after this many milliseconds. */
  readonly timeoutMs: number;
  /** Kill the process tree when this fires. */
  readonly signal?: AbortSignal;
  /** Kill the process tree once stdout passes this many bytes. */
  readonly maxStdoutBytes: number;
  /** Kill the process tree once stderr passes this many bytes. */
  readonly maxStderrBytes: number;
}

/** The process ran to its end; what `exitCode` means is the engine's business. */
export interface ProcessExited {
  /** Discriminant. */
  readonly status: 'exited';
  /** The exit code. */
  readonly exitCode: number;
  /** Everything written to stdout, decoded as UTF-8. */
  readonly stdout: string;
  /** Everything written to stderr, decoded as UTF-8. */
  readonly stderr: string;
  /** Wall time from spawn to the end of output, in milliseconds. */
  readonly durationMs: number;
}

/** The process could not be run, or was stopped before it finished. */
export interface ProcessFailed {
  /** Discriminant. */
  readonly status: 'failed';
  /**
   * `ENGINE_UNAVAILABLE` (not found or not executable), `TIMEOUT`, `ABORTED`,
   * `LIMIT_EXCEEDED` (output cap) or `ENGINE_FAILED` (killed by a signal, spawn failure).
   */
  readonly code: Extract<EngineErrorCode, 'ENGINE_UNAVAILABLE' | 'TIMEOUT' | 'ABORTED' | 'LIMIT_EXCEEDED' | 'ENGINE_FAILED'>;
  /** What happened, naming the command. */
  readonly message: string;
  /** Output read before it stopped (at most the caps). */
  readonly stdout: string;
  /** Output read before it stopped (at most the caps). */
  readonly stderr: string;
  /** Wall time, in milliseconds. */
  readonly durationMs: number;
}

/** What {@link runProcess} reports. */
export type ProcessResult = ProcessExited | ProcessFailed;

type StopReason = { code: ProcessFailed['code']; message: string };

/**
 * Runs `command` with `args` as an argument array (never through a shell, so no
 * argument is ever interpreted) and never rejects. The child leads a process
 * group of its own, so the timeout, the abort signal and the output caps kill
 * the whole tree with one `SIGKILL` to the group: a grandchild that an engine
 * started (semgrep's core, a plugin) does not outlive the run. The group is
 * also killed when the child exits, since a straggler holding the pipes would
 * otherwise keep the run open. POSIX only: Windows has no process groups to kill.
 */
export function runProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  if (options.signal?.aborted === true) {
    return Promise.resolve({ status: 'failed', code: 'ABORTED', message: `${command} was not started: aborted`, stdout: '', stderr: '', durationMs: elapsed() });
  }

  return new Promise<ProcessResult>((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        shell: false,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (thrown) {
      // spawn throws synchronously for malformed arguments (a NUL byte in an argument).
      resolve({ status: 'failed', code: 'ENGINE_FAILED', message: `${command} could not be started: ${describeThrown(thrown)}`, stdout: '', stderr: '', durationMs: elapsed() });
      return;
    }

    const stdout = new BoundedBuffer(options.maxStdoutBytes);
    const stderr = new BoundedBuffer(options.maxStderrBytes);
    let stopped: StopReason | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;

    const killTree = (): void => {
      const pid = child.pid;
      if (pid === undefined) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const stop = (reason: StopReason): void => {
      stopped ??= reason;
      killTree();
    };

    const timer = setTimeout(() => stop({ code: 'TIMEOUT', message: `${command} timed out after ${options.timeoutMs} ms and was killed` }), options.timeoutMs);
    const onAbort = (): void => stop({ code: 'ABORTED', message: `${command} was aborted and killed` });
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (result: ProcessResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };

    // Past a cap, stop reading (destroying our end of the pipe) and kill the tree.
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdout.add(chunk)) return;
      child.stdout?.destroy();
      stop({ code: 'LIMIT_EXCEEDED', message: `${command} wrote more than ${options.maxStdoutBytes} bytes to stdout and was killed` });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.add(chunk)) return;
      child.stderr?.destroy();
      stop({ code: 'LIMIT_EXCEEDED', message: `${command} wrote more than ${options.maxStderrBytes} bytes to stderr and was killed` });
    });
    // A child that exits without reading its stdin makes our write fail with EPIPE; that is not the run's failure.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin ?? '');

    child.on('error', (error: NodeJS.ErrnoException) => {
      killTree();
      const message =
        error.code === 'ENOENT'
          ? `${command} was not found (is it installed and on PATH?)`
          : error.code === 'EACCES'
            ? `${command} is not executable`
            : `${command} could not be run: ${describeThrown(error)}`;
      const code = error.code === 'ENOENT' || error.code === 'EACCES' ? 'ENGINE_UNAVAILABLE' : 'ENGINE_FAILED';
      finish({ status: 'failed', code, message, stdout: stdout.text(), stderr: stderr.text(), durationMs: elapsed() });
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Whatever the child left behind goes with it; that also closes the pipes it shared.
      killTree();
    });
    child.on('close', () => {
      const durationMs = elapsed();
      if (stopped !== undefined) {
        finish({ status: 'failed', ...stopped, stdout: stdout.text(), stderr: stderr.text(), durationMs });
      } else if (exit?.code === null || exit === undefined) {
        const by = exit?.signal ?? 'an unknown signal';
        finish({ status: 'failed', code: 'ENGINE_FAILED', message: `${command} was killed by ${by}`, stdout: stdout.text(), stderr: stderr.text(), durationMs });
      } else {
        finish({ status: 'exited', exitCode: exit.code, stdout: stdout.text(), stderr: stderr.text(), durationMs });
      }
    });
  });
}

/** Collects chunks up to a byte cap; past it, refuses more and keeps what it had. */
class BoundedBuffer {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk; `false` (and the chunk dropped) when it would pass the cap. */
  add(chunk: Buffer): boolean {
    if (this.bytes + chunk.length > this.maxBytes) {
      const room = this.maxBytes - this.bytes;
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.bytes = this.maxBytes;
      return false;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    return true;
  }

  /** The bytes so far as UTF-8; a sequence cut at the cap decodes to U+FFFD rather than failing. */
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
