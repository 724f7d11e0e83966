import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeThrown } from '../../describe-thrown.js';
import { readRegularText } from '../../read-regular-file.js';
import type { EngineLimits } from '../../limits.js';
import { commandOption, enumOption, environmentOption, limitsOption, readAdapterOptions } from '../adapter-options.js';
import { materializeArtifact } from '../artifact/materialize-artifact.js';
import { callTimeout } from '../binding/call-timeout.js';
import { bindingOption, checkBinding, checkPolicyExists } from '../binding/check-binding.js';
import { readEnumOption } from '../binding/enum-option.js';
import { readRuleIdOption } from '../binding/rule-id-option.js';
import { boundText } from '../json-reading.js';
import { lastLines } from '../process/last-lines.js';
import { processFailureError } from '../process/process-failure.js';
import { lastLineVersion, probeVersion } from '../process/probe-version.js';
import { runProcess } from '../process/run-process.js';
import { scrubPaths } from '../process/scrub-paths.js';
import { withTempDir } from '../process/temp-dir.js';
import { normalizeSarif, SARIF_LEVELS } from '../sarif/normalize-sarif.js';
import type { SarifLevel } from '../sarif/normalize-sarif.js';
import type {
  Artifact,
  EngineAdapter,
  EngineAvailability,
  EngineBinding,
  EngineError,
  EngineEvaluateOptions,
  EngineVerdict,
} from '../types.js';
import { errorVerdict, findingsVerdict } from '../verdict.js';
import { checkCheckovConfig } from './checkov-config.js';
import { checkovEnvironment } from './checkov-environment.js';
import { checkovSeverityLevel, readCheckovSummary } from './checkov-summary.js';

/** The Checkov release the adapter is tested against; what `available()` suggests installing. */
export const CHECKOV_TESTED_VERSION = '3.3.30';

