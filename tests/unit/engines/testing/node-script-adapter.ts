import { performance } from 'node:perf_hooks';
import { materializeArtifact } from '../../../../src/engines/artifact/materialize-artifact.js';
import { checkBinding, checkPolicyExists } from '../../../../src/engines/binding/check-binding.js';
import { runProcess } from '../../../../src/engines/process/run-process.js';
import { scrubPaths } from '../../../../src/engines/process/scrub-paths.js';
import { withTempDir } from '../../../../src/engines/process/temp-dir.js';
import { normalizeSarif } from '../../../../src/engines/sarif/normalize-sarif.js';
import type { EngineAdapter } from '../../../../src/engines/types.js';
import { errorVerdict, findingsVerdict } from '../../../../src/engines/verdict.js';

/**
 * A minimal third-party-style adapter built on the shared seams: the "engine" is
 * Node running the binding's policy script, which prints SARIF. It lets the
 * conformance suite be exercised with real processes on any machine.
 */
export function createNodeScriptAdapter(command: string = process.execPath): EngineAdapter {
  const name = 'node-script';
  const bounds = { maxStdoutBytes: 1_048_576, maxStderrBytes: 65_536 };
  return {
    name,
    async available() {
      const result = await runProcess(command, ['--version'], { timeoutMs: 10_000, ...bounds });
      if (result.status === 'failed') return { ok: false, reason: result.message };
      return { ok: true, version: result.stdout.trim() };
    },
    async evaluate(artifact, binding, options = {}) {
      const started = performance.now();
      const invalid = checkBinding(name, binding, []) ?? (await checkPolicyExists(binding.policy, false));
      if (invalid !== undefined) return errorVerdict(name, binding, invalid, started);
      return withTempDir(async (dir) => {
        const prepared = await materializeArtifact(artifact, dir, 1_048_576);
        if (!prepared.ok) return errorVerdict(name, binding, prepared.error, started);
        const { file, shownAs } = prepared.artifact;
        const scrub = (text: string): string => scrubPaths(text.replaceAll(file, shownAs), [dir]);
        const result = await runProcess(command, [binding.policy, file], {
          timeoutMs: options.timeoutMs ?? 10_000,
          ...bounds,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        if (result.status === 'failed') return errorVerdict(name, binding, { code: result.code, message: scrub(result.message) }, started);
        if (result.exitCode !== 0) return errorVerdict(name, binding, { code: 'ENGINE_FAILED', message: scrub(result.stderr) }, started);
        const normalized = normalizeSarif(result.stdout, { policyId: binding.policyId, scrub });
        return normalized.ok
          ? findingsVerdict(name, binding, normalized.violations, started)
          : errorVerdict(name, binding, normalized.error, started);
      });
    },
  };
}
