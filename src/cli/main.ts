import { readFileSync } from 'node:fs';
import { TierguardError } from '../errors.js';
import { escapeTerminalLines, escapeTerminalText } from '../terminal-text.js';
import { BUNDLE_USAGE, runBundle } from './bundle-command.js';
import type { CommandResult } from './check-command.js';
import { CHECK_USAGE, runCheck } from './check-command.js';
import { COMPILE_USAGE, runCompile } from './compile-command.js';
import { DOCTOR_USAGE, runDoctor } from './doctor-command.js';
import { EXPLAIN_USAGE, runExplain } from './explain-command.js';
import { asksForHelp, commandHelp } from './command-help.js';
import { answeringErrorsInJson } from './error-report.js';
import { GATEWAY_USAGE, runGateway } from './gateway-command.js';
import { IMPORT_USAGE, runImport } from './import-command.js';
import { LINT_USAGE, runLint } from './lint-command.js';
import { Interrupted } from './interrupted.js';
import { MCP_USAGE, runMcp } from './mcp-command.js';
import { RDF_USAGE, runRdf } from './rdf-command.js';
import { TEST_USAGE, runTest } from './test-command.js';
import { stoppableBySignals } from './stop-on-signal.js';
import { VALIDATE_USAGE, runValidate } from './validate-command.js';
import { UsageError, isUsageMistake } from './usage-error.js';

const USAGE = `usage:
  ${CHECK_USAGE}
  ${EXPLAIN_USAGE}
  ${COMPILE_USAGE}
  ${TEST_USAGE}
  ${VALIDATE_USAGE}
  ${MCP_USAGE}
  ${GATEWAY_USAGE}
  ${BUNDLE_USAGE}
  ${DOCTOR_USAGE}
  ${LINT_USAGE}
  ${IMPORT_USAGE}
  ${RDF_USAGE}
  tierguard --version
  tierguard <command> --help   (the command's options)

check, explain, compile, test, validate, mcp, gateway, doctor and lint take --config <file> [--strict] instead of --policies: a config file
  (tierguard.config.yaml) with sources by precedence, engines, adapter modules and options; never both

exit codes: 0 allow (check, explain, validate) or done, 1 deny or escalate (check, explain, validate), a fixture mismatch (test) or an error finding (lint),
  2 invalid policy, action, artifact, fixture or usage, or an engine that could not answer (validate),
  128 + the signal's number when SIGINT (130), SIGTERM (143) or SIGHUP (129) stopped test or validate`;

// A Map, not an object literal: `tierguard toString` must not find Object.prototype.toString.
// The commands that run engines stop them, and remove their files, on SIGINT, SIGTERM and SIGHUP; `mcp` and `gateway` handle their own signals.
// The commands with `--json` output answer their errors in JSON under it (`test` does so for each of its formats itself).
const COMMANDS: ReadonlyMap<string, (args: readonly string[]) => Promise<CommandResult>> = new Map([
  ['check', answeringErrorsInJson(runCheck)],
  ['explain', answeringErrorsInJson(runExplain)],
  ['compile', runCompile],
  ['test', (args: readonly string[]) => stoppableBySignals(() => runTest(args))],
  ['validate', answeringErrorsInJson((args: readonly string[]) => stoppableBySignals(() => runValidate(args)))],
  ['mcp', runMcp],
  ['gateway', runGateway],
  ['bundle', runBundle],
  ['doctor', answeringErrorsInJson((args: readonly string[]) => stoppableBySignals(() => runDoctor(args)))],
  ['lint', runLint],
  ['import', (args: readonly string[]) => stoppableBySignals(() => runImport(args))],
  ['rdf', runRdf],
]);

/** The commands `main` runs; each answers `--help` and `-h` (see command-help.ts). */
export const COMMAND_NAMES: readonly string[] = Object.freeze([...COMMANDS.keys()]);

/** Where the CLI writes; the process streams by default, buffers in tests. */
export interface Output {
  write(text: string): unknown;
}

/** Runs the CLI and returns its exit code; output goes to the given streams. */
export async function main(argv: readonly string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    out.write(`${manifest.version}\n`);
    return 0;
  }
  const run = COMMANDS.get(command);
  if (run !== undefined && asksForHelp(rest)) {
    out.write(`${commandHelp(command) ?? USAGE}\n`);
    return 0;
  }
  try {
    if (run === undefined) throw new UsageError(`unknown command "${escapeTerminalText(command)}"`);
    const result = await run(rest);
    for (const warning of result.warnings ?? []) err.write(`tierguard: warning: ${escapeTerminalLines(warning)}\n`);
    out.write(`${result.output}\n`);
    return result.exitCode;
  } catch (error) {
    if (error instanceof Interrupted) {
      err.write(`tierguard: ${escapeTerminalLines(error.message)}\n`);
      return error.exitCode;
    }
    // Known failures are messages for a person, not stack traces. They echo
    // arguments, file names and values, so nothing in them may drive the terminal;
    // their own line breaks (a list of invalid policies) are kept.
    if (isUsageMistake(error)) {
      err.write(`tierguard: ${escapeTerminalLines(error.message)}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof TierguardError) {
      err.write(`tierguard: ${error.code}: ${escapeTerminalLines(error.message)}\n`);
      return 2;
    }
    throw error;
  }
}
