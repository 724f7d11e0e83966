import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeThrown } from '../../describe-thrown.js';
import type { EngineLimits } from '../../limits.js';
import { commandOption, environmentOption, limitsOption, readAdapterOptions } from '../adapter-options.js';
import { materializeArtifact } from '../artifact/materialize-artifact.js';
import { callTimeout } from '../binding/call-timeout.js';
import { bindingOption, checkBinding, checkPolicyExists } from '../binding/check-binding.js';
import { readEnumOption } from '../binding/enum-option.js';
import { boundText } from '../json-reading.js';
import { processFailureError } from '../process/process-failure.js';
import { probeVersion, versionMatching } from '../process/probe-version.js';
import { runProcess } from '../process/run-process.js';
import { scrubPaths } from '../process/scrub-paths.js';
import { withTempDir } from '../process/temp-dir.js';
import type {
  Artifact,
  ArtifactFormat,
  EngineAdapter,
  EngineAvailability,
  EngineBinding,
  EngineError,
  EngineEvaluateOptions,
  EngineVerdict,
} from '../types.js';
import { errorVerdict, findingsVerdict } from '../verdict.js';
import { mapConftestOutput } from './conftest-result.js';

/** The Conftest release the adapter is tested against; what `available()` suggests installing. */
export const CONFTEST_TESTED_VERSION = '0.71.1';

