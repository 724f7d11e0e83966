import { performance } from 'node:perf_hooks';
import { basename, dirname } from 'node:path';
import { describeThrown } from '../../describe-thrown.js';
import type { EngineLimits } from '../../limits.js';
import { commandOption, enumOption, environmentOption, limitsOption, readAdapterOptions } from '../adapter-options.js';
import { materializeArtifact } from '../artifact/materialize-artifact.js';
import { callTimeout } from '../binding/call-timeout.js';
import { checkBinding, checkPolicyExists } from '../binding/check-binding.js';
import { readEnumOption } from '../binding/enum-option.js';
import { readRuleIdOption } from '../binding/rule-id-option.js';
import { lastLines } from '../process/last-lines.js';
import { processFailureError } from '../process/process-failure.js';
import { lastLineVersion, probeVersion } from '../process/probe-version.js';
import { runProcess } from '../process/run-process.js';
import { scrubPaths } from '../process/scrub-paths.js';
import { withTempDir } from '../process/temp-dir.js';
import { normalizeSarif, SARIF_LEVELS } from '../sarif/normalize-sarif.js';
import type { SarifLevel } from '../sarif/normalize-sarif.js';
import { sarifRuleIds } from '../sarif/sarif-rule-ids.js';
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

/** The Semgrep release the adapter is tested against; what `available()` suggests installing. */
export const SEMGREP_TESTED_VERSION = '1.180.0';

