import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { currentRemoteAddress } from './remote-address.js';

/** What the MCP SDK passes to a server's request handlers besides the request. */
export type HandlerExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

// Credentials, not facts about the caller: a policy has no business reading them,
// and an audit event or a deny message must never carry them.
const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * What the transport says about the caller, as policies see it under `context`:
 * `auth` (always an object: what the transport verified, see {@link trustedAuth}),
 * `authInfo` (the same token facts, kept for existing policies), `sessionId`,
 * `requestId`, and the HTTP `headers` (lower-case names; no `authorization`,
 * `cookie` or `proxy-authorization`), which the client writes as it likes. Keys
 * the transport does not provide are left out.
 */
export function callerContext(extra: HandlerExtra): Record<string, unknown> {
  const context: Record<string, unknown> = { auth: trustedAuth(extra) };
  const authInfo = authContext(extra.authInfo);
  if (authInfo !== undefined) context['authInfo'] = authInfo;
  if (typeof extra.sessionId === 'string') context['sessionId'] = extra.sessionId;
  context['requestId'] = extra.requestId;
  const headers = headerContext(extra.requestInfo?.headers);
  if (headers !== undefined) context['headers'] = headers;
  return context;
}

/**
 * `context.auth`: only what the transport verified, never what the client sent.
 * The validated token's facts from `extra.authInfo` (set by the bearer-auth
 * middleware in front of the transport: `clientId`, `scopes`, `expiresAt`,
 * `resource`, `extra`; never the token) and `remoteAddress`, the peer's address
 * from the socket (see `withRemoteAddress`). An empty object when there is neither.
 */
export function trustedAuth(extra: HandlerExtra): Record<string, unknown> {
  const auth = authContext(extra.authInfo) ?? {};
  const remoteAddress = currentRemoteAddress();
  if (remoteAddress !== undefined) auth['remoteAddress'] = remoteAddress;
  return auth;
}

/** The validated token's facts, copied field by field so the token itself cannot come along. */
function authContext(authInfo: HandlerExtra['authInfo']): Record<string, unknown> | undefined {
  if (typeof authInfo !== 'object' || authInfo === null) return undefined;
  const context: Record<string, unknown> = {};
  if (typeof authInfo.clientId === 'string') context['clientId'] = authInfo.clientId;
  if (Array.isArray(authInfo.scopes)) context['scopes'] = authInfo.scopes.filter((scope) => typeof scope === 'string');
  if (typeof authInfo.expiresAt === 'number') context['expiresAt'] = authInfo.expiresAt;
  // A URL object is not JSON; policies compare the string.
  const resource: unknown = authInfo.resource;
  if (resource instanceof URL) context['resource'] = resource.href;
  else if (typeof resource === 'string') context['resource'] = resource;
  if (typeof authInfo.extra === 'object' && authInfo.extra !== null) context['extra'] = { ...authInfo.extra };
  return context;
}

function headerContext(
  headers: Readonly<Record<string, string | string[] | undefined>> | undefined,
): Record<string, string | string[]> | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const context: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (SECRET_HEADERS.has(key)) continue;
    if (typeof value === 'string') context[key] = value;
    else if (Array.isArray(value)) context[key] = value.filter((item) => typeof item === 'string');
  }
  return context;
}
