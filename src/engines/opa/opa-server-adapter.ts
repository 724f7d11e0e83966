import { performance } from 'node:perf_hooks';
import { describeThrown } from '../../describe-thrown.js';
import type { EngineLimits } from '../../limits.js';
import { booleanOption, invalidAdapterOption, limitsOption, readAdapterOptions } from '../adapter-options.js';
import type { AdapterOptionReader } from '../adapter-options.js';
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
import { opaRequest, redact } from './opa-http.js';
import { opaResultContext, readOpaDocumentBinding } from './opa-binding.js';
import { readOpaInput } from './opa-input.js';
import { mapOpaValue, undefinedQueryError } from './opa-result.js';
import { createPolicyUploader, encodePath, serverError } from './opa-server-policies.js';
import { createPolicyReader } from './policy-files.js';

/** Where the OPA server is and how to talk to it. */
export interface OpaServerAdapterOptions {
  /** The server's base URL, such as `http://127.0.0.1:8181` (what `opa run --server --addr` listens on). */
  readonly url: string;
  /**
   * Upload each binding's Rego files before evaluating (default `true`), so a
   * binding means the same in every mode. `false` when the server already holds
   * the policies (loaded from bundles): the binding's `policy` is then not read,
   * only named in verdicts, and only its `query` matters.
   */
  readonly uploadPolicies?: boolean;
  /** A bearer token, for a server run with `--authentication=token`. */
  readonly token?: string;
  /** Bounds on time and answers (`maxStdoutBytes` bounds each response body); default `DEFAULT_ENGINE_LIMITS`. */
  readonly limits?: Partial<EngineLimits>;
}

const NAME = 'opa';
/** Bounds on an uploaded policy directory. */
const POLICY_BOUNDS = { maxFiles: 1_000, maxBytes: 16 * 1_048_576 };

/**
 * A running OPA server behind the {@link EngineAdapter} interface: `POST
 * /v1/data/<path>` with `{ "input": <artifact> }`, the query `data.s3.deny`
 * asking for `s3/deny`. The value is read exactly as in CLI mode (binding
 * option `result`: `violations`, `allow` or `deny`), and an undefined document
 * is an error, never a pass. Unless `uploadPolicies` is `false`, the binding's
 * Rego is uploaded first and again whenever its content changes (see
 * `createPolicyUploader` in opa-server-policies.ts for how); each evaluation
 * stats the policy's files, and reads them again only when a stat differs (see
 * `createPolicyReader`).
 *
 * Timeouts and aborts cancel the HTTP request; the server may still finish the
 * evaluation, but its answer is not read. An evaluation waiting for another's
 * upload of the same policy gives up on its own timeout and signal, and the
 * upload carries on for the others. No process is started, so the
 * artifact (JSON or YAML) is read in memory and never written to disk.
 */
