import { constants } from 'node:os';

/**
 * A command stopped by a signal after its engine runs were stopped: `main`
 * reports it on stderr and exits with 128 + the signal's number (130 for SIGINT,
 * 143 for SIGTERM, 129 for SIGHUP), as a shell reports a process the signal killed.
 */
export class Interrupted extends Error {
  /** The exit code: 128 + the signal's number. */
  readonly exitCode: number;

  constructor(
    /** The signal that stopped the command. */
    readonly signal: NodeJS.Signals,
    /** Whether every engine run was over and its temporary directory removed in time. */
    readonly cleanedUp: boolean,
    waitMs: number,
  ) {
    super(
      cleanedUp
        ? `stopped by ${signal}: engine runs were killed and their temporary directories removed`
        : `stopped by ${signal}: some engine runs were not over within ${waitMs} ms; exiting anyway`,
    );
    this.name = 'Interrupted';
    this.exitCode = 128 + constants.signals[signal];
  }
}
