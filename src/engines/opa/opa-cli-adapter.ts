import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeThrown } from '../../describe-thrown.js';
import { resolveEngineLimits } from '../../limits.js';
import type { EngineLimits } from '../../limits.js';
import { boundText } from '../json-reading.js';
import { materializeArtifact } from '../artifact/materialize-artifact.js';
import { bindingOption, checkBinding, checkPolicyExists } from '../binding/check-binding.js';
import { runProcess } from '../process/run-process.js';
import { scrubPaths } from '../process/scrub-paths.js';
import { withTempDir } from '../process/temp-dir.js';
import type { Artifact, EngineAdapter, EngineAvailability, EngineBinding, EngineError, EngineEvaluateOptions, EngineVerdict } from '../types.js';
import { errorVerdict, findingsVerdict } from '../verdict.js';
import { mapOpaOutput, opaErrors } from './opa-result.js';
import type { OpaResultKind } from './opa-result.js';

/** The OPA release the adapter is tested against; what `available()` suggests installing. */
export const OPA_TESTED_VERSION = '1.22.2';

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
const BINDING_OPTIONS = ['result'] as const;
const RESULT_KINDS: readonly string[] = ['violations', 'allow', 'deny'];
const INSTALL_HINT = `install it with "go install github.com/open-policy-agent/opa@v${OPA_TESTED_VERSION}"`;

/**
 * OPA's CLI behind the {@link EngineAdapter} interface: `opa eval --format json
 * --input <artifact> --data <policy> -- <query>`, one process per evaluation.
 * The binding's `policy` is a Rego file or a directory of them (with data
 * files); its `query` is required (`data.s3.deny`). The binding option
 * `result` says how to read the value: `violations` (default; a set of
 * messages or objects), `allow` or `deny` (a boolean).
 *
 * The artifact must be JSON or YAML, which is what OPA reads as input. A JSON
 * artifact is checked to be JSON first, because OPA quietly reads malformed
 * JSON as a YAML string, which most policies would then pass.
 */
export function createOpaCliAdapter(options: OpaCliAdapterOptions = {}): EngineAdapter {
  const command = options.command ?? NAME;
  const limits = resolveEngineLimits(options.limits);
  const env = options.env ?? process.env;

  async function available(): Promise<EngineAvailability> {
    const result = await runProcess(command, ['version'], { env, timeoutMs: limits.timeoutMs, maxStdoutBytes: 65_536, maxStderrBytes: 65_536 });
    if (result.status === 'failed') return { ok: false, reason: `${result.message}; ${INSTALL_HINT}` };
    const version = /^Version:\s*(\S+)/m.exec(result.stdout)?.[1];
    if (result.exitCode !== 0 || version === undefined) {
      return { ok: false, reason: `${command} version exited with ${result.exitCode} and no version; ${INSTALL_HINT}` };
    }
    return { ok: true, version };
  }

  async function evaluate(artifact: Artifact, binding: EngineBinding, call: EngineEvaluateOptions = {}): Promise<EngineVerdict> {
    const started = performance.now();
    const fail = (error: EngineError): EngineVerdict => errorVerdict(NAME, binding, error, started);
    try {
      const invalid = checkBinding(NAME, binding, BINDING_OPTIONS);
      if (invalid !== undefined) return fail(invalid);
      const query = binding.query;
      if (query === undefined || query.trim().length === 0) {
        return fail({ code: 'INVALID_BINDING', message: 'an opa binding needs a query, such as data.s3.deny' });
      }
      const kind = bindingOption(binding, 'result') ?? 'violations';
      if (typeof kind !== 'string' || !RESULT_KINDS.includes(kind)) {
        return fail({ code: 'INVALID_BINDING', message: `opa option result must be one of ${RESULT_KINDS.join(', ')}` });
      }
      const missing = await checkPolicyExists(binding.policy, true);
      if (missing !== undefined) return fail(missing);
      const timeoutMs = call.timeoutMs ?? limits.timeoutMs;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return fail({ code: 'INVALID_BINDING', message: 'timeoutMs must be a positive number' });

      return await withTempDir(async (dir) => {
        const prepared = await materializeArtifact(artifact, dir, limits.maxArtifactBytes);
        if (!prepared.ok) return fail(prepared.error);
        const { file, shownAs, format } = prepared.artifact;
        const unreadable = await checkInput(file, shownAs, format);
        if (unreadable !== undefined) return fail(unreadable);
        const scrub = (text: string): string => scrubPaths(text.replaceAll(file, shownAs), [dir]);
        // `=` forms and `--` keep a policy path or query that starts with `-` from reading as a flag.
        const args = ['eval', '--format=json', `--input=${file}`, `--data=${binding.policy}`, '--', query];
        const result = await runProcess(command, args, {
          env,
          timeoutMs,
          maxStdoutBytes: limits.maxStdoutBytes,
          maxStderrBytes: limits.maxStderrBytes,
          ...(call.signal === undefined ? {} : { signal: call.signal }),
        });
        if (result.status === 'failed') {
          const hint = result.code === 'ENGINE_UNAVAILABLE' ? `; ${INSTALL_HINT}` : '';
          return fail({ code: result.code, message: scrub(result.message) + hint });
        }
        if (result.exitCode !== 0) {
          const reported = opaErrors(result.stdout) ?? (result.stderr.trim() || result.stdout.trim());
          return fail({ code: 'ENGINE_FAILED', message: boundText(scrub(`opa exited with ${result.exitCode}: ${reported}`), limits.maxMessageLength) });
        }
        const mapped = mapOpaOutput(result.stdout, {
          query,
          policyId: binding.policyId,
          ...(binding.effect === undefined ? {} : { effect: binding.effect }),
          kind: kind as OpaResultKind,
          maxViolations: limits.maxSarifResults,
          maxMessageLength: limits.maxMessageLength,
          scrub,
        });
        return mapped.ok ? findingsVerdict(NAME, binding, mapped.violations, started) : fail(mapped.error);
      });
    } catch (thrown) {
      // Only the temp directory itself failing (no space, no permission) gets here.
      return fail({ code: 'ENGINE_FAILED', message: `opa could not be run: ${describeThrown(thrown)}` });
    }
  }

  return Object.freeze({ name: NAME, available, evaluate });
}

/** OPA reads JSON and YAML; a JSON artifact must parse, since OPA would fall back to reading it as a YAML string. */
async function checkInput(file: string, shownAs: string, format: string | undefined): Promise<EngineError | undefined> {
  const extension = extname(file).toLowerCase();
  const effective = format ?? (extension === '.json' ? 'json' : extension === '.yaml' || extension === '.yml' ? 'yaml' : undefined);
  if (effective === 'yaml') return undefined;
  if (effective !== 'json' && effective !== 'terraform-plan') {
    return { code: 'INVALID_ARTIFACT', message: `opa reads JSON or YAML input; ${shownAs} is neither (give it a .json or .yaml name, or a format)` };
  }
  try {
    JSON.parse(await readFile(file, 'utf8'));
    return undefined;
  } catch (thrown) {
    return { code: 'INVALID_ARTIFACT', message: `${shownAs} is not valid JSON: ${describeThrown(thrown)}` };
  }
}