/** How to find and run Semgrep. */
export interface SemgrepAdapterOptions {
  /** The semgrep executable: a name looked up on PATH, or a path; default `semgrep`. */
  readonly command?: string;
  /** Bounds on time and output; default `DEFAULT_ENGINE_LIMITS`. */
  readonly limits?: Partial<EngineLimits>;
  /** Results below this SARIF level are dropped unless a binding says otherwise; default `note`. */
  readonly minLevel?: SarifLevel;
  /** The environment Semgrep runs in; default this process's. Version checks and metrics are turned off whatever it says. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const NAME = 'semgrep';
const BINDING_OPTIONS = ['minLevel', 'rule'] as const;
const INSTALL_HINT = `install it with "pip install semgrep==${SEMGREP_TESTED_VERSION}"`;

/**
 * Semgrep behind the {@link EngineAdapter} interface: `semgrep scan --sarif
 * --metrics=off --config <rule> <artifact>`, its SARIF normalised into
 * violations. The binding's `policy` is a rule file (or directory); Semgrep's
 * exit code 0 means it ran, whatever it found, and anything else is an error.
 *
 * Binding options: `minLevel` (results below it are dropped) and `rule` (only
 * that rule's findings count, so one file of many rules can back one policy
 * per rule; a rule the file does not have is an `INVALID_BINDING` error).
 *
 * Semgrep runs in the rule file's directory with the rule given by its base
 * name, because it prefixes rule ids with the config's path relative to the
 * working directory: this way a rule `no-eval` is reported as `no-eval` on
 * every machine.
 */
export function createSemgrepAdapter(options: SemgrepAdapterOptions = {}): EngineAdapter {
  const read = readAdapterOptions('createSemgrepAdapter', options, {
    command: commandOption(NAME),
    limits: limitsOption(),
    minLevel: enumOption(SARIF_LEVELS, 'note'),
    env: environmentOption(),
  });
  const { command, limits, minLevel: defaultMinLevel } = read;
  // Without these Semgrep asks the network for a newer version on every run,
  // which offline costs over a minute, and sends metrics.
  const env = { ...read.env, SEMGREP_ENABLE_VERSION_CHECK: '0', SEMGREP_SEND_METRICS: 'off' };

  function available(): Promise<EngineAvailability> {
    return probeVersion({
      command,
      args: ['--version'],
      env,
      timeoutMs: limits.timeoutMs,
      readVersion: lastLineVersion,
      installHint: INSTALL_HINT,
      mentionNoVersion: false,
    });
  }

  async function evaluate(artifact: Artifact, binding: EngineBinding, call: EngineEvaluateOptions = {}): Promise<EngineVerdict> {
    const started = performance.now();
    const fail = (error: EngineError): EngineVerdict => errorVerdict(NAME, binding, error, started);
    try {
      const invalid = checkBinding(NAME, binding, BINDING_OPTIONS);
      if (invalid !== undefined) return fail(invalid);
      const minLevel = readEnumOption(NAME, binding, 'minLevel', SARIF_LEVELS, defaultMinLevel);
      if (!minLevel.ok) return fail(minLevel.error);
      const rule = readRuleIdOption(NAME, binding, 'rule');
      if (!rule.ok) return fail(rule.error);
      const missing = await checkPolicyExists(binding.policy, true);
      if (missing !== undefined) return fail(missing);
      const timeout = callTimeout(call, limits.timeoutMs);
      if (!timeout.ok) return fail(timeout.error);
      const { timeoutMs } = timeout;

      return await withTempDir(async (dir) => {
        const prepared = await materializeArtifact(artifact, dir, limits.maxArtifactBytes);
        if (!prepared.ok) return fail(prepared.error);
        const { file, shownAs } = prepared.artifact;
        // Messages name the artifact as the caller knows it, never our temp dir or its absolute form.
        const scrub = (text: string): string => scrubPaths(text.replaceAll(file, shownAs), [dir]);
        const args = [
          'scan',
          '--sarif',
          '--metrics=off',
          '--disable-version-check',
          '--quiet',
          '--no-git-ignore',
          // Semgrep skips targets over 1 MB by default, and gives up on a rule after
          // 5 s on a file, reporting only a warning: either would read as a pass.
          // Our own timeout bounds the whole run instead.
          '--max-target-bytes=0',
          '--timeout=0',
          '--config',
          basename(binding.policy),
          file,
        ];
        const result = await runProcess(command, args, {
          cwd: dirname(binding.policy),
          env,
          timeoutMs,
          maxStdoutBytes: limits.maxStdoutBytes,
          maxStderrBytes: limits.maxStderrBytes,
          killGraceMs: limits.killGraceMs,
          ...(call.signal === undefined ? {} : { signal: call.signal }),
        });
        if (result.status === 'failed') return fail(processFailureError(result, scrub, INSTALL_HINT));
        const normalized = normalizeSarif(result.stdout, {
          policyId: binding.policyId,
          ...(binding.effect === undefined ? {} : { effect: binding.effect }),
          minLevel: minLevel.value,
          limits,
          scrub,
          // Should a per-rule timeout still happen (a user's settings), the findings it lost make it an error.
          failingNotifications: ['Timeout'],
        });
        if (result.exitCode !== 0) {
          // Semgrep reports a bad rule or config (exit 2, 7, ...) in the SARIF's notifications; stderr is the fallback.
          const reported = normalized.ok ? '' : normalized.error.message;
          const detail = reported || lastLines(scrub(result.stderr).trim(), limits.maxMessageLength);
          return fail({ code: 'ENGINE_FAILED', message: `semgrep exited with ${result.exitCode}${detail ? `: ${detail}` : ''}` });
        }
        if (!normalized.ok) return fail(normalized.error);
        const only = rule.value;
        if (only === undefined) return findingsVerdict(NAME, binding, normalized.violations, started);
        // A rule the file does not have would find nothing, every time: a misspelt id must not read as a pass.
        if (!(sarifRuleIds(result.stdout)?.has(only) ?? false)) {
          return fail({ code: 'INVALID_BINDING', message: `semgrep option rule: the rule file has no rule "${only}"` });
        }
        const kept = normalized.violations.filter((violation) => violation.constraint === only);
        return findingsVerdict(NAME, binding, kept, started);
      });
    } catch (thrown) {
      // Only the temp directory itself failing (no space, no permission) gets here.
      return fail({ code: 'ENGINE_FAILED', message: `semgrep could not be run: ${describeThrown(thrown)}` });
    }
  }

  return Object.freeze({ name: NAME, available, evaluate });
}
