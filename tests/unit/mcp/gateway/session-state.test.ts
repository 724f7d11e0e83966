import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../../src/limits.js';
import { upstreamAsker } from '../../../../src/mcp/gateway/ask-client.js';
import type { ClientHandlerExtra } from '../../../../src/mcp/gateway/client-requests.js';
import { relayedCapabilities } from '../../../../src/mcp/gateway/client-requests.js';
import { SessionState } from '../../../../src/mcp/gateway/session-state.js';
import { rejectionOf } from '../guard-support.js';

/** What a gateway keeps of a session for a restart, and the edges of relaying a server's request. */

/** A stand-in for a new downstream connection: answers every request, refusing the URIs in `refused`. */
function recordingClient(refused: ReadonlySet<string> = new Set()): { client: Client; sent: unknown[] } {
  const sent: unknown[] = [];
  const request = (message: { method: string; params?: { uri?: string } }) => {
    sent.push(message);
    const uri = message.params?.uri;
    return uri !== undefined && refused.has(uri) ? Promise.reject(new Error(`no ${uri}`)) : Promise.resolve({});
  };
  return { client: { request } as unknown as Client, sent };
}

describe('SessionState', () => {
  it('keeps what the server accepted, forgets an unsubscribed URI whatever the answer, and sets the level first', async () => {
    const session = new SessionState();
    session.note('resources/subscribe', { uri: 'echo://a' }, true);
    session.note('resources/subscribe', { uri: 'echo://refused' }, false);
    session.note('resources/subscribe', { uri: 'echo://b' }, true);
    session.note('resources/unsubscribe', { uri: 'echo://b' }, false);
    session.note('logging/setLevel', { level: 'notice' }, true);
    session.note('logging/setLevel', { level: 'not-a-level' }, true);
    session.note('tools/call', { name: 'x' }, true);
    const { client, sent } = recordingClient();
    expect(await session.restore(client, 1_000)).toEqual([]);
    expect(sent).toEqual([
      { method: 'logging/setLevel', params: { level: 'notice' } },
      { method: 'resources/subscribe', params: { uri: 'echo://a' } },
    ]);
  });

  it('drops a subscription the new server refuses and reports it; clear forgets everything', async () => {
    const session = new SessionState();
    session.note('resources/subscribe', { uri: 'echo://a' }, true);
    session.note('resources/subscribe', { uri: 'echo://b' }, true);
    const problems = await session.restore(recordingClient(new Set(['echo://b'])).client, 1_000);
    expect(problems).toEqual([{ kind: 'subscription', uri: 'echo://b', reason: expect.stringContaining('no echo://b') as unknown }]);
    const again = recordingClient();
    await session.restore(again.client, 1_000);
    expect(again.sent).toEqual([{ method: 'resources/subscribe', params: { uri: 'echo://a' } }]);
    session.clear();
    const none = recordingClient();
    expect(await session.restore(none.client, 1_000)).toEqual([]);
    expect(none.sent).toEqual([]);
  });

  it('admits a log level at or above the one the client set', () => {
    const session = new SessionState();
    expect(session.admits('debug')).toBe(true);
    session.note('logging/setLevel', { level: 'warning' }, true);
    expect([session.admits('info'), session.admits('warning'), session.admits('error')]).toEqual([false, true, true]);
  });
});

describe('relaying a request of the server to the client', () => {
  const extra = { signal: new AbortController().signal, sendNotification: () => Promise.resolve() } as unknown as ClientHandlerExtra;
  const limits = () => Promise.resolve(DEFAULT_LIMITS);

  it('answers a ping itself while no client is connected, and refuses anything else with an error', async () => {
    const ask = upstreamAsker(() => undefined, { timeoutMs: 1_000, limits });
    expect(await ask('ping', undefined, extra)).toEqual({});
    const error = await rejectionOf(ask('roots/list', undefined, extra));
    expect(error.code).toBe(ErrorCode.InternalError);
    expect(error.message).toContain('no client is connected to the gateway to answer roots/list');
  });

  it('refuses a task-augmented request without asking the client', async () => {
    let asked = 0;
    const server = {
      transport: {},
      request: () => {
        asked += 1;
        return Promise.resolve({});
      },
    } as unknown as Server;
    const ask = upstreamAsker(() => server, { timeoutMs: 1_000, limits });
    const error = await rejectionOf(ask('sampling/createMessage', { messages: [], maxTokens: 1, task: { ttl: 1 } }, extra));
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toContain('does not relay task-augmented sampling/createMessage requests');
    expect(asked).toBe(0);
  });

  it('relays only the capabilities that stand for requests a server sends', () => {
    expect(relayedCapabilities({ roots: { listChanged: true }, elicitation: { url: {} }, tasks: {}, experimental: { x: {} } })).toEqual({
      roots: { listChanged: true },
      elicitation: { url: {} },
    });
    expect(relayedCapabilities(undefined)).toEqual({});
  });
});
