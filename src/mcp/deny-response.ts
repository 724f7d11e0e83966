import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { GuardDecisionSummary } from './decision-summary.js';

/**
 * The JSON-RPC error code of a request tierguard refused. It lies outside the
 * range JSON-RPC reserves (-32768 to -32000), so it cannot collide with the
 * protocol's codes or the MCP SDK's (-32000, -32001, -32042, ...).
 */
export const TIERGUARD_DENIED = -31001;

/** The key under which a tool error result carries the {@link GuardDecisionSummary}. */
export const DECISION_META_KEY = 'tierguard/decision';

/**
 * Thrown from the intercepted handler to reply with a JSON-RPC error. A plain
 * Error with `code` and `data`, not the SDK's McpError, whose message already
 * carries an "MCP error" prefix that the client would prefix again.
 */
export class GuardDeniedError extends Error {
  readonly code = TIERGUARD_DENIED;
  readonly data: GuardDecisionSummary;

  constructor(message: string, data: GuardDecisionSummary) {
    super(message);
    this.name = 'GuardDeniedError';
    this.data = data;
  }
}

/**
 * Refuses a request: as a tool error result (`isError`, the text for the model,
 * the summary under `_meta["tierguard/decision"]`) when `asResult`, otherwise by
 * throwing an error the SDK sends as a JSON-RPC error with code
 * {@link TIERGUARD_DENIED} and the summary as `data`.
 */
export function refuse(summary: GuardDecisionSummary, asResult: boolean): CallToolResult {
  const text = denyText(summary);
  if (!asResult) throw new GuardDeniedError(text, summary);
  return { content: [{ type: 'text', text }], isError: true, _meta: { [DECISION_META_KEY]: summary } };
}

/**
 * What the model reads: what was refused, each violated policy with its field
 * and message, and what it may do next. Names are JSON-quoted, so a hostile tool
 * name cannot break the text's lines.
 */
export function denyText(summary: GuardDecisionSummary): string {
  const target = describeTarget(summary);
  const noun = summary.method === 'tools/call' ? 'call' : 'request';
  const consequence = summary.phase === 'request' ? 'it was not run' : 'its result was withheld';
  const retry = `You may retry with a ${noun} that satisfies these constraints.`;
  const unflagged = `You may retry with a ${noun} these policies do not flag.`;
  switch (summary.reason) {
    case 'denied':
      return lines(
        summary.phase === 'request'
          ? `tierguard denied this ${target}, so ${consequence}:`
          : `tierguard withheld the result of this ${target}: the tool ran, but its result breaks these policies:`,
        details(summary, noun),
        summary.phase === 'request' ? retry : '',
      );
    case 'approval-required':
      return lines(
        `This ${target} needs a human's approval (asked by ${policies(summary.escalatedBy)}) and this server has no approval step, so ${consequence}:`,
        details(summary, noun),
        summary.phase === 'request' ? unflagged : '',
      );
    case 'approval-refused':
      return lines(
        `Approval was refused for this ${target} (asked by ${policies(summary.escalatedBy)}), so ${consequence}:`,
        details(summary, noun),
        summary.phase === 'request' ? unflagged : '',
      );
    case 'unavailable':
      return `tierguard's policies are unavailable, so this ${target} was refused and not run. Try again later.`;
    case 'evaluation-failed':
      return lines(`tierguard could not evaluate this ${target}, so ${consequence}:`, details(summary, noun));
    case 'invalid-result':
      return lines(
        `tierguard withheld the result of this ${target}: after the policies' rewrites it is not a valid ${summary.method} result:`,
        details(summary, noun),
      );
  }
}

function describeTarget(summary: GuardDecisionSummary): string {
  const name = summary.tool === null ? undefined : JSON.stringify(summary.tool);
  if (name === undefined) return `${summary.method} request`;
  switch (summary.method) {
    case 'tools/call':
      return `call to tool ${name}`;
    case 'resources/read':
      return `read of resource ${name}`;
    case 'resources/subscribe':
      return `subscription to resource ${name}`;
    case 'prompts/get':
      return `request for prompt ${name}`;
    default:
      return `${summary.method} request`;
  }
}

function details(summary: GuardDecisionSummary, noun: string): string {
  const found = summary.violations.map(
    (violation) => `- policy ${JSON.stringify(violation.policyId)}, field ${violation.field}: ${violation.message}`,
  );
  const failed = summary.errors.map((error) =>
    error.policyId === undefined
      ? `- could not evaluate the ${noun}: ${error.message}`
      : `- policy ${JSON.stringify(error.policyId)} could not be evaluated: ${error.message}`,
  );
  return [...found, ...failed].join('\n');
}

function policies(ids: readonly string[]): string {
  const quoted = ids.map((id) => JSON.stringify(id)).join(', ');
  return ids.length === 1 ? `policy ${quoted}` : `policies ${quoted}`;
}

function lines(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('\n');
}