/** How to find and run Checkov. */
export interface CheckovAdapterOptions {
  /** The checkov executable: a name looked up on PATH, or a path; default `checkov`. */
  readonly command?: string;
  /**
   * Bounds on time and output; default `DEFAULT_ENGINE_LIMITS` with a 120 s
   * timeout, since Checkov spends seconds starting before it scans anything.
   */
  readonly limits?: Partial<EngineLimits>;
  /** Results below this SARIF level are dropped unless a binding says otherwise; default `note`. */
  readonly minLevel?: SarifLevel;
  /**
   * The environment Checkov runs in; default this process's. Variables that
   * configure Checkov (`CKV_*`, `CHECKOV_*`, `BC_*`, `PRISMA_*`) are removed
   * whatever it says, and update checks and downloads are turned off.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const NAME = 'checkov';
const BINDING_OPTIONS = ['minLevel', 'allowNoChecks', 'check'] as const;
const INSTALL_HINT = `install it with "pip install checkov==${CHECKOV_TESTED_VERSION}"`;
const DEFAULT_TIMEOUT_MS = 120_000;
/** Largest Checkov config the adapter reads to vet it; real ones are a few hundred bytes. */
const MAX_CONFIG_BYTES = 1_048_576;

/**
 * Checkov behind the {@link EngineAdapter} interface: `checkov --config-file
 * <policy> --file <artifact> -o sarif -o json --output-file-path <temp files>
 * --skip-download`, its SARIF normalised into violations. The binding's
 * `policy` is a Checkov config file (YAML: `framework`, `check`, `skip-check`,
 * `external-checks-dir` for custom checks, ...); Checkov runs in that file's
 * directory, so relative paths in it (and a `.checkov.yaml` beside it) are the
 * policy's.
 *
 * Binding options: `minLevel` (as for Semgrep), `check` (one check id, run
 * instead of the config's `check:`) and `allowNoChecks` (default `false`, see
 * below). A failed check's level is its severity where Checkov
 * gives one (custom checks' `metadata.severity`, or the platform's): CRITICAL
 * and HIGH `error`, MEDIUM and LOW `warning`, INFO a `note`; without one, `error`.
 *
 * A clean pass must be told apart from a run that checked nothing, which
 * Checkov reports alike (exit 0, SARIF without results). So the adapter also
 * asks for the JSON report and reads its totals: parsing errors make the
 * verdict an `INVALID_ARTIFACT` error, and a run in which no check ran at all
 * (an artifact type no selected framework reads, a misspelt check id, or no
 * resource the checks apply to) is an `ENGINE_FAILED` error unless the binding
 * sets `allowNoChecks`. Exit 0 and 1 (failed checks) mean Checkov ran; any
 * other exit (2: a bad config or a crash) is an error. Both reports are written
 * to files in the private temp directory, because Checkov's stdout mixes them
 * with its banner and table.
 *
 * Nothing reaches the network: `--skip-download`, `BC_SKIP_MAPPING=TRUE` and
 * `CKV_SKIP_PACKAGE_UPDATE_CHECK=true`, Checkov's own variables stripped, and
 * configs that set an API key, remote checks or module downloads refused.
 * `HOME` points into the temp directory so that a `~/.checkov.yaml` cannot
 * change what runs (`PYTHONUSERBASE` keeps a `pip install --user` Checkov working).
 */
export function createCheckovAdapter(options: CheckovAdapterOptions = {}): EngineAdapter {
  const read = readAdapterOptions('createCheckovAdapter', options, {
    command: commandOption(NAME),
    limits: limitsOption({ timeoutMs: DEFAULT_TIMEOUT_MS }),
    minLevel: enumOption(SARIF_LEVELS, 'note'),
    env: environmentOption(),
  });
  const { command, limits, minLevel: defaultMinLevel } = read;
  const baseEnv = checkovEnvironment(read.env);

  function available(): Promise<EngineAvailability> {
    return probeVersion({
      command,
      args: ['--version'],
      env: baseEnv,
      timeoutMs: limits.timeoutMs,
      readVersion: readCheckovVersion,
      installHint: INSTALL_HINT,
    });
  }

  async function evaluate(artifact: Artifact, binding: EngineBinding, call: EngineEvaluateOptions = {}): Promise<EngineVerdict> {
    const started = performance.now();
    const fail = (error: EngineError): EngineVerdict => errorVerdict(NAME, binding, error, started);
    try {
      const invalid = checkBinding(NAME, binding, BINDING_OPTIONS);
      if (invalid !== undefined) return fail(invalid);
      const minLevelOption = readEnumOption(NAME, binding, 'minLevel', SARIF_LEVELS, defaultMinLevel);
      if (!minLevelOption.ok) return fail(minLevelOption.error);
      const minLevel = minLevelOption.value;
      const allowNoChecks = bindingOption(binding, 'allowNoChecks') ?? false;
      if (typeof allowNoChecks !== 'boolean')
        return fail({ code: 'INVALID_BINDING', message: 'checkov option allowNoChecks must be a boolean' });
      const check = readRuleIdOption(NAME, binding, 'check');
      if (!check.ok) return fail(check.error);
      const missing = await checkPolicyExists(binding.policy, false);
      if (missing !== undefined) return fail(missing);
      const refused = await checkCheckovConfig(binding.policy, MAX_CONFIG_BYTES);
      if (refused !== undefined) return fail(refused);
      const timeout = callTimeout(call, limits.timeoutMs);
      if (!timeout.ok) return fail(timeout.error);
      const { timeoutMs } = timeout;

      return await withTempDir(async (dir) => {
        // Content, reports and HOME each get a directory of their own, so no name can collide.
        const [inputDir, outputDir, homeDir] = ['input', 'output', 'home'].map((name) => join(dir, name)) as [string, string, string];
        for (const sub of [inputDir, outputDir, homeDir]) await mkdir(sub, { mode: 0o700 });
        const prepared = await materializeArtifact(artifact, inputDir, limits.maxArtifactBytes);
        if (!prepared.ok) return fail(prepared.error);
        const { file, shownAs } = prepared.artifact;
        const scrub = (text: string): string => scrubPaths(text.replaceAll(file, shownAs), [dir]);
        const sarifFile = join(outputDir, 'results.sarif');
        const jsonFile = join(outputDir, 'results.json');
        if (outputDir.includes(',')) {
          // Checkov splits --output-file-path on commas; a temp dir with one cannot be handed over.
          return fail({
            code: 'ENGINE_FAILED',
            message: 'checkov cannot write its reports: the temporary directory path contains a comma (set TMPDIR elsewhere)',
          });
        }
        const policy = resolve(binding.policy);
        const args = [
          `--config-file=${policy}`,
          `--file=${file}`,
          '--output=sarif',
          '--output=json',
          `--output-file-path=${sarifFile},${jsonFile}`,
          // On the command line, `--check` replaces the config's `check:`; a shared config can so back one policy per check.
          ...(check.value === undefined ? [] : [`--check=${check.value}`]),
          '--skip-download',
          '--quiet',
          '--compact',
        ];
        const result = await runProcess(command, args, {
          cwd: dirname(policy),
          env: { ...baseEnv, HOME: homeDir },
          timeoutMs,
          maxStdoutBytes: limits.maxStdoutBytes,
          maxStderrBytes: limits.maxStderrBytes,
          killGraceMs: limits.killGraceMs,
          ...(call.signal === undefined ? {} : { signal: call.signal }),
        });
        if (result.status === 'failed') return fail(processFailureError(result, scrub, INSTALL_HINT));
        const reason = (): string => lastLines(scrub(result.stderr).trim() || scrub(result.stdout).trim(), limits.maxMessageLength);
        if (result.exitCode !== 0 && result.exitCode !== 1) {
          const detail = reason();
          return fail({
            code: 'ENGINE_FAILED',
            message: boundText(`checkov exited with ${result.exitCode}${detail ? `: ${detail}` : ''}`, limits.maxMessageLength),
          });
        }

        const jsonText = await readReport(jsonFile, limits.maxStdoutBytes);
        const sarifText = await readReport(sarifFile, limits.maxStdoutBytes);
        for (const report of [jsonText, sarifText]) {
          if (report.ok) continue;
          const detail = reason();
          return fail({
            ...report.error,
            message: boundText(`${report.error.message}${detail ? `: ${detail}` : ''}`, limits.maxMessageLength),
          });
        }
        const summary = readCheckovSummary(jsonText.ok ? jsonText.text : '');
        if (!summary.ok) return fail(summary.error);
        if (summary.summary.parsingErrors > 0) {
          return fail({ code: 'INVALID_ARTIFACT', message: `checkov could not parse ${shownAs}` });
        }
        if (summary.summary.checks === 0 && !allowNoChecks) {
          return fail({
            code: 'ENGINE_FAILED',
            message:
              `checkov ran no check on ${shownAs}: no framework the config selects reads it, the checks it names do not exist, ` +
              'or it has no resource they apply to (set the binding option allowNoChecks to pass such artifacts)',
          });
        }
        // Checkov names the scanned file in several ways: relative to its working directory (the
        // config's) when it is below it, by its absolute path less the leading `/`, or by a tail of
        // its path (`input/main.tf` when the config and the temp directory share a parent, as in a
        // checkout under /tmp). Only one file is scanned, so a name that ends its path at a
        // segment boundary is that file; the violation names it as the caller did.
        const isScanned = (name: string): boolean => {
          const plain = name.replaceAll('\\', '/').replace(/^(?:\.\/)+/, '');
          return (
            plain.length > 0 &&
            (file === plain || file.endsWith(`/${plain}`) || resolve(dirname(policy), name) === file || resolve('/', name) === file)
          );
        };
        const normalized = normalizeSarif(sarifText.ok ? sarifText.text : '', {
          policyId: binding.policyId,
          ...(binding.effect === undefined ? {} : { effect: binding.effect }),
          minLevel,
          limits,
          scrub,
          locationFile: (name) => (isScanned(name) ? shownAs : name),
          // A failed check's severity, where Checkov gives one, is its level; without one, Checkov's `error` stands.
          levelOf: (ruleId, level) => {
            const severity = summary.summary.severities.get(ruleId);
            return severity === undefined ? level : checkovSeverityLevel(severity);
          },
        });
        if (!normalized.ok) return fail(normalized.error);
        // Exit 1 with nothing to show would be a failed check the SARIF lost (a config with soft-fail exits 0 instead, harmlessly).
        if (result.exitCode === 1 && normalized.violations.length === 0 && minLevel === 'note') {
          return fail({
            code: 'INVALID_OUTPUT',
            message: 'checkov exited with 1 (failed checks) but its SARIF report holds no failed check',
          });
        }
        return findingsVerdict(NAME, binding, normalized.violations, started);
      });
    } catch (thrown) {
      // Only the temp directory itself failing (no space, no permission) gets here.
      return fail({ code: 'ENGINE_FAILED', message: `checkov could not be run: ${describeThrown(thrown)}` });
    }
  }

  return Object.freeze({ name: NAME, available, evaluate });
}

/** A report Checkov should have written; missing means it stopped before writing, and that is an error. */
async function readReport(file: string, maxBytes: number): Promise<{ ok: true; text: string } | { ok: false; error: EngineError }> {
  const which = file.endsWith('.sarif') ? 'SARIF' : 'JSON';
  try {
    const info = await stat(file);
    if (info.size > maxBytes) {
      return {
        ok: false,
        error: { code: 'LIMIT_EXCEEDED', message: `checkov's ${which} report has ${info.size} bytes, more than the limit of ${maxBytes}` },
      };
    }
    return { ok: true, text: await readRegularText(file, maxBytes) };
  } catch {
    return { ok: false, error: { code: 'ENGINE_FAILED', message: `checkov wrote no ${which} report` } };
  }
}

/** `checkov --version` prints the version on its last line; anything else there (a warning) is no version. */
export function readCheckovVersion(stdout: string): string | undefined {
  const version = lastLineVersion(stdout);
  return version !== undefined && /^\d+\.\d+/.test(version) ? version : undefined;
}
