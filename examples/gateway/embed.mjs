// createGateway as a Node program embeds it: the policies in a folder in front of an MCP server,
// served on this process's stdio, the caller named by the program (here, the user who runs it).
//   node examples/gateway/embed.mjs examples/gateway/policies npx -y @modelcontextprotocol/server-filesystem /srv/project
import { userInfo } from 'node:os';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createJsonLinesSink, loadPolicies } from 'tierguard';
import { createGateway } from 'tierguard/mcp';

const [policyFolder, command, ...args] = process.argv.slice(2);
if (policyFolder === undefined || command === undefined) {
  process.stderr.write('usage: node embed.mjs <policies> <command> [args...]\n');
  process.exit(2);
}

const audit = createJsonLinesSink(process.env.AUDIT_FILE ?? '/dev/null');
const { definitions } = await loadPolicies(policyFolder);
const gateway = await createGateway({
  policies: definitions,
  onDecision: audit.write,
  downstream: { command, args },
  identity: { token: '', clientId: userInfo().username, scopes: [] },
  restart: 'on-failure',
  log: (line) => process.stderr.write(`gateway: ${line}\n`),
});
await gateway.connect(new StdioServerTransport());
process.stdin.once('end', async () => {
  await gateway.close();
  await audit.close();
});
