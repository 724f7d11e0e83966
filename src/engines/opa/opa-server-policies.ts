import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { boundText, isRecord, own } from '../json-reading.js';
import type { EngineError } from '../types.js';
import { opaErrors } from './opa-result.js';
import { opaRequest } from './opa-http.js';
import type { OpaRequest } from './opa-http.js';
import type { PolicyFiles } from './policy-files.js';

/** How the uploader reaches the server. */
export interface PolicyUploadTarget {
  /** The server's base URL, without a trailing slash. */
  readonly base: string;
  /** Headers for every request (authorization). */
  readonly headers: Readonly<Record<string, string>>;
  /** Most bytes read from any answer. */
  readonly maxBytes: number;
  /** Longest message kept. */
  readonly maxMessageLength: number;
}

/** One upload's time budget and signal. */
export interface UploadCall {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Keeps a server's copy of each binding's Rego the same as the files. */
export interface PolicyUploader {
  /** Uploads the policy unless the server already has this content from us; the problem, or `undefined`. */
  ensure(policy: string, files: PolicyFiles, call: UploadCall): Promise<EngineError | undefined>;
  /** Forgets what was uploaded for `policy`, so the next `ensure` uploads again (the server may have restarted). */
  forget(policy: string): void;
}

const DATA_FILE = /\.(json|ya?ml)$/i;

/**
 * Uploads a binding's Rego files with `PUT /v1/policies/<id>`, so that a
 * binding means the same thing on a server as in the CLI: the files are the
 * policy, not whatever the server happened to load. Ids are
 * `tierguard/<hash of the policy's absolute path>/<file>`: stable per binding,
 * so a changed file replaces its module in place. The content hash decides
 * when to upload: once per content per adapter, and again after a change.
 *
 * An upload puts every file and deletes this binding's modules that are no
 * longer among its files (found with `GET /v1/policies`, so it also cleans up
 * after an earlier process). OPA compiles the whole set on each put and delete,
 * so a step can be refused only for the order (a module calling a function one
 * not yet put defines, a stale module calling one just removed); refused steps
 * are retried after the others, until a round makes no progress, and only then
 * is the compile error reported. While an upload runs, evaluations of the
 * same policy wait for it; an evaluation racing a replacement can see the query
 * undefined, which is an error verdict (fail closed), never a pass.
 *
 * Data documents (`.json`/`.yaml` in a policy directory) are not uploaded: the
 * server's data tree is shared, and overwriting it is not an adapter's place.
 * A policy directory holding them is an `INVALID_BINDING` error that says so.
 */
export function createPolicyUploader(target: PolicyUploadTarget): PolicyUploader {
  const uploaded = new Map<string, string>();
  const pending = new Map<string, { hash: string; done: Promise<EngineError | undefined> }>();

  async function ensure(policy: string, files: PolicyFiles, call: UploadCall): Promise<EngineError | undefined> {
    const key = resolve(policy);
    if (uploaded.get(key) === files.hash) return undefined;
    const running = pending.get(key);
    if (running?.hash === files.hash) return running.done;
    const done = upload(key, files, call).then((problem) => {
      if (pending.get(key)?.done === done) pending.delete(key);
      if (problem === undefined) uploaded.set(key, files.hash);
      else uploaded.delete(key);
      return problem;
    });
    pending.set(key, { hash: files.hash, done });
    return done;
  }

  async function upload(key: string, files: PolicyFiles, call: UploadCall): Promise<EngineError | undefined> {
    const deadline = Date.now() + call.timeoutMs;
    const send = (request: Omit<OpaRequest, 'timeoutMs' | 'signal' | 'maxBytes' | 'headers'>) =>
      opaRequest({
        ...request,
        headers: target.headers,
        maxBytes: target.maxBytes,
        timeoutMs: Math.max(1, deadline - Date.now()),
        ...(call.signal === undefined ? {} : { signal: call.signal }),
      });
    const data = files.files.filter((file) => DATA_FILE.test(file.name)).map((file) => file.name);
    if (data.length > 0) {
      return {
        code: 'INVALID_BINDING',
        message: `server mode uploads Rego only, and the policy holds data documents (${data.slice(0, 3).join(', ')}); load them into the server yourself and set uploadPolicies: false, or use the CLI or Wasm mode`,
      };
    }
    const rego = files.files.filter((file) => file.name.endsWith('.rego'));
    if (rego.length === 0) return { code: 'INVALID_BINDING', message: 'the policy holds no .rego file to upload' };

    const prefix = `tierguard/${createHash('sha256').update(key).digest('hex').slice(0, 16)}/`;
    const wanted = new Set(rego.map((file) => prefix + file.name));
    const plain = (text: string): string => boundText(text.replaceAll(prefix, ''), target.maxMessageLength);

    const listed = await send({ method: 'GET', url: `${target.base}/v1/policies` });
    if (!listed.ok) return { code: listed.code, message: listed.message };
    if (listed.status !== 200) return serverError('listing policies', listed.status, listed.text, plain);
    // OPA compiles on every put and delete, so an order that works may not be the given one
    // (a module calling a function another defines; a stale module still calling a deleted one).
    type Step = { readonly label: string; readonly request: Omit<OpaRequest, 'timeoutMs' | 'signal' | 'maxBytes' | 'headers'> };
    const puts: Step[] = rego.map((file) => ({
      label: `uploading ${file.name}`,
      request: { method: 'PUT', url: `${target.base}/v1/policies/${encodePath(prefix + file.name)}`, body: file.content.toString('utf8'), contentType: 'text/plain' },
    }));
    const deletes: Step[] = stalePolicies(listed.text, prefix, wanted).map((id) => ({
      label: `deleting ${plain(id)}`,
      request: { method: 'DELETE', url: `${target.base}/v1/policies/${encodePath(id)}` },
    }));
    let waiting = [...puts, ...deletes];
    for (;;) {
      const refused: Step[] = [];
      let lastRefusal: EngineError | undefined;
      for (const step of waiting) {
        const answer = await send(step.request);
        if (!answer.ok) return { code: answer.code, message: answer.message };
        if (answer.status !== 200 && !(answer.status === 404 && step.request.method === 'DELETE')) {
          refused.push(step);
          lastRefusal = serverError(step.label, answer.status, answer.text, plain);
        }
      }
      if (refused.length === 0) return undefined;
      if (refused.length === waiting.length) return lastRefusal;
      waiting = refused;
    }
  }

  return {
    ensure,
    forget: (policy: string): void => {
      uploaded.delete(resolve(policy));
    },
  };
}

/** Ids under `prefix` that the server holds and the policy no longer has. */
function stalePolicies(listing: string, prefix: string, wanted: ReadonlySet<string>): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(listing);
  } catch {
    return [];
  }
  const result = isRecord(parsed) ? own(parsed, 'result') : undefined;
  if (!Array.isArray(result)) return [];
  const stale: string[] = [];
  for (const module of result) {
    const id = isRecord(module) ? own(module, 'id') : undefined;
    if (typeof id === 'string' && id.startsWith(prefix) && !wanted.has(id)) stale.push(id);
  }
  return stale;
}

/** An OPA error answer (`{ code, message, errors }`) as an `ENGINE_FAILED` error in words. */
export function serverError(doing: string, status: number, body: string, clean: (text: string) => string): EngineError {
  let said = opaErrors(body);
  try {
    const parsed: unknown = JSON.parse(body);
    const message = isRecord(parsed) ? own(parsed, 'message') : undefined;
    if (typeof message === 'string') said = said === undefined ? message : `${message}: ${said}`;
  } catch {
    said ??= body.trim().slice(0, 500);
  }
  return { code: 'ENGINE_FAILED', message: clean(`opa server answered ${status} ${doing}${said ? `: ${said}` : ''}`) };
}

/** Each segment percent-encoded, the slashes kept: OPA's ids and data paths are slash-separated. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
