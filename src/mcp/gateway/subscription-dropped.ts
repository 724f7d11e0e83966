import type { LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';

/** The logger name of the messages the gateway itself sends its client. */
export const GATEWAY_LOGGER = 'tierguard-gateway';

/**
 * How the gateway's client learns that a resource subscription was dropped: a
 * restarted downstream server refused to take it again. MCP has no notification
 * for an ended subscription, so it is a `notifications/message` at `warning`
 * from the `tierguard-gateway` logger, with `data` saying what happened
 * (`event: "resource_subscription_dropped"`, the `uri`, the server's `reason`),
 * sent when the server advertises logging and the client's level admits it. A
 * client that still wants updates subscribes again.
 */
export function droppedSubscriptionNotice(uri: string, reason: string): LoggingMessageNotification & { params: { level: 'warning' } } {
  return {
    method: 'notifications/message',
    params: {
      level: 'warning',
      logger: GATEWAY_LOGGER,
      data: {
        event: 'resource_subscription_dropped',
        uri,
        reason,
        message: `the downstream server was restarted and refused the subscription to ${uri} again, so it was dropped; subscribe again to receive its updates`,
      },
    },
  };
}
