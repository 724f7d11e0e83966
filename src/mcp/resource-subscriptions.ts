import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Notification } from '@modelcontextprotocol/sdk/types.js';
import { describeThrown } from '../describe-thrown.js';
import { escapeTerminalText } from '../terminal-text.js';
import type { EngineSource } from './engine-source.js';
import { resolveEngine } from './engine-source.js';
import { protocolOf } from './intercept-handlers.js';
import { canonicalResourceUri } from './resource-uri.js';

/**
 * The resource subscriptions the guard allowed on one server (one connection),
 * each with the context its `resources/subscribe` was judged in, so an update is
 * judged for the same caller. Keyed by canonical URI.
 */
export class AllowedSubscriptions {
  readonly #contexts = new Map<string, Record<string, unknown>>();

  /** Records an allowed subscription to the canonical `uri`. */
  add(uri: string, context: Record<string, unknown>): void {
    this.#contexts.set(uri, context);
  }

  /**
   * Keeps a place for a subscription to the canonical `uri` before its handler
   * runs, so concurrent requests cannot all pass the bound: `added` (a new URI,
   * now kept; {@link AllowedSubscriptions.remove} it if the handler fails),
   * `kept` (already subscribed: nothing changes), or `full` (`limit` are kept).
   */
  reserve(uri: string, context: Record<string, unknown>, limit: number): 'added' | 'kept' | 'full' {
    if (this.#contexts.has(uri)) return 'kept';
    if (this.#contexts.size >= limit) return 'full';
    this.#contexts.set(uri, context);
    return 'added';
  }

  /** Forgets the subscription to the canonical `uri` (after `resources/unsubscribe`). */
  remove(uri: string): void {
    this.#contexts.delete(uri);
  }

  /** Forgets every subscription (a new `initialize`: a new client on this server). */
  clear(): void {
    this.#contexts.clear();
  }

  /**
   * The context of the subscription that covers the canonical `uri`: one to the
   * same URI, or to a URI it is a sub-resource of (MCP lets an update name a
   * sub-resource of what was subscribed). `undefined` when none does.
   */
  contextCovering(uri: string): Record<string, unknown> | undefined {
    // Walks up the URI's own path (a lookup per segment), so the cost does not grow with the subscriptions a client makes.
    for (let covering = uri; ;) {
      const context = this.#contexts.get(covering);
      if (context !== undefined) return context;
      const slash = covering.endsWith('/') ? covering.length - 1 : covering.lastIndexOf('/');
      if (slash <= covering.indexOf('//') + 1) return undefined;
      covering = covering.endsWith('/') ? covering.slice(0, slash) : covering.slice(0, slash + 1);
    }
  }
}

const UPDATED = 'notifications/resources/updated';

type SendNotification = (notification: Notification, options?: unknown) => Promise<void>;

/**
 * Keeps `notifications/resources/updated` to what the client may read: each one
 * the server sends is delivered only when its URI (in canonical form) is covered
 * by a subscription the guard allowed and the read of that URI, judged now with
 * the current engine and the subscription's context, is allowed. Otherwise it is
 * dropped (the server's send resolves as if it were sent). Every other
 * notification passes. Returns a function that removes the filter.
 */
export function filterResourceUpdates(server: McpServer | Server, source: EngineSource, subscriptions: AllowedSubscriptions): () => void {
  const protocol = protocolOf(server) as unknown as { notification: SendNotification };
  const own = Object.getOwnPropertyDescriptor(protocol, 'notification');
  const send = protocol.notification.bind(protocol);
  const filtered: SendNotification = async (notification, options) => {
    if (notification.method === UPDATED && !(await deliverable(notification, source, subscriptions))) return;
    await send(notification, options);
  };
  Object.defineProperty(protocol, 'notification', { value: filtered, configurable: true, writable: true, enumerable: false });
  return () => {
    if (own === undefined) Reflect.deleteProperty(protocol, 'notification');
    else Object.defineProperty(protocol, 'notification', own);
  };
}

async function deliverable(notification: Notification, source: EngineSource, subscriptions: AllowedSubscriptions): Promise<boolean> {
  const uri = canonicalResourceUri(notification.params?.['uri']);
  if (uri === undefined) return false;
  const context = subscriptions.contextCovering(uri);
  if (context === undefined) return false;
  try {
    const engine = await resolveEngine(source);
    const decision = await engine.evaluate(
      { tool: uri, kind: 'resources/read', arguments: { uri }, context },
      { labels: { method: UPDATED } },
    );
    return decision.verdict === 'allow';
  } catch (error) {
    process.emitWarning(
      escapeTerminalText(`tierguard guardServer: judging a resource update threw, so it is not delivered: ${describeThrown(error)}`),
      'TierguardWarning',
    );
    return false;
  }
}
