import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CancelledNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

/*
 * The MCP SDK's Protocol (1.32) ignores a `notifications/cancelled` whose
 * `requestId` is 0: it tests the id for truth. 0 is the first id each side
 * uses, so the first request a server sends its client could not be cancelled:
 * the gateway would not hear the server cancel it, nor would an SDK client hear
 * the gateway pass that on. Each workaround is skipped when the SDK's internals
 * are not where they were, leaving the SDK's behaviour as it is.
 */

/** Makes `server` number its requests from 1, so a cancellation of each reaches an SDK client. */
export function startRequestIdsAtOne(server: Server): void {
  const internals = server as unknown as { _requestMessageId?: unknown };
  if (internals._requestMessageId === 0) internals._requestMessageId = 1;
}

/** Makes `client` honour a cancellation of the request its server numbered 0, as of every other. */
export function honourCancellationOfRequestZero(client: Client): void {
  const controllers: unknown = (client as unknown as { _requestHandlerAbortControllers?: unknown })._requestHandlerAbortControllers;
  if (!(controllers instanceof Map)) return;
  client.setNotificationHandler(CancelledNotificationSchema, (notification) => {
    const { requestId, reason } = notification.params;
    if (requestId === undefined) return;
    const controller: unknown = controllers.get(requestId);
    if (controller instanceof AbortController) controller.abort(reason);
  });
}
