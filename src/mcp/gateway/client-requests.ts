import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ClientCapabilities, ClientNotification, ClientRequest, Result } from '@modelcontextprotocol/sdk/types.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  PingRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { SdkRequestSchema } from './whole-params.js';
import { withWholeParams } from './whole-params.js';

/** What the MCP SDK passes to a client's request handlers besides the request: here, the downstream server's request. */
export type ClientHandlerExtra = RequestHandlerExtra<ClientRequest, ClientNotification>;

/** Relays one request the downstream server sent its client to the gateway's client and returns the answer. */
export type AskClient = (method: string, params: Record<string, unknown> | undefined, extra: ClientHandlerExtra) => Promise<Result>;

/**
 * The client capabilities the gateway declares to its downstream server: those
 * of its own client's that stand for requests a server may send (`roots`,
 * `sampling`, `elicitation`), as the client declared them (sub-capabilities such
 * as `roots.listChanged` or `elicitation.url` included). Anything else (`tasks`,
 * `experimental`) is left out: the gateway does not relay it.
 */
export function relayedCapabilities(client: ClientCapabilities | undefined): ClientCapabilities {
  const { roots, sampling, elicitation } = client ?? {};
  return {
    ...(roots === undefined ? {} : { roots }),
    ...(sampling === undefined ? {} : { sampling }),
    ...(elicitation === undefined ? {} : { elicitation }),
  };
}

/** True when the two declare the same: a downstream connection made with one serves a client with the other. */
export function sameCapabilities(left: ClientCapabilities, right: ClientCapabilities): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

/**
 * Declares `declared` on a downstream Client not yet connected, and sets a
 * handler that relays through `ask` for each request they stand for
 * (`roots/list`, `sampling/createMessage`, `elicitation/create`), and for
 * `ping`, so a server asking whether its client is there asks the real one. A
 * request for a capability not declared has no handler: the SDK answers
 * "Method not found" and nothing reaches the gateway's client.
 */
export function serveClientRequests(client: Client, declared: ClientCapabilities, ask: AskClient): void {
  client.registerCapabilities(declared);
  const schemas: SdkRequestSchema[] = [PingRequestSchema as unknown as SdkRequestSchema];
  if (declared.roots !== undefined) schemas.push(ListRootsRequestSchema as unknown as SdkRequestSchema);
  if (declared.sampling !== undefined) schemas.push(CreateMessageRequestSchema as unknown as SdkRequestSchema);
  if (declared.elicitation !== undefined) schemas.push(ElicitRequestSchema as unknown as SdkRequestSchema);
  for (const schema of schemas) {
    const whole = withWholeParams(schema);
    // A relayed answer is whatever the client gave; the SDK's Client checks sampling and elicitation answers against
    // their schemas before they go out, and upstreamAsker the rest.
    client.setRequestHandler(whole, (request, extra) => ask(request.method, request.params, extra));
  }
}
