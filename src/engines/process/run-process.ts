import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { describeThrown } from '../../describe-thrown.js';
import { DEFAULT_ENGINE_LIMITS } from '../../limits.js';
import type { EngineErrorCode } from '../types.js';
import { engineRunsStopping, trackRun } from './live-runs.js';
import { killMarkedProcesses, newRunMarker, RUN_MARKER_VARIABLE } from './marked-processes.js';
import { timerDelay } from './timer-delay.js';

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
  /**
   * How long a process that left the tree (a `setsid()` daemon) gets between
   * `SIGTERM` and `SIGKILL`; default `DEFAULT_ENGINE_LIMITS.killGraceMs`.
   */
  readonly killGraceMs?: number;
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
 * argument is ever interpreted) and never rejects. Whatever the run started is
 * killed when it ends, however it ends:
 *
 * - The child leads a process group of its own, and the group gets `SIGKILL`
 *   on timeout, abort, an output cap, and when the child exits (a straggler
 *   would otherwise hold the pipes and keep the run open).
 * - A descendant that left the group (a daemon that called `setsid()`) is found
 *   by the marker variable set in the child's environment (see
 *   `findMarkedProcesses`; Linux only) and gets `SIGTERM`, then `SIGKILL`
 *   after `killGraceMs`.
 * - On timeout and abort the run settles without waiting for the pipes, which a
 *   process that escaped both could hold open forever: they are destroyed.
 *
 * The promise settles once these kills are done, so a temporary directory the
 * engine used can be removed right after. While `stopEngineRuns` shuts the
 * process down, runs are refused as `ABORTED` and live ones are stopped the same way.
 * Windows has no process groups and no `/proc`: there only the child is killed.
 */
export function runProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  if (options.signal?.aborted === true || engineRunsStopping()) {
    const why = options.signal?.aborted === true ? 'aborted' : 'tierguard is shutting down';
    return Promise.resolve({
      status: 'failed',
      code: 'ABORTED',
      message: `${command} was not started: ${why}`,
      stdout: '',
      stderr: '',
      durationMs: elapsed(),
    });
  }
  const marker = newRunMarker();
  const graceMs = options.killGraceMs ?? DEFAULT_ENGINE_LIMITS.killGraceMs;
  let stopRun: (reason: StopReason) => void = () => undefined;

  const result = new Promise<ProcessResult>((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), [RUN_MARKER_VARIABLE]: marker },
        detached: true,
        shell: false,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (thrown) {
      // spawn throws synchronously for malformed arguments (a NUL byte in an argument).
      resolve({
        status: 'failed',
        code: 'ENGINE_FAILED',
        message: `${command} could not be started: ${describeThrown(thrown)}`,
        stdout: '',
        stderr: '',
        durationMs: elapsed(),
      });
      return;
    }

    const stdout = new BoundedBuffer(options.maxStdoutBytes);
    const stderr = new BoundedBuffer(options.maxStderrBytes);
    let stopped: StopReason | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    let exited: () => void = () => undefined;
    const exitSeen = new Promise<void>((settle) => {
      exited = settle;
    });

    const killGroup = (): void => {
      const pid = child.pid;
      if (pid === undefined) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    let sweeping: Promise<void> | undefined;
    // Once per run: a second sweep would find the same processes, already signalled.
    const sweep = (): Promise<void> => (sweeping ??= killMarkedProcesses(marker, graceMs).catch(() => undefined));

    const finish = (outcome: ProcessResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const stop = (reason: StopReason): void => {
      if (stopped !== undefined || settled) return;
      stopped = reason;
      killGroup();
      // An escaped process may hold the pipes for ever: stop reading rather than wait for their end.
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      // The child itself got SIGKILL and exits at once; the bound is for a kernel that cannot deliver it (a hung NFS read).
      const exitOrGrace = Promise.race([exitSeen, new Promise((settle) => setTimeout(settle, timerDelay(graceMs)))]);
      void Promise.all([sweep(), exitOrGrace]).then(() =>
        finish({ status: 'failed', ...reason, stdout: stdout.text(), stderr: stderr.text(), durationMs: elapsed() }),
      );
    };
    stopRun = stop;

    const timer = setTimeout(
      () => stop({ code: 'TIMEOUT', message: `${command} timed out after ${options.timeoutMs} ms and was killed` }),
      timerDelay(options.timeoutMs),
    );
    const onAbort = (): void => stop({ code: 'ABORTED', message: `${command} was aborted and killed` });
    options.signal?.addEventListener('abort', onAbort, { once: true });

    // Past a cap, stop reading and kill the tree.
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdout.add(chunk)) return;
      stop({ code: 'LIMIT_EXCEEDED', message: `${command} wrote more than ${options.maxStdoutBytes} bytes to stdout and was killed` });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.add(chunk)) return;
      stop({ code: 'LIMIT_EXCEEDED', message: `${command} wrote more than ${options.maxStderrBytes} bytes to stderr and was killed` });
    });
    // Errors on our ends of the pipes (EPIPE from a child that never reads its stdin, a destroyed stream) are not the run's failure.
    child.stdin?.on('error', () => undefined);
    child.stdout?.on('error', () => undefined);
    child.stderr?.on('error', () => undefined);
    child.stdin?.end(options.stdin ?? '');

    child.on('error', (error: NodeJS.ErrnoException) => {
      killGroup();
      exited();
      if (stopped !== undefined) return;
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
      exited();
      // Whatever the child left behind goes with it; that also closes the pipes it shared.
      killGroup();
      void sweep();
    });
    child.on('close', () => {
      // A stopped run settles in stop(), which does not wait for the pipes.
      if (stopped !== undefined) return;
      const durationMs = elapsed();
      const outcome: ProcessResult =
        exit?.code === null || exit === undefined
          ? {
              status: 'failed',
              code: 'ENGINE_FAILED',
              message: `${command} was killed by ${exit?.signal ?? 'an unknown signal'}`,
              stdout: stdout.text(),
              stderr: stderr.text(),
              durationMs,
            }
          : { status: 'exited', exitCode: exit.code, stdout: stdout.text(), stderr: stderr.text(), durationMs };
      // Settles once the left-behind processes are gone too; the timeout still runs meanwhile.
      void sweep().then(() => finish(outcome));
    });
  });
  trackRun(() => stopRun({ code: 'ABORTED', message: `${command} was stopped and killed: tierguard is shutting down` }), result);
  return result;
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
