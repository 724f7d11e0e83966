import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { describeThrown } from '../../describe-thrown.js';
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

/** How long one evaluation waits for an upload, and its signal. */
export interface UploadCall {
  /** Most milliseconds this caller waits; the upload itself carries on while another caller waits. */
  readonly timeoutMs: number;
  /** This caller's signal: aborting it ends this caller's wait, not the upload. */
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
/** The longest delay a Node timer takes (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** One upload of one content, shared by every evaluation that needs it. */
interface Upload {
  readonly hash: string;
  readonly done: Promise<EngineError | undefined>;
  /** Aborts the upload's requests, once no evaluation waits for it. */
  readonly controller: AbortController;
  /** How many evaluations wait for it now. */
  waiters: number;
  settled: boolean;
}

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
 * same content wait for it, each until its own timeout or abort (the upload
 * carries on for the others, and is aborted once none waits); an upload of
 * newer content starts after the older one settles. An evaluation racing a
 * replacement can see the query undefined, which is an error verdict (fail
 * closed), never a pass.
 *
 * Data documents (`.json`/`.yaml` in a policy directory) are not uploaded: the
 * server's data tree is shared, and overwriting it is not an adapter's place.
 * A policy directory holding them is an `INVALID_BINDING` error that says so.
 */
export function createPolicyUploader(target: PolicyUploadTarget): PolicyUploader {
  const uploaded = new Map<string, string>();
  const pending = new Map<string, Upload>();
  /** Per policy, the last upload started (abandoned ones too): the next one starts after it. */
  const last = new Map<string, Promise<unknown>>();

  async function ensure(policy: string, files: PolicyFiles, call: UploadCall): Promise<EngineError | undefined> {
    const key = resolve(policy);
    if (uploaded.get(key) === files.hash) return undefined;
    if (call.signal?.aborted === true) return { code: 'ABORTED', message: 'the evaluation was aborted before its policy was uploaded' };
    let running = pending.get(key);
    if (running?.hash !== files.hash) {
      running = start(key, files);
      pending.set(key, running);
    }
    return wait(key, running, call);
  }

  /**
   * Starts an upload that belongs to no caller: it runs while anyone waits for
   * it and is aborted when the last one gives up. It starts once the policy's
   * previous upload has settled (even an abandoned one may have a request in
   * flight), so the server ends up with the newest content.
   */
  function start(key: string, files: PolicyFiles): Upload {
    const controller = new AbortController();
    const after = last.get(key) ?? Promise.resolve();
    const upload: Upload = {
      hash: files.hash,
      controller,
      waiters: 0,
      settled: false,
      done: after
        .then(() => send(key, files, controller.signal))
        .catch((thrown: unknown): EngineError => ({
          code: 'ENGINE_FAILED',
          message: `the policy could not be uploaded: ${describeThrown(thrown)}`,
        }))
        .then((problem) => {
          upload.settled = true;
          if (pending.get(key) === upload) pending.delete(key);
          if (last.get(key) === upload.done) last.delete(key);
          if (problem === undefined) uploaded.set(key, files.hash);
          else uploaded.delete(key);
          return problem;
        }),
    };
    last.set(key, upload.done);
    return upload;
  }

  /** The upload's outcome, or this caller's own TIMEOUT or ABORTED once its time or signal runs out first. */
  async function wait(key: string, upload: Upload, call: UploadCall): Promise<EngineError | undefined> {
    upload.waiters += 1;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const gaveUp = new Promise<EngineError>((settle) => {
      timer = setTimeout(
        () => settle({ code: 'TIMEOUT', message: 'the evaluation ran out of time while its policy was uploading' }),
        Math.min(call.timeoutMs, MAX_TIMER_MS),
      );
      onAbort = (): void => settle({ code: 'ABORTED', message: 'the evaluation was aborted while its policy was uploading' });
      call.signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([upload.done, gaveUp]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) call.signal?.removeEventListener('abort', onAbort);
      upload.waiters -= 1;
      if (upload.waiters === 0 && !upload.settled) {
        // Nobody wants it any more; a later caller starts afresh rather than inherit this abort.
        if (pending.get(key) === upload) pending.delete(key);
        upload.controller.abort();
      }
    }
  }

  /** Puts the policy's Rego and deletes its stale modules; the problem, or `undefined`. */
  async function send(key: string, files: PolicyFiles, signal: AbortSignal): Promise<EngineError | undefined> {
    // The waiters' own timers bound the upload (the last to leave aborts it), so requests get no deadline of their own.
    const request = (step: Omit<OpaRequest, 'timeoutMs' | 'signal' | 'maxBytes' | 'headers'>) =>
      opaRequest({ ...step, headers: target.headers, maxBytes: target.maxBytes, timeoutMs: MAX_TIMER_MS, signal });
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

    const listed = await request({ method: 'GET', url: `${target.base}/v1/policies` });
    if (!listed.ok) return { code: listed.code, message: listed.message };
    if (listed.status !== 200) return serverError('listing policies', listed.status, listed.text, plain);
    // OPA compiles on every put and delete, so an order that works may not be the given one
    // (a module calling a function another defines; a stale module still calling a deleted one).
    type Step = { readonly label: string; readonly request: Omit<OpaRequest, 'timeoutMs' | 'signal' | 'maxBytes' | 'headers'> };
    const puts: Step[] = rego.map((file) => ({
      label: `uploading ${file.name}`,
      request: {
        method: 'PUT',
        url: `${target.base}/v1/policies/${encodePath(prefix + file.name)}`,
        body: file.content.toString('utf8'),
        contentType: 'text/plain',
      },
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
        const answer = await request(step.request);
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
