import { extname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeThrown } from '../../describe-thrown.js';
import { readRegularText } from '../../read-regular-file.js';
import type { EngineLimits } from '../../limits.js';
import { commandOption, environmentOption, limitsOption, readAdapterOptions } from '../adapter-options.js';
import { boundText } from '../json-reading.js';
import { materializeArtifact } from '../artifact/materialize-artifact.js';
import { callTimeout } from '../binding/call-timeout.js';
import { checkPolicyExists } from '../binding/check-binding.js';
import { processFailureError } from '../process/process-failure.js';
import { runProcess } from '../process/run-process.js';
import { scrubPaths } from '../process/scrub-paths.js';
import { withTempDir } from '../process/temp-dir.js';
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
import { OPA_INSTALL_HINT, probeOpa } from './opa-binary.js';
import { opaResultContext, readOpaBinding } from './opa-binding.js';
import { mapOpaOutput, opaErrors } from './opa-result.js';

// Kept exported here, where callers have always imported it from.
export { OPA_TESTED_VERSION } from './opa-binary.js';

/** How to find and run OPA. */
export interface OpaCliAdapterOptions {
  /** The opa executable: a name looked up on PATH, or a path; default `opa`. */
  readonly command?: string;
  /** Bounds on time and output; default `DEFAULT_ENGINE_LIMITS`. */
  readonly limits?: Partial<EngineLimits>;
  /** The environment OPA runs in; default this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const NAME = 'opa';

/**
 * OPA's CLI behind the {@link EngineAdapter} interface: `opa eval --format json
 * --input <artifact> --data <policy> -- <query>`, one process per evaluation.
 * The binding's `policy` is a Rego file or a directory of them (with data
 * files), or an OPA bundle (`.tar.gz`, `.tgz`, as `opa build` writes one),
 * which is loaded with `--bundle` as OPA loads bundles; its `query` is required (`data.s3.deny`). The binding option
 * `result` says how to read the value: `violations` (default; a set of
 * messages or objects), `allow` or `deny` (a boolean).
 *
 * The artifact must be JSON or YAML, which is what OPA reads as input. A JSON
 * artifact is checked to be JSON first, because OPA quietly reads malformed
 * JSON as a YAML string, which most policies would then pass.
 */
export function createOpaCliAdapter(options: OpaCliAdapterOptions = {}): EngineAdapter {
  const { command, limits, env } = readAdapterOptions('createOpaCliAdapter', options, {
    command: commandOption(NAME),
    limits: limitsOption(),
    env: environmentOption(),
  });

  function available(): Promise<EngineAvailability> {
    return probeOpa(command, env, limits.timeoutMs, OPA_INSTALL_HINT);
  }

  async function evaluate(artifact: Artifact, binding: EngineBinding, call: EngineEvaluateOptions = {}): Promise<EngineVerdict> {
    const started = performance.now();
    const fail = (error: EngineError): EngineVerdict => errorVerdict(NAME, binding, error, started);
    try {
      const read = readOpaBinding(binding);
      if (!read.ok) return fail(read.error);
      const { query } = read.binding;
      const missing = await checkPolicyExists(binding.policy, true);
      if (missing !== undefined) return fail(missing);
      const timeout = callTimeout(call, limits.timeoutMs);
      if (!timeout.ok) return fail(timeout.error);
      const { timeoutMs } = timeout;

      return await withTempDir(async (dir) => {
        const prepared = await materializeArtifact(artifact, dir, limits.maxArtifactBytes);
        if (!prepared.ok) return fail(prepared.error);
        const { file, shownAs, format } = prepared.artifact;
        const unreadable = await checkInput(file, shownAs, format, limits.maxArtifactBytes);
        if (unreadable !== undefined) return fail(unreadable);
        const scrub = (text: string): string => scrubPaths(text.replaceAll(file, shownAs), [dir]);
        // `=` forms and `--` keep a policy path or query that starts with `-` from reading as a flag.
        // An OPA bundle is loaded as OPA loads bundles (its .manifest roots and data.json), not as loose data.
        const policy = isOpaBundle(binding.policy) ? `--bundle=${binding.policy}` : `--data=${binding.policy}`;
        const args = ['eval', '--format=json', `--input=${file}`, policy, '--', query];
        const result = await runProcess(command, args, {
          env,
          timeoutMs,
          maxStdoutBytes: limits.maxStdoutBytes,
          maxStderrBytes: limits.maxStderrBytes,
          killGraceMs: limits.killGraceMs,
          ...(call.signal === undefined ? {} : { signal: call.signal }),
        });
        if (result.status === 'failed') return fail(processFailureError(result, scrub, OPA_INSTALL_HINT));
        if (result.exitCode !== 0) {
          const reported = opaErrors(result.stdout) ?? (result.stderr.trim() || result.stdout.trim());
          return fail({
            code: 'ENGINE_FAILED',
            message: boundText(scrub(`opa exited with ${result.exitCode}: ${reported}`), limits.maxMessageLength),
          });
        }
        const mapped = mapOpaOutput(result.stdout, opaResultContext(read.binding, binding, limits, scrub));
        return mapped.ok ? findingsVerdict(NAME, binding, mapped.violations, started) : fail(mapped.error);
      });
    } catch (thrown) {
      // Only the temp directory itself failing (no space, no permission) gets here.
      return fail({ code: 'ENGINE_FAILED', message: `opa could not be run: ${describeThrown(thrown)}` });
    }
  }

  return Object.freeze({ name: NAME, available, evaluate });
}

/** True for a policy named as an OPA bundle archive (`opa build` writes `bundle.tar.gz`). */
function isOpaBundle(policy: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(policy);
}

/** OPA reads JSON and YAML; a JSON artifact must parse, since OPA would fall back to reading it as a YAML string. */
async function checkInput(file: string, shownAs: string, format: string | undefined, maxBytes: number): Promise<EngineError | undefined> {
  const extension = extname(file).toLowerCase();
  const effective = format ?? (extension === '.json' ? 'json' : extension === '.yaml' || extension === '.yml' ? 'yaml' : undefined);
  if (effective === 'yaml') return undefined;
  if (effective !== 'json' && effective !== 'terraform-plan') {
    return {
      code: 'INVALID_ARTIFACT',
      message: `opa reads JSON or YAML input; ${shownAs} is neither (give it a .json or .yaml name, or a format)`,
    };
  }
  try {
    JSON.parse(await readRegularText(file, maxBytes));
    return undefined;
  } catch (thrown) {
    return { code: 'INVALID_ARTIFACT', message: `${shownAs} is not valid JSON: ${describeThrown(thrown)}` };
  }
}
