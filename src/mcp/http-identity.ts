import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { describeThrown } from '../describe-thrown.js';
import { TierguardError } from '../errors.js';

/** Checks a bearer token; resolves to what it proves about the caller, or `undefined` when it proves nothing (a 401). */
export type VerifyToken = (token: string, request: IncomingMessage) => Promise<AuthInfo | undefined>;

/** How an HTTP request may say who sends it; at most one of the two. */
export interface HttpIdentityOptions {
  /** Every MCP request must carry `Authorization: Bearer <token>` that this accepts; its AuthInfo becomes `context.auth`. */
  readonly verifyToken?: VerifyToken;
  /**
   * A header a reverse proxy in front of the server sets to the authenticated
   * user (e.g. `x-authenticated-user`): every MCP request must carry it, and its
   * value becomes `context.auth.clientId`. Only safe when nothing can reach the
   * server but through that proxy, which must drop the header from what clients send.
   */
  readonly trustedIdentityHeader?: string;
}

/** Who sent a request: what was verified, `undefined` when nothing is checked, or the HTTP refusal. */
export type Identification =
  | { readonly authInfo: AuthInfo | undefined }
  | { readonly status: number; readonly message: string; readonly headers: Readonly<Record<string, string>> };

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/i;

/** Rejects identity options that cannot work, naming the option. */
export function checkHttpIdentityOptions(options: HttpIdentityOptions): void {
  const { verifyToken, trustedIdentityHeader } = options;
  if (verifyToken !== undefined && typeof verifyToken !== 'function') {
    throw new TierguardError('INVALID_OPTIONS', 'verifyToken must be a function', { option: 'verifyToken' });
  }
  if (trustedIdentityHeader !== undefined && (typeof trustedIdentityHeader !== 'string' || !HEADER_NAME.test(trustedIdentityHeader))) {
    throw new TierguardError('INVALID_OPTIONS', 'trustedIdentityHeader must be an HTTP header name', { option: 'trustedIdentityHeader' });
  }
  if (verifyToken !== undefined && trustedIdentityHeader !== undefined) {
    throw new TierguardError('INVALID_OPTIONS', 'give verifyToken or trustedIdentityHeader, not both: the caller is one or the other', {
      option: 'trustedIdentityHeader',
    });
  }
}

/**
 * Who sent `request`, from a verified source only: the bearer token
 * `verifyToken` accepts, or the trusted proxy header. A request without what
 * is configured, or with a token that is refused (or whose check throws), gets
 * a 401 with `WWW-Authenticate: Bearer` (RFC 6750). Nothing configured: no identity.
 */
export async function identify(
  request: IncomingMessage,
  options: HttpIdentityOptions,
  log: (line: string) => void,
): Promise<Identification> {
  const { verifyToken, trustedIdentityHeader } = options;
  if (trustedIdentityHeader !== undefined) {
    const value = request.headers[trustedIdentityHeader.toLowerCase()];
    if (typeof value !== 'string' || value === '') {
      return { status: 401, message: `Unauthorized: the ${trustedIdentityHeader} header the proxy sets is missing`, headers: {} };
    }
    return { authInfo: { token: '', clientId: value, scopes: [], extra: { identityHeader: trustedIdentityHeader.toLowerCase() } } };
  }
  if (verifyToken === undefined) return { authInfo: undefined };
  const match = BEARER.exec(request.headers.authorization ?? '');
  if (match?.[1] === undefined) {
    return {
      status: 401,
      message: 'Unauthorized: a bearer token is required (Authorization: Bearer <token>)',
      headers: { 'www-authenticate': 'Bearer' },
    };
  }
  let authInfo: AuthInfo | undefined;
  try {
    authInfo = await verifyToken(match[1], request);
  } catch (error) {
    log(`verifyToken threw, so the request is refused: ${describeThrown(error)}`);
    authInfo = undefined;
  }
  if (typeof authInfo !== 'object' || authInfo === null) {
    return {
      status: 401,
      message: 'Unauthorized: the bearer token was not accepted',
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    };
  }
  return { authInfo };
}

/** The caller a session was opened by, to refuse its use by anyone else. */
export function callerKey(authInfo: AuthInfo | undefined): string | undefined {
  return authInfo === undefined ? undefined : JSON.stringify([authInfo.clientId, authInfo.extra?.['identityHeader'] ?? null]);
}
