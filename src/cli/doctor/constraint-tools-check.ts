import { describeThrown } from '../../describe-thrown.js';
import type { Engine } from '../../engine.js';
import type { Action } from '../../types.js';
import type { DoctorCheck } from './doctor-report.js';

/** The tools an agent is told to call; each must be listed with an output schema and answer. */
const TOOLS = ['describe_scope', 'get_constraints', 'validate'] as const;
/** Enough sample actions to exercise `validate` without a large set costing minutes. */
const MAX_SAMPLES = 20;

/**
 * The constraint tools' contract, end to end: a real SDK Client talks over an
 * in-memory transport to the server `tierguard mcp` builds for these policies.
 * Each tool must be listed with an output schema; `describe_scope` and
 * `get_constraints` must answer (the SDK Client checks every structured answer
 * against its tool's output schema); `validate` on each sample action must give
 * the verdict `engine.evaluate` gives. The SDK is loaded only for this check.
 */
export async function checkConstraintTools(engine: Engine, samples: readonly Action[]): Promise<DoctorCheck> {
  const name = 'constraint-tools';
  let sdk;
  try {
    sdk = await Promise.all([
      import('@modelcontextprotocol/sdk/server/mcp.js'),
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/inMemory.js'),
      import('../../mcp/constraint-tools.js'),
    ]);
  } catch (error) {
    return { name, status: 'skip', summary: `@modelcontextprotocol/sdk cannot be loaded (${describeThrown(error)})`, findings: [] };
  }
  const [{ McpServer }, { Client }, { InMemoryTransport }, { registerConstraintTools }] = sdk;
  const server = new McpServer({ name: 'tierguard-doctor', version: '1.0.0' });
  registerConstraintTools(server, engine);
  const client = new Client({ name: 'tierguard-doctor', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const findings: string[] = [];
  try {
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    const listed = new Map((await client.listTools()).tools.map((tool) => [tool.name, tool]));
    for (const tool of TOOLS) {
      if (!listed.has(tool)) findings.push(`${tool} is not listed`);
      else if (listed.get(tool)?.outputSchema === undefined) findings.push(`${tool} has no output schema`);
    }
    const ask = async (tool: string, args: Record<string, unknown>): Promise<Record<string, unknown> | undefined> => {
      try {
        const answer = await client.callTool({ name: tool, arguments: args });
        if (answer.isError === true) {
          findings.push(`${tool} ${JSON.stringify(args)} answered an error: ${textOf(answer.content)}`);
          return undefined;
        }
        const structured = answer.structuredContent as Record<string, unknown> | undefined;
        if (structured?.available !== true) findings.push(`${tool} ${JSON.stringify(args)} answered that no policies are available`);
        return structured;
      } catch (error) {
        findings.push(`${tool} ${JSON.stringify(args)} failed: ${describeThrown(error)}`);
        return undefined;
      }
    };
    const scope = await ask('describe_scope', {});
    if (scope !== undefined && scope.version !== engine.version)
      findings.push(`describe_scope names version ${String(scope.version)}, not ${engine.version}`);
    await ask('get_constraints', {});
    const tools = [...new Set(samples.map((action) => action.tool))];
    for (const tool of tools) await ask('get_constraints', { tool });
    for (const action of samples.slice(0, MAX_SAMPLES)) {
      const answer = await ask('validate', { action });
      if (answer === undefined) continue;
      const expected = (await engine.evaluate(action)).verdict;
      if (answer.verdict !== expected)
        findings.push(`validate on a ${action.tool} action says ${String(answer.verdict)}, evaluate says ${expected}`);
    }
    const asked = 2 + tools.length + Math.min(samples.length, MAX_SAMPLES);
    return findings.length > 0
      ? { name, status: 'fail', summary: `${findings.length} problems in ${asked} calls`, findings }
      : {
          name,
          status: 'pass',
          summary: `the three tools are listed with output schemas and answered ${asked} calls as the engine decides`,
          findings,
        };
  } finally {
    await client.close();
    await server.close();
  }
}

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '(no text)';
  return content
    .map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : ''))
    .join(' ')
    .slice(0, 500);
}
