import { readRegularFile } from '../../read-regular-file.js';
import { join } from 'node:path';
import { describeThrown } from '../../describe-thrown.js';
import { boundText } from '../json-reading.js';
import { processFailureError } from '../process/process-failure.js';
import { runProcess } from '../process/run-process.js';
import { scrubPaths } from '../process/scrub-paths.js';
import { withTempDir } from '../process/temp-dir.js';
import type { EngineError } from '../types.js';
import { readBundleFiles } from './bundle-tar.js';
import { opaErrors } from './opa-result.js';

/** A policy compiled to Wasm: the module and the data it evaluates against. */
export interface WasmPolicyParts {
  /** The `policy.wasm` module. */
  readonly wasm: Buffer;
  /** The bundle's `data.json`, when it has one. */
  readonly data?: Buffer;
}

/** What building needs: the opa command and its bounds. */
export interface WasmBuildContext {
  readonly command: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly maxOutputBytes: number;
  readonly maxBundleBytes: number;
  readonly maxMessageLength: number;
  /** Appended to an ENGINE_UNAVAILABLE message: how to install opa. */
  readonly installHint: string;
}

type Built = { readonly ok: true; readonly parts: WasmPolicyParts } | { readonly ok: false; readonly error: EngineError };

const WANTED = new Set(['policy.wasm', 'data.json']);

/**
 * The Wasm parts of a binding's policy. Rego (a file or a directory) is compiled
 * with `opa build -t wasm -e <entrypoint>` into a bundle in a private temp
 * directory, which is removed afterwards; a prebuilt `.wasm` module or bundle
 * (`.tar.gz`, `.tgz`) is read as it is. Never throws.
 */
export async function buildWasmPolicy(policy: string, entrypoint: string, context: WasmBuildContext): Promise<Built> {
  try {
    if (policy.endsWith('.wasm')) return { ok: true, parts: { wasm: await readRegularFile(policy, context.maxBundleBytes) } };
    if (policy.endsWith('.tar.gz') || policy.endsWith('.tgz'))
      return fromBundle(await readRegularFile(policy, context.maxBundleBytes), context);
    return await withTempDir(async (dir) => {
      const output = join(dir, 'bundle.tar.gz');
      // `=` forms and `--` keep a policy path that starts with `-` from reading as a flag.
      const args = ['build', '--target=wasm', `--entrypoint=${entrypoint}`, `--output=${output}`, '--', policy];
      const result = await runProcess(context.command, args, {
        env: context.env,
        timeoutMs: context.timeoutMs,
        maxStdoutBytes: context.maxOutputBytes,
        maxStderrBytes: context.maxOutputBytes,
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      });
      const scrub = (text: string): string => boundText(scrubPaths(text, [dir]), context.maxMessageLength);
      if (result.status === 'failed') return { ok: false, error: processFailureError(result, scrub, context.installHint) };
      if (result.exitCode !== 0) {
        const reported = opaErrors(result.stdout) ?? (result.stderr.trim() || result.stdout.trim());
        return { ok: false, error: { code: 'ENGINE_FAILED', message: scrub(`opa build exited with ${result.exitCode}: ${reported}`) } };
      }
      return fromBundle(await readRegularFile(output, context.maxBundleBytes), context);
    });
  } catch (thrown) {
    return { ok: false, error: { code: 'ENGINE_FAILED', message: `the Wasm policy could not be prepared: ${describeThrown(thrown)}` } };
  }
}

function fromBundle(archive: Buffer, context: WasmBuildContext): Built {
  let files: Map<string, Buffer>;
  try {
    files = readBundleFiles(archive, WANTED, { maxBytes: context.maxBundleBytes, maxEntries: 10_000 });
  } catch (thrown) {
    return { ok: false, error: { code: 'ENGINE_FAILED', message: `the Wasm bundle cannot be read: ${describeThrown(thrown)}` } };
  }
  const wasm = files.get('policy.wasm');
  if (wasm === undefined)
    return { ok: false, error: { code: 'ENGINE_FAILED', message: 'the bundle holds no policy.wasm (was it built with -t wasm?)' } };
  const data = files.get('data.json');
  return { ok: true, parts: data === undefined ? { wasm } : { wasm, data } };
}
