import { isTierguardError } from '../errors.js';
import { formatJunitError } from '../policy-tests/fixture-report-junit.js';
import { formatTapError } from '../policy-tests/fixture-report-tap.js';
import { escapeJsonForTerminal } from '../terminal-text.js';
import type { CommandResult } from './check-command.js';
import { isUsageMistake } from './usage-error.js';

/** A machine-read report format of `tierguard test`. */
export type ReportFormat = 'json' | 'junit' | 'tap';

/** The code a command-line mistake carries in a machine-read error; a TierguardError keeps its own. */
export const USAGE_ERROR_CODE = 'USAGE_ERROR';

/** An error as the JSON document `--json` prints instead of a report: `{ "error": { code, message, details? } }`. */
export interface ErrorDocument {
  readonly error: {
    /** `USAGE_ERROR`, or the TierguardError's code (`INVALID_POLICY`, `IO_ERROR`...). */
    readonly code: string;
    /** The message the CLI would print on stderr, unescaped (JSON escapes it). */
    readonly message: string;
    /** The TierguardError's details, when it has any (file, pointer, issues...). */
    readonly details?: Readonly<Record<string, unknown>>;
  };
}

/**
 * A failure the CLI knows (a usage mistake or a TierguardError, each exit 2) in
 * the requested report format: the JSON error document, a JUnit `<error>` or a
 * TAP `Bail out!`. `undefined` for anything else, which stays a crash with its
 * stack: it is a bug, not an answer.
 */
export function errorReport(format: ReportFormat, error: unknown): string | undefined {
  const document = errorDocument(error);
  if (document === undefined) return undefined;
  const { code, message } = document.error;
  if (format === 'junit') return formatJunitError(code, message);
  if (format === 'tap') return formatTapError(code, message);
  return escapeJsonForTerminal(JSON.stringify(document, null, 2));
}

/** The JSON error document for a failure the CLI knows; `undefined` for any other. */
export function errorDocument(error: unknown): ErrorDocument | undefined {
  if (isUsageMistake(error)) return { error: { code: USAGE_ERROR_CODE, message: error.message } };
  if (!isTierguardError(error)) return undefined;
  const details = jsonDetails(error.details);
  return { error: { code: error.code, message: error.message, ...(details === undefined ? {} : { details }) } };
}

// Details come from JSON files and the loader, so they serialise; should one not, the code and message still go out.
function jsonDetails(details: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> | undefined {
  if (Object.keys(details).length === 0) return undefined;
  try {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A command as `main` runs it. */
type Command = (args: readonly string[]) => Promise<CommandResult>;

/**
 * `run`, answering a failure the CLI knows (a usage mistake or a
 * TierguardError) as the JSON error document on stdout, exit 2, when the
 * command line asks for `--json` (before any `--`): a script that reads the
 * output as JSON gets JSON, for a refusal as for a decision. The exit codes are
 * those of the text output. Anything else (a signal, a bug) is left to `main`.
 */
export function answeringErrorsInJson(run: Command): Command {
  return async (args) => {
    try {
      return await run(args);
    } catch (error) {
      const end = args.indexOf('--');
      const asked = (end === -1 ? args : args.slice(0, end)).includes('--json');
      const answer = asked ? errorReport('json', error) : undefined;
      if (answer === undefined) throw error;
      return { output: answer, exitCode: 2 };
    }
  };
}
