import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { LoggingLevelSchema, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describeThrown } from '../../describe-thrown.js';
import { MAX_RESOURCE_SUBSCRIPTIONS } from '../../limits.js';

/** What a restarted downstream server refused when the session was set up on it again. */
export type RestoreProblem =
  | { readonly kind: 'subscription'; readonly uri: string; readonly reason: string }
  | { readonly kind: 'level'; readonly level: LoggingLevel; readonly reason: string };

const LEVELS: readonly LoggingLevel[] = LoggingLevelSchema.options;

/**
 * What one client set up on the downstream server that a new server process
 * would not know: the resource subscriptions it holds (each URI as it was
 * forwarded, so in the canonical form the guard judged and keeps it under) and
 * the last log level it asked for. Only what the downstream server accepted is
 * kept; a subscription is forgotten with its `resources/unsubscribe`, whatever
 * the server answered, as the guard forgets it. At most
 * `MAX_RESOURCE_SUBSCRIPTIONS` URIs, the guard's own bound.
 */
export class SessionState {
  readonly #subscriptions = new Set<string>();
  #level: LoggingLevel | undefined;

  /** The log level the client last set, if it did. */
  get level(): LoggingLevel | undefined {
    return this.#level;
  }

  /** Takes note of a forwarded request and whether the server accepted it; a no-op for every method but three. */
  note(method: string, params: Record<string, unknown> | undefined, accepted: boolean): void {
    if (method === 'resources/unsubscribe') {
      const uri = params?.['uri'];
      if (typeof uri === 'string') this.#subscriptions.delete(uri);
    } else if (accepted && method === 'resources/subscribe') {
      const uri = params?.['uri'];
      if (typeof uri === 'string' && this.#subscriptions.size < MAX_RESOURCE_SUBSCRIPTIONS) this.#subscriptions.add(uri);
    } else if (accepted && method === 'logging/setLevel') {
      const level = LoggingLevelSchema.safeParse(params?.['level']);
      if (level.success) this.#level = level.data;
    }
  }

  /** Forgets everything: a new `initialize`, so a new session (the guard forgets its subscriptions too). */
  clear(): void {
    this.#subscriptions.clear();
    this.#level = undefined;
  }

  /** True when a log message at `level` is at or above the level the client asked for (or it asked for none). */
  admits(level: LoggingLevel): boolean {
    return this.#level === undefined || LEVELS.indexOf(level) >= LEVELS.indexOf(this.#level);
  }

  /**
   * Sets the session up again on `client`, a new connection to a restarted
   * server, before it serves: the log level first (so what the server logs
   * while subscribing is already filtered), then every kept subscription. Each
   * request waits at most `timeoutMs`. A subscription the server refuses (or
   * does not answer) is dropped; the problems are returned for the caller to
   * log and tell the client.
   */
  async restore(client: Client, timeoutMs: number): Promise<RestoreProblem[]> {
    const problems: RestoreProblem[] = [];
    const level = this.#level;
    if (level !== undefined) {
      try {
        await client.request({ method: 'logging/setLevel', params: { level } }, ResultSchema, { timeout: timeoutMs });
      } catch (error) {
        problems.push({ kind: 'level', level, reason: describeThrown(error) });
      }
    }
    const uris = [...this.#subscriptions];
    const outcomes = await Promise.allSettled(
      uris.map((uri) => client.request({ method: 'resources/subscribe', params: { uri } }, ResultSchema, { timeout: timeoutMs })),
    );
    outcomes.forEach((outcome, index) => {
      const uri = uris[index] as string;
      if (outcome.status === 'fulfilled') return;
      this.#subscriptions.delete(uri);
      problems.push({ kind: 'subscription', uri, reason: describeThrown(outcome.reason) });
    });
    return problems;
  }
}
