import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ClientCapabilities, Notification } from '@modelcontextprotocol/sdk/types.js';
import type { AskClient } from './client-requests.js';
import { serveClientRequests } from './client-requests.js';
import { honourCancellationOfRequestZero } from './request-id-zero.js';

/** The notifications the gateway relays; progress is relayed to its request, cancellations are the SDK's. */
const RELAYED: ReadonlySet<string> = new Set([
  'notifications/tools/list_changed',
  'notifications/resources/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/updated',
  'notifications/message',
]);

/**
 * Sets up a downstream Client before it connects: the notifications it relays
 * go to `relay`, and it declares `declared` (the client capabilities the
 * gateway's client declared) with the requests they stand for relayed through `ask`,
 * each of which the server may cancel (its first included).
 */
export function configureClient(
  relay: (notification: Notification) => void,
  declared: ClientCapabilities,
  ask: AskClient,
): (client: Client) => void {
  return (client) => {
    client.fallbackNotificationHandler = (notification) => {
      if (RELAYED.has(notification.method)) relay(notification);
      return Promise.resolve();
    };
    serveClientRequests(client, declared, ask);
    honourCancellationOfRequestZero(client);
  };
}