export function createOpaServerAdapter(options: OpaServerAdapterOptions): EngineAdapter {
  const {
    url: base,
    uploadPolicies: upload,
    token,
    limits,
  } = readAdapterOptions('createOpaServerAdapter', options, {
    url: urlOption,
    uploadPolicies: booleanOption(true),
    token: tokenOption,
    limits: limitsOption(),
  });
  const headers: Readonly<Record<string, string>> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  // The files are kept with their hash: an upload that failed is retried with them, without a read.
  const policies = createPolicyReader({ bounds: POLICY_BOUNDS, keep: (files) => files });
  const uploader = createPolicyUploader({ base, headers, maxBytes: limits.maxStdoutBytes, maxMessageLength: limits.maxMessageLength });
  const shownBase = redact(base);

  async function available(): Promise<EngineAvailability> {
    try {
      const health = await opaRequest({ method: 'GET', url: `${base}/health`, headers, timeoutMs: limits.timeoutMs, maxBytes: 65_536 });
      if (!health.ok) return { ok: false, reason: `${health.message}; start one with "opa run --server --addr <host:port>"` };
      if (health.status !== 200)
        return { ok: false, reason: `the OPA server at ${shownBase} is not healthy (GET /health answered ${health.status})` };
      // The version is in the configuration's labels; a server whose authorization hides it is still usable.
      const config = await opaRequest({
        method: 'GET',
        url: `${base}/v1/config`,
        headers,
        timeoutMs: limits.timeoutMs,
        maxBytes: 1_048_576,
      });
      const version = config.ok && config.status === 200 ? versionIn(config.text) : undefined;
      return { ok: true, version: version ?? 'unknown' };
    } catch (thrown) {
      return { ok: false, reason: `the OPA server at ${shownBase} could not be asked: ${describeThrown(thrown)}` };
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
      const remaining = (): number => timeoutMs - (performance.now() - started);
      const signal = call.signal === undefined ? {} : { signal: call.signal };
      if (call.signal?.aborted === true) return fail({ code: 'ABORTED', message: 'the evaluation was aborted before it started' });

      if (upload) {
        const files = await policies.read(binding.policy);
        if (!files.ok) return fail(files.error);
        const problem = await uploader.ensure(binding.policy, files.value, { timeoutMs: Math.max(1, remaining()), ...signal });
        if (problem !== undefined) return fail(problem);
      }
      const input = await readOpaInput(artifact, limits.maxArtifactBytes);
      if (!input.ok) return fail(input.error);
      if (remaining() <= 0)
        return fail({ code: 'TIMEOUT', message: `the evaluation ran past its ${timeoutMs} ms before the query was sent` });

      const answer = await opaRequest({
        method: 'POST',
        url: `${base}/v1/data/${encodePath(path)}`,
        body: `{"input":${input.input.json}}`,
        headers,
        timeoutMs: remaining(),
        maxBytes: limits.maxStdoutBytes,
        ...signal,
      });
      if (!answer.ok) return fail({ code: answer.code, message: answer.message });
      if (answer.status !== 200) return fail(serverError(`evaluating ${query}`, answer.status, answer.text, (text) => text));
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.text);
      } catch (thrown) {
        return fail({ code: 'INVALID_OUTPUT', message: `unexpected opa output: not JSON (${describeThrown(thrown)})` });
      }
      if (!isRecord(parsed)) return fail({ code: 'INVALID_OUTPUT', message: 'unexpected opa output: not an object' });
      const value = own(parsed, 'result');
      if (value === undefined) {
        // The server may have restarted and lost what we uploaded: upload again next time.
        uploader.forget(binding.policy);
        return fail(undefinedQueryError(query));
      }
      const mapped = mapOpaValue(value, opaResultContext(read.binding, binding, limits));
      return mapped.ok ? findingsVerdict(NAME, binding, mapped.violations, started) : fail(mapped.error);
    } catch (thrown) {
      return fail({ code: 'ENGINE_FAILED', message: `the OPA server could not be asked: ${describeThrown(thrown)}` });
    }
  }

  return Object.freeze({ name: NAME, available, evaluate });
}

/** `url`, required: the base URL without a trailing slash; an `INVALID_OPTIONS` error for anything but http(s). */
const urlOption: AdapterOptionReader<string> = (url, key) => {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search !== '' || parsed.hash !== '') {
    throw invalidAdapterOption(key, 'the http(s) base URL of an OPA server, such as http://127.0.0.1:8181');
  }
  return parsed.toString().replace(/\/+$/, '');
};

/** `token`, optional: one line, since it becomes a header. */
const tokenOption: AdapterOptionReader<string | undefined> = (token, key) => {
  if (token !== undefined && (typeof token !== 'string' || /[\r\n]/.test(token))) throw invalidAdapterOption(key, 'a string on one line');
  return token;
};

/** `labels.version` of a `GET /v1/config` answer. */
function versionIn(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const result = isRecord(parsed) ? own(parsed, 'result') : undefined;
    const labels = isRecord(result) ? own(result, 'labels') : undefined;
    const version = isRecord(labels) ? own(labels, 'version') : undefined;
    return typeof version === 'string' && version.length > 0 ? version : undefined;
  } catch {
    return undefined;
  }
}
