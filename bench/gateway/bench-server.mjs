/**
 * The downstream server of bench/gateway.js: one tool, `payments.transfer`,
 * answering "ok" at once, on the SDK's low-level Server so no argument
 * validation of its own adds to the round trip. Its input schema lists the
 * fields the bench policies read, so the gateway's schema check passes.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const TOOL = {
  name: 'payments.transfer',
  description: 'Pretends to transfer money',
  inputSchema: {
    type: 'object',
    properties: {
      amount: { type: 'integer' },
      currency: { type: 'string' },
      reference: { type: 'string' },
      recipient: { type: 'object', properties: { iban: { type: 'string' }, name: { type: 'string' }, country: { type: 'string' } } },
      tags: { type: 'array', items: { type: 'string' } },
    },
  },
};

const server = new Server({ name: 'bench-downstream', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [TOOL] }));
server.setRequestHandler(CallToolRequestSchema, () => ({ content: [{ type: 'text', text: 'ok' }] }));
await server.connect(new StdioServerTransport());
