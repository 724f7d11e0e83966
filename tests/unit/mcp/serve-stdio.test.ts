import { PassThrough } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/index.js';
import { registerConstraintTools } from '../../../src/mcp/constraint-tools.js';
import { serveStdio } from '../../../src/mcp/serve-stdio.js';
import type { StdioConnection } from '../../../src/mcp/serve-stdio.js';

/**
 * serveStdio on in-memory streams, written to line by line as a client would,
 * so a line can say what no SDK client would send: a key twice.
 */

const connections: StdioConnection[] = [];

afterEach(async () => {
  for (const connection of connections.splice(0)) await connection.close();
});

interface Wire {
  send(line: string): void;
  /** The response with this id, once it arrives (within 5 s, generously). */
  response(id: number | null): Promise<Record<string, unknown>>;
}

async function serve(): Promise<Wire> {
  const engine = await createEngine({
    policies: [{ id: 'pay.limit', tools: ['pay.*'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } }],
  });
  const server = new McpServer({ name: 'tierguard-test', version: '0.0.0' });
  registerConstraintTools(server, engine);
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const received: Record<string, unknown>[] = [];
  let buffered = '';
  stdout.setEncoding('utf8');
  stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) received.push(JSON.parse(line) as Record<string, unknown>);
  });
  connections.push(await serveStdio(server, { stdin, stdout }));
  const wire: Wire = {
    send: (line) => stdin.write(`${line}\n`),
    response: async (id) => {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const found = received.find((message) => message['id'] === id);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no response ${id}; got ${JSON.stringify(received)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
  wire.send(
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"agent","version":"0"}}}',
  );
  await wire.response(1);
  wire.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  return wire;
}

const validateCall = (id: number, action: string): string =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"validate","arguments":{"action":${action}}}}`;

describe('serveStdio: lines that repeat a key', () => {
  it('answers a validate call whose action repeats "tool" with a parse error, instead of judging the last one', async () => {
    const wire = await serve();
    wire.send(validateCall(2, '{"tool":"pay.send","arguments":{"amount":500},"tool":"weather.today"}'));
    expect(await wire.response(2)).toEqual({
      jsonrpc: '2.0',
      id: 2,
      error: {
        code: -32700,
        message: expect.stringMatching(
          /^Parse error: the message: not valid JSON: line 1, column \d+: duplicate key "tool" at \/params\/arguments\/action\/tool /,
        ) as string,
      },
    });
  });

  it('keeps serving: the next, well-formed line is judged', async () => {
    const wire = await serve();
    wire.send(validateCall(2, '{"tool":"pay.send","tool":"weather.today"}'));
    await wire.response(2);
    wire.send(validateCall(3, '{"tool":"pay.send","arguments":{"amount":500}}'));
    expect(await wire.response(3)).toMatchObject({ result: { structuredContent: { verdict: 'deny' } } });
  });

  it('answers with a null id when the id itself repeats', async () => {
    const wire = await serve();
    wire.send('{"jsonrpc":"2.0","id":4,"id":5,"method":"tools/list"}');
    expect(await wire.response(null)).toMatchObject({
      id: null,
      error: { code: -32700, message: expect.stringContaining('duplicate key "id" at /id') as string },
    });
  });
});
