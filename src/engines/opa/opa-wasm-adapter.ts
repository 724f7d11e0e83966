import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeThrown } from '../../describe-thrown.js';
import type { EngineLimits } from '../../limits.js';
import { commandOption, environmentOption, limitsOption, positiveIntegerOption, readAdapterOptions } from '../adapter-options.js';
import { callTimeout } from '../binding/call-timeout.js';
import { isRecord, own } from '../json-reading.js';
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
import { opaResultContext, readOpaDocumentBinding } from './opa-binding.js';
import { readOpaInput } from './opa-input.js';
import { mapOpaValue, undefinedQueryError } from './opa-result.js';
import { loadOpaWasmSdk } from './opa-wasm-sdk.js';
import type { LoadedWasmPolicy } from './opa-wasm-sdk.js';
import { createPolicyReader } from './policy-files.js';
import { buildWasmPolicy } from './wasm-policy-build.js';

/** How to build and run Wasm policies. */
export interface OpaWasmAdapterOptions {
  /** The opa executable that compiles Rego to Wasm: a name looked up on PATH, or a path; default `opa`. */
  readonly command?: string;
  /** Bounds on time, input and output; default `DEFAULT_ENGINE_LIMITS`. */
  readonly limits?: Partial<EngineLimits>;
  /** The environment `opa build` runs in; default this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Most memory one policy's Wasm instance may grow to, in bytes; default 256 MiB. */
  readonly maxMemoryBytes?: number;
}

const NAME = 'opa';
/** Why `available()` wants opa, which only compiling needs. */
const WHY_OPA = 'opa compiles Rego to Wasm (prebuilt .wasm and .tar.gz policies work without it)';
const WASM_PAGE = 65_536;
const POLICY_BOUNDS = { maxFiles: 1_000, maxBytes: 64 * 1_048_576 };
/** One encoder for every input: its output owns an ArrayBuffer of exactly the text's bytes, which the SDK takes as is. */
const UTF8 = new TextEncoder();

/** A compiled policy, kept per binding policy and entrypoint until its content changes. */
interface Compiled {
  readonly hash: string;
  readonly loaded: Promise<{ readonly ok: true; readonly policy: LoadedWasmPolicy } | { readonly ok: false; readonly error: EngineError }>;
}

/**
 * OPA in process, through `@open-policy-agent/opa-wasm` (an optional peer
 * dependency, imported on first use). The binding's `policy` is Rego (a file or
 * directory), compiled once per content hash with `opa build -t wasm -e
 * <entrypoint>` (the query `data.s3.deny` is the entrypoint `s3/deny`), or a
 * prebuilt `.wasm` module or bundle (`.tar.gz`), which needs no opa binary.
 * The compiled policy stays in memory, so later evaluations start no process
 * and read no policy file: they stat the policy's files, and read and hash them
 * again only when a stat differs (see `createPolicyReader`), so an edit takes
 * effect on the next evaluation. The value is read exactly as in CLI mode
 * (binding option `result`).
 *
 * Time limits: compiling runs `opa build` under the time limit and the abort
 * signal, which kill it. Evaluating is synchronous Wasm that nothing can
 * interrupt, so the deadline and the signal are checked before it and the
 * deadline again after it: an evaluation that overran is a `TIMEOUT` error (its
 * answer discarded, so the verdict still fails closed), but it was not stopped
 * early. For untrusted policies that may run long, use CLI or server mode.
 */