/** How to find and run Conftest. */
export interface ConftestAdapterOptions {
  /** The conftest executable: a name looked up on PATH, or a path; default `conftest`. */
  readonly command?: string;
  /** Bounds on time and output; default `DEFAULT_ENGINE_LIMITS`. */
  readonly limits?: Partial<EngineLimits>;
  /** The environment Conftest runs in; default this process's, less any `CONFTEST_*` variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const NAME = 'conftest';
const BINDING_OPTIONS = ['namespaces', 'parser'] as const;
const INSTALL_HINT = `install it with "go install github.com/open-policy-agent/conftest@v${CONFTEST_TESTED_VERSION}"`;
/** `conftest --version` prints `Conftest: 0.71.1` and the OPA version it embeds. */
const readConftestVersion = versionMatching(/^Conftest:\s*(\S+)/m);

/** Conftest's parsers (`conftest test --help`), for the `parser` binding option. */
const PARSERS: readonly string[] = [
  'codeowners',
  'cue',
  'cyclonedx',
  'dockerfile',
  'dotenv',
  'edn',
  'groovy',
  'hcl1',
  'hcl2',
  'hocon',
  'ignore',
  'ini',
  'json',
  'jsonc',
  'jsonnet',
  'nginx',
  'properties',
  'spdx',
  'textproto',
  'toml',
  'vcl',
  'xml',
  'yaml',
];

/**
 * The parser for an artifact whose format is known, so a `.txt` holding JSON is
 * read as JSON. Formats Conftest has no parser for are left to its choice by
 * file extension, which fails (an error, not a pass) when it has none either.
 */
const PARSER_BY_FORMAT: Partial<Readonly<Record<ArtifactFormat, string>>> = {
  json: 'json',
  yaml: 'yaml',
  hcl: 'hcl2',
  terraform: 'hcl2',
  'terraform-plan': 'json',
  dockerfile: 'dockerfile',
};

/** A namespace, or a Conftest namespace pattern (`k8s.*`); never anything that could read as a flag. */
const NAMESPACE = /^[A-Za-z0-9_][A-Za-z0-9_.*?[\]-]{0,255}$/;
const MAX_NAMESPACES = 64;

/**
 * Conftest behind the {@link EngineAdapter} interface: `conftest test --output
 * json --no-fail --policy <policy> [--parser <p>] (--all-namespaces |
 * --namespace <n>...) <artifact>`. The binding's `policy` is a Rego file or a
 * directory of them. Failures (`deny`, `violation` rules) take the binding's
 * effect; warnings (`warn` rules) warn.
 *
 * Binding options: `namespaces` (a list of packages or patterns to test,
 * instead of every namespace) and `parser` (one of Conftest's parsers, when the
 * artifact's name or format does not say which).
 *
 * Conftest exits 1 both when a rule fails and when it cannot run (a policy that
 * does not compile, an artifact it cannot parse), so the adapter passes
 * `--no-fail`: then exit 0 means it ran and its JSON holds the findings, and any
 * other exit is an error with Conftest's reason. It runs in the private temp
 * directory with `CONFTEST_*` variables removed, because Conftest takes flags
 * from both (`conftest.toml` in its working directory, `CONFTEST_IGNORE=.*`
 * in the environment) and either could make it skip the artifact.
 */
export function createConftestAdapter(options: ConftestAdapterOptions = {}): EngineAdapter {
  const read = readAdapterOptions('createConftestAdapter', options, {
    command: commandOption(NAME),
    limits: limitsOption(),
    env: environmentOption(),
  });
  const { command, limits } = read;
  const env = withoutConftestVariables(read.env);

  function available(): Promise<EngineAvailability> {
    return probeVersion({
      command,
      args: ['--version'],
      env,
      timeoutMs: limits.timeoutMs,
      readVersion: readConftestVersion,
      installHint: INSTALL_HINT,
    });
  }

  async function evaluate(artifact: Artifact, binding: EngineBinding, call: EngineEvaluateOptions = {}): Promise<EngineVerdict> {
    const started = performance.now();
    const fail = (error: EngineError): EngineVerdict => errorVerdict(NAME, binding, error, started);
    try {
      const invalid = checkBinding(NAME, binding, BINDING_OPTIONS);
      if (invalid !== undefined) return fail(invalid);
      const namespaces = readNamespaces(bindingOption(binding, 'namespaces'));
      if (!namespaces.ok) return fail(namespaces.error);
      const parserOption = readEnumOption(NAME, binding, 'parser', PARSERS, undefined);
      if (!parserOption.ok) return fail(parserOption.error);
      const missing = await checkPolicyExists(binding.policy, true);
      if (missing !== undefined) return fail(missing);
      const timeout = callTimeout(call, limits.timeoutMs);
      if (!timeout.ok) return fail(timeout.error);
      const { timeoutMs } = timeout;

      return await withTempDir(async (dir) => {
        // Content goes one level down, so the working directory holds nothing Conftest would read as its config.
        const inputDir = join(dir, 'input');
        await mkdir(inputDir, { mode: 0o700 });
        const prepared = await materializeArtifact(artifact, inputDir, limits.maxArtifactBytes);
        if (!prepared.ok) return fail(prepared.error);
        const { file, shownAs, format } = prepared.artifact;
        const scrub = (text: string): string => scrubPaths(text.replaceAll(file, shownAs), [dir]);
        const parser = parserOption.value ?? (format === undefined ? undefined : PARSER_BY_FORMAT[format]);
        const args = [
          'test',
          '--output=json',
          '--no-fail',
          '--no-color',
          // Absolute, since Conftest runs in the temp directory; `=` keeps a path starting with `-` a value.
          `--policy=${resolve(binding.policy)}`,
          ...(parser === undefined ? [] : [`--parser=${parser}`]),
          ...(namespaces.list === undefined ? ['--all-namespaces'] : namespaces.list.map((namespace) => `--namespace=${namespace}`)),
          '--',
          file,
        ];
        const result = await runProcess(command, args, {
          cwd: dir,
          env,
          timeoutMs,
          maxStdoutBytes: limits.maxStdoutBytes,
          maxStderrBytes: limits.maxStderrBytes,
          killGraceMs: limits.killGraceMs,
          ...(call.signal === undefined ? {} : { signal: call.signal }),
        });
        if (result.status === 'failed') return fail(processFailureError(result, scrub, INSTALL_HINT));
        if (result.exitCode !== 0)
          return fail(exitError(result.exitCode, scrub(result.stderr).trim() || scrub(result.stdout).trim(), limits.maxMessageLength));
        const mapped = mapConftestOutput(result.stdout, {
          policyId: binding.policyId,
          ...(binding.effect === undefined ? {} : { effect: binding.effect }),
          maxViolations: limits.maxSarifResults,
          maxMessageLength: limits.maxMessageLength,
          scrub,
          namespaces:
            namespaces.list === undefined
              ? `any namespace of ${binding.policy}`
              : `namespaces ${namespaces.list.join(', ')} of ${binding.policy}`,
        });
        return mapped.ok ? findingsVerdict(NAME, binding, mapped.violations, started) : fail(mapped.error);
      });
    } catch (thrown) {
      // Only the temp directory itself failing (no space, no permission) gets here.
      return fail({ code: 'ENGINE_FAILED', message: `conftest could not be run: ${describeThrown(thrown)}` });
    }
  }

  return Object.freeze({ name: NAME, available, evaluate });
}

/** The `namespaces` option: absent (every namespace), or a non-empty list of names or patterns. */
function readNamespaces(value: unknown): { ok: true; list?: readonly string[] } | { ok: false; error: EngineError } {
  if (value === undefined) return { ok: true };
  const wrong = {
    ok: false as const,
    error: {
      code: 'INVALID_BINDING' as const,
      message: `conftest option namespaces must be a list of 1 to ${MAX_NAMESPACES} package names or patterns (such as "main" or "k8s.*")`,
    },
  };
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_NAMESPACES) return wrong;
  const list: string[] = [];
  for (const namespace of value) {
    if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) return wrong;
    list.push(namespace);
  }
  return { ok: true, list };
}

/**
 * Conftest prints why it could not run as `Error: running test: <step>: ...`
 * on stderr; an artifact it cannot read is the artifact's problem, anything else
 * (a policy that does not compile, no policies found) is the engine's.
 */
function exitError(exitCode: number, reported: string, maxLength: number): EngineError {
  const reason = reported.replace(/^Error:\s*/, '');
  const code = /running test: (parse configurations|parse files):/.test(reason) ? 'INVALID_ARTIFACT' : 'ENGINE_FAILED';
  const detail = reason.length > 0 ? `: ${reason}` : '';
  return { code, message: boundText(`conftest exited with ${exitCode}${detail}`, maxLength) };
}

/** Conftest reads every flag from a `CONFTEST_<FLAG>` variable too; only the adapter's flags may apply. */
function withoutConftestVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.toUpperCase().startsWith('CONFTEST_')));
}
