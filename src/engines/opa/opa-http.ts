import { describeThrown } from '../../describe-thrown.js';
import type { EngineErrorCode } from '../types.js';

/** One request to OPA's REST API. */
export interface OpaRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The full URL. */
  readonly url: string;
  /** The body, sent as given. */
  readonly body?: string;
  /** Its content type; default `application/json`. */
  readonly contentType?: string;
  /** Extra headers (an `Authorization` bearer token). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time limit in milliseconds, for the whole request and its body. */
  readonly timeoutMs: number;
  /** The caller's signal. */
  readonly signal?: AbortSignal;
  /** Most response bytes read; past that the request is cancelled. */
  readonly maxBytes: number;
}

/** OPA answered, with any HTTP status. */
export interface OpaAnswered {
  readonly ok: true;
  readonly status: number;
  /** The body as UTF-8 text. */
  readonly text: string;
}

/** No answer: the server is not there, the request timed out, was aborted, or answered too much. */
export interface OpaUnanswered {
  readonly ok: false;
  readonly code: Extract<EngineErrorCode, 'ENGINE_UNAVAILABLE' | 'TIMEOUT' | 'ABORTED' | 'LIMIT_EXCEEDED' | 'ENGINE_FAILED'>;
  readonly message: string;
}

/** Network errors that mean nothing is listening there, or the host cannot be reached at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * Sends one request with the global fetch and never rejects. A timer and the
 * caller's signal abort it through one AbortController (so the body read stops
 * too), and the body is read chunk by chunk up to `maxBytes`, so a hostile or
 * confused server can neither hang the caller nor fill its memory.
 */
export async function opaRequest(request: OpaRequest): Promise<OpaAnswered | OpaUnanswered> {
  const where = `${request.method} ${redact(request.url)}`;
  if (request.signal?.aborted === true) return { ok: false, code: 'ABORTED', message: `${where} was not sent: aborted` };
  const controller = new AbortController();
  let stopped: OpaUnanswered | undefined;
  const stop = (reason: OpaUnanswered): void => {
    stopped ??= reason;
    controller.abort();
  };
  const timer = setTimeout(
    () => stop({ ok: false, code: 'TIMEOUT', message: `${where} timed out after ${request.timeoutMs} ms` }),
    request.timeoutMs,
  );
  const onAbort = (): void => stop({ ok: false, code: 'ABORTED', message: `${where} was aborted` });
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: { ...(request.body === undefined ? {} : { 'content-type': request.contentType ?? 'application/json' }), ...request.headers },
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: controller.signal,
      redirect: 'error',
    });
    const body = await readBounded(response, request.maxBytes);
    if (body === undefined) {
      controller.abort();
      return { ok: false, code: 'LIMIT_EXCEEDED', message: `${where} answered more than ${request.maxBytes} bytes` };
    }
    return { ok: true, status: response.status, text: body };
  } catch (thrown) {
    if (stopped !== undefined) return stopped;
    const code = causeCode(thrown);
    if (code !== undefined && UNREACHABLE.has(code)) {
      return { ok: false, code: 'ENGINE_UNAVAILABLE', message: `no OPA server answers at ${redact(request.url)} (${code})` };
    }
    return {
      ok: false,
      code: 'ENGINE_FAILED',
      message: `${where} failed: ${describeThrown(thrown)}${code === undefined ? '' : ` (${code})`}`,
    };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}

/** The body as text, or `undefined` once it passes `maxBytes` (the stream is then cancelled). */
async function readBounded(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done || value === undefined) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The errno-style code fetch hides in `cause` (undici wraps it: TypeError("fetch failed") -> cause.code). */
function causeCode(thrown: unknown): string | undefined {
  try {
    let current: unknown = thrown;
    for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
      current = (current as { cause?: unknown }).cause;
    }
  } catch {
    // A hostile getter: no code.
  }
  return undefined;
}

/** The URL without credentials, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