export function createOpaWasmAdapter(options: OpaWasmAdapterOptions = {}): EngineAdapter {
  const { command, limits, env, maxMemoryBytes } = readAdapterOptions('createOpaWasmAdapter', options, {
    command: commandOption(NAME),
    limits: limitsOption(),
    env: environmentOption(),
    maxMemoryBytes: positiveIntegerOption(256 * 1_048_576),
  });
  const maxPages = Math.max(1, Math.floor(maxMemoryBytes / WASM_PAGE));
  const compiled = new Map<string, Compiled>();
  // Only the hash is kept: the compiled module is what evaluations need, not the source bytes.
  const policies = createPolicyReader({ bounds: POLICY_BOUNDS, keep: (files) => files.hash });

  async function available(): Promise<EngineAvailability> {
    const sdk = await loadOpaWasmSdk();
    if (!sdk.ok) return { ok: false, reason: sdk.reason };
    return probeOpa(command, env, limits.timeoutMs, `${WHY_OPA}; ${OPA_INSTALL_HINT}`);
  }

  /** The loaded policy for this content, compiling it when the content is new. */
  function policyFor(
    policy: string,
    hash: string,
    entrypoint: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Compiled['loaded'] {
    const key = `${resolve(policy)}\0${entrypoint}`;
    const known = compiled.get(key);
    if (known?.hash === hash) return known.loaded;
    const loaded = compile(policy, entrypoint, timeoutMs, signal).then((outcome) => {
      // Failures are not kept: a timeout, an abort or a missing opa may not happen next time.
      if (!outcome.ok && compiled.get(key)?.loaded === loaded) compiled.delete(key);
      return outcome;
    });
    compiled.set(key, { hash, loaded });
    return loaded;
  }

  async function compile(policy: string, entrypoint: string, timeoutMs: number, signal: AbortSignal | undefined): Compiled['loaded'] {
    const sdk = await loadOpaWasmSdk();
    if (!sdk.ok) return { ok: false, error: { code: 'ENGINE_UNAVAILABLE', message: sdk.reason } };
    const built = await buildWasmPolicy(policy, entrypoint, {
      command,
      env,
      timeoutMs,
      ...(signal === undefined ? {} : { signal }),
      maxOutputBytes: limits.maxStderrBytes,
      maxBundleBytes: POLICY_BOUNDS.maxBytes,
      maxMessageLength: limits.maxMessageLength,
      installHint: OPA_INSTALL_HINT,
    });
    if (!built.ok) return built;
    try {
      const loaded = await sdk.sdk.loadPolicy(toArrayBuffer(built.parts.wasm), { initial: Math.min(5, maxPages), maximum: maxPages });
      if (built.parts.data !== undefined) loaded.setData(toArrayBuffer(built.parts.data));
      const entrypoints: unknown = loaded.entrypoints;
      if (!isRecord(entrypoints) || !Object.hasOwn(entrypoints, entrypoint)) {
        const known = isRecord(entrypoints) ? Object.keys(entrypoints).join(', ') : 'none';
        return {
          ok: false,
          error: { code: 'INVALID_BINDING', message: `the Wasm policy has no entrypoint ${entrypoint} (it has: ${known || 'none'})` },
        };
      }
      return { ok: true, policy: loaded };
    } catch (thrown) {
      return { ok: false, error: { code: 'ENGINE_FAILED', message: `the Wasm policy could not be loaded: ${describeThrown(thrown)}` } };
    }
  }

  async function evaluate(artifact: Artifact, binding: EngineBinding, call: EngineEvaluateOptions = {}): Promise<EngineVerdict> {
    const started = performance.now();
    const fail = (error: EngineError): EngineVerdict => errorVerdict(NAME, binding, error, started);
    try {
      const read = readOpaDocumentBinding(binding);
      if (!read.ok) return fail(read.error);
      const { query, path } = read.binding;
      const timeout = callTimeout(call, limits.timeoutMs);
      if (!timeout.ok) return fail(timeout.error);
      const { timeoutMs } = timeout;
      const elapsed = (): number => performance.now() - started;
      const stopped = (): EngineError | undefined =>
        call.signal?.aborted === true
          ? { code: 'ABORTED', message: 'the evaluation was aborted' }
          : elapsed() > timeoutMs
            ? {
                code: 'TIMEOUT',
                message: `the evaluation ran past its ${timeoutMs} ms (Wasm evaluation cannot be interrupted, so this is known only afterwards)`,
              }
            : undefined;

      const hash = await policies.read(binding.policy);
      if (!hash.ok) return fail(hash.error);
      const before = stopped();
      if (before !== undefined) return fail(before);
      const loaded = await policyFor(binding.policy, hash.value, path, Math.max(1, timeoutMs - elapsed()), call.signal);
      if (!loaded.ok) return fail(loaded.error);
      const input = await readOpaInput(artifact, limits.maxArtifactBytes);
      if (!input.ok) return fail(input.error);
      const ready = stopped();
      if (ready !== undefined) return fail(ready);

      let results: unknown;
      try {
        results = loaded.policy.evaluate(toArrayBuffer(UTF8.encode(input.input.json)), path);
      } catch (thrown) {
        return fail({ code: 'ENGINE_FAILED', message: `the Wasm policy failed: ${describeThrown(thrown)}` });
      }
      const after = stopped();
      if (after !== undefined) return fail(after);

      if (!Array.isArray(results))
        return fail({ code: 'INVALID_OUTPUT', message: 'unexpected opa output: the Wasm result set is not an array' });
      if (results.length === 0) return fail(undefinedQueryError(query));
      const first: unknown = results[0];
      if (results.length !== 1 || !isRecord(first) || !Object.hasOwn(first, 'result')) {
        return fail({ code: 'INVALID_OUTPUT', message: 'unexpected opa output: the Wasm result set is not one { result }' });
      }
      const mapped = mapOpaValue(own(first, 'result'), opaResultContext(read.binding, binding, limits));
      return mapped.ok ? findingsVerdict(NAME, binding, mapped.violations, started) : fail(mapped.error);
    } catch (thrown) {
      return fail({ code: 'ENGINE_FAILED', message: `the Wasm policy could not be evaluated: ${describeThrown(thrown)}` });
    }
  }

  return Object.freeze({ name: NAME, available, evaluate });
}

/** An ArrayBuffer holding exactly these bytes, which is what the SDK takes as JSON text and as a module. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
