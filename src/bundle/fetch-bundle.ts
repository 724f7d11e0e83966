import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { describeThrown } from '../describe-thrown.js';
import { TierguardError } from '../errors.js';
import type { RemoteBundleLimits } from '../limits.js';
import { checkBundleUrl, describeUrl, isLoopbackAddress } from './policy-location.js';

/** What one fetch of a bundle URL is asked to do. */
export interface BundleFetch {
  /** The ETag of the body already held; with it, a `304 Not Modified` answer means "nothing new". */
  readonly etag?: string | undefined;
  /** Largest body accepted, in bytes (`limits.maxFileBytes`). */
  readonly maxBytes: number;
  /** Total and idle timeouts, and the redirects followed. */
  readonly limits: RemoteBundleLimits;
  /** Request headers (an `Authorization` for an object store); sent to the first URL's origin only. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Whether the connection may keep the process alive (a load someone awaits) or not (a background poll). */
  readonly keepAlive: boolean;
  /** Aborts the fetch (the watcher closed). */
  readonly signal?: AbortSignal | undefined;
}

/** A fetch's answer: a new body (with its ETag, when the server gave one), or `not-modified` for a 304 to `etag`. */
export type FetchedBundle =
  { readonly status: 'fetched'; readonly bytes: Buffer; readonly etag?: string } | { readonly status: 'not-modified' };

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
// A reason phrase is the server's text: kept short in messages.
const MAX_STATUS_TEXT = 80;

/**
 * GETs a bundle, trusting nothing the server does: the whole fetch is bounded
 * by `limits.timeoutMs` and every wait for the server (connecting, the
 * headers, each chunk) by `limits.idleTimeoutMs`, so a server that never
 * answers or drips bytes fails instead of hanging; a body past `maxBytes`
 * (by its `Content-Length` or as it streams) is refused without reading the
 * rest; a body cut short (fewer bytes than announced, a connection reset, an
 * unfinished chunked stream) is refused. Any status but 200 (and 304 to the
 * `etag` sent) is refused with the status: 404, 5xx and the rest. Redirects
 * are followed up to `limits.maxRedirects`, each hop checked as the first URL
 * was (`checkBundleUrl`); an `http:` connection must reach a loopback address
 * whatever the host name resolved to. Every failure is an `IO_ERROR` naming the
 * URL without its query; its message is the same for the same failure, so a
 * watcher reports a failure that repeats once.
 */
export async function fetchBundle(url: URL, fetch: BundleFetch): Promise<FetchedBundle> {
  const origin = url.origin;
  let target = url;
  for (let hops = 0; ; hops += 1) {
    const answer = await fetchOnce(target, fetch, target.origin === origin);
    if (answer.status !== 'redirect') return answer;
    if (hops >= fetch.limits.maxRedirects) throw failure(url, `more than ${fetch.limits.maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(answer.location, target);
    } catch {
      throw failure(url, 'a redirect to a malformed location');
    }
    target = checkBundleUrl(next.href, `the redirect from ${describeUrl(target)}`);
  }
}

type Answer = FetchedBundle | { readonly status: 'redirect'; readonly location: string };

function fetchOnce(url: URL, fetch: BundleFetch, sameOrigin: boolean): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    let request: ClientRequest | undefined;
    const finish = (outcome: { answer: Answer } | { error: TierguardError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      fetch.signal?.removeEventListener('abort', onAbort);
      if ('error' in outcome) {
        request?.destroy();
        reject(outcome.error);
      } else {
        resolve(outcome.answer);
      }
    };
    const fail = (reason: string, status?: number): void => finish({ error: failure(url, reason, status) });
    const total = setTimeout(
      () => fail(`no complete answer within ${fetch.limits.timeoutMs} ms (limits timeoutMs)`),
      fetch.limits.timeoutMs,
    );
    if (!fetch.keepAlive) total.unref();
    const onAbort = (): void => fail('the fetch was stopped');
    if (fetch.signal?.aborted === true) return onAbort();
    fetch.signal?.addEventListener('abort', onAbort, { once: true });

    const headers: Record<string, string> = {
      ...(sameOrigin ? fetch.headers : {}),
      accept: 'application/gzip, application/json',
      // The bytes as stored: a body the server compressed again would not be the bundle.
      'accept-encoding': 'identity',
      'user-agent': 'tierguard',
      ...(fetch.etag === undefined ? {} : { 'if-none-match': fetch.etag }),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    try {
      request = send(url, { method: 'GET', headers, agent: false });
    } catch (error) {
      return fail(`the request could not be made (${describeThrown(error)})`);
    }
    request.setTimeout(fetch.limits.idleTimeoutMs, () =>
      fail(`the server sent nothing for ${fetch.limits.idleTimeoutMs} ms (limits idleTimeoutMs)`),
    );
    request.on('socket', (socket: Socket) => {
      if (!fetch.keepAlive) socket.unref();
      if (url.protocol !== 'http:') return;
      // A host name that resolves elsewhere (an edited hosts file) must not turn plain http into a remote fetch.
      socket.once('connect', () => {
        if (!isLoopbackAddress(socket.remoteAddress ?? ''))
          fail(`plain http reached ${socket.remoteAddress ?? 'an unknown address'}, which is not a loopback address`);
      });
    });
    request.on('error', (error) => fail(`the connection failed (${describeError(error)})`));
    request.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status) && typeof response.headers.location === 'string') {
        response.resume();
        return finish({ answer: { status: 'redirect', location: response.headers.location } });
      }
      if (status === 304) {
        response.resume();
        if (fetch.etag === undefined) return fail('304 Not Modified to a request that named no ETag');
        return finish({ answer: { status: 'not-modified' } });
      }
      if (status !== 200) {
        response.resume();
        const text = (response.statusMessage ?? '').slice(0, MAX_STATUS_TEXT);
        return fail(`the server answered ${status}${text === '' ? '' : ` ${text}`}`, status);
      }
      const declared = response.headers['content-length'];
      const expected = declared === undefined ? undefined : Number(declared);
      if (expected !== undefined && expected > fetch.maxBytes) {
        return fail(`the body would be ${expected} bytes, more than limits.maxFileBytes (${fetch.maxBytes})`);
      }
      const encoding = response.headers['content-encoding'];
      if (encoding !== undefined && encoding.toLowerCase() !== 'identity')
        return fail(`the server sent the body ${encoding}-encoded, not as stored`);
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > fetch.maxBytes) return fail(`the body is more than limits.maxFileBytes (${fetch.maxBytes}) bytes`);
        chunks.push(chunk);
      });
      // One message however the cut shows (a reset, an early end, fewer bytes than announced): a watcher reports it once.
      const cut = (): void => fail('the body was cut short');
      response.on('error', cut);
      response.on('aborted', cut);
      response.on('end', () => {
        if (!response.complete || (expected !== undefined && received !== expected)) return cut();
        const etag = response.headers.etag;
        const bytes = Buffer.concat(chunks, received);
        finish({ answer: etag === undefined ? { status: 'fetched', bytes } : { status: 'fetched', bytes, etag } });
      });
      response.on('close', () => {
        if (!response.complete) cut();
      });
    });
    request.end();
  });
}

function failure(url: URL, reason: string, status?: number): TierguardError<'IO_ERROR'> {
  return new TierguardError('IO_ERROR', `${describeUrl(url)}: cannot fetch the bundle: ${reason}`, {
    file: describeUrl(url),
    ...(status === undefined ? {} : { status }),
  });
}

/** A connection error's code when it has one (`ECONNREFUSED`), which stays the same from one poll to the next; else its message. */
function describeError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : describeThrown(error);
}
