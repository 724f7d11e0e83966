import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { isTierguardError } from '../errors.js';
import { parseStrictJson } from '../strict-json.js';

const NEWLINE = 0x0a;
// As at the HTTP transport: the message size is bounded, the scan does not recurse, and the engine bounds the depth of an action.
const TRANSPORT_DEPTH = Number.POSITIVE_INFINITY;

/**
 * stdin for the SDK's stdio transport, minus the JSON-RPC lines that repeat a
 * key. The SDK parses each line with `JSON.parse`, which would judge
 * `{"tool":"db.drop","tool":"safe.read"}` as `safe.read`; such a line is not
 * passed on, and a request gets a -32700 parse error through `answer` (a
 * notification, which takes no answer, is dropped). Everything else, malformed
 * JSON included, reaches the SDK unchanged, framed as the SDK frames it: a line
 * ends at `\n`. A line longer than the SDK's own buffer bound is passed on for
 * the SDK to refuse as it always has, so nothing here buffers more than it would.
 * With `answerMalformed`, a line that is not JSON gets a -32700 parse error and
 * one that is not a JSON-RPC message a -32600 invalid request (id `null`, as
 * JSON-RPC answers what it cannot read), instead of reaching the SDK, which
 * drops them unanswered; blank lines are skipped.
 */
export function refuseDuplicateKeyLines(
  stdin: Readable,
  answer: (response: string) => void,
  options: { readonly answerMalformed?: boolean } = {},
): Readable {
  const refusalOf = options.answerMalformed === true ? malformedAnswer : duplicateKeyAnswer;
  let pending: Buffer = Buffer.alloc(0);
  const filtered = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (let end = pending.indexOf(NEWLINE); end !== -1; end = pending.indexOf(NEWLINE)) {
        const line = pending.subarray(0, end + 1);
        pending = pending.subarray(end + 1);
        const refusal = refusalOf(line.toString('utf8', 0, end).replace(/\r$/, ''));
        if (refusal === undefined) this.push(line);
        else if (refusal !== null) answer(refusal);
      }
      if (pending.length > STDIO_DEFAULT_MAX_BUFFER_SIZE) {
        this.push(pending);
        pending = Buffer.alloc(0);
      }
      done();
    },
    flush(done) {
      if (pending.length > 0) this.push(pending);
      done();
    },
  });
  stdin.on('error', (error) => filtered.destroy(error));
  return stdin.pipe(filtered);
}

/**
 * `undefined` to pass the line on; otherwise the JSON-RPC error for a line
 * that repeats a key, or `null` when it was a notification (nothing to answer).
 */
function duplicateKeyAnswer(line: string): string | null | undefined {
  try {
    parseStrictJson(line, 'the message', { maxDepth: TRANSPORT_DEPTH });
    return undefined;
  } catch (error) {
    if (!isTierguardError(error, 'IO_ERROR') || error.details.key === undefined) return undefined;
    // Only a repeated key failed, so JSON.parse reads the line; the id is the request's unless `id` itself repeats.
    const message = JSON.parse(line) as { id?: unknown };
    if (typeof message !== 'object' || message === null || !Object.hasOwn(message, 'id')) return null;
    const id = error.details.pointer !== '/id' && (typeof message.id === 'string' || typeof message.id === 'number') ? message.id : null;
    return `${JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32700, message: `Parse error: ${error.message}` } })}\n`;
  }
}

/** As {@link duplicateKeyAnswer}, and an answer for a line that is not JSON or not a JSON-RPC message; `null` (skip) for a blank line. */
function malformedAnswer(line: string): string | null | undefined {
  if (line.trim() === '') return null;
  const duplicate = duplicateKeyAnswer(line);
  if (duplicate !== undefined) return duplicate;
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return errorLine(null, -32700, 'Parse error: the line is not JSON');
  }
  if (JSONRPCMessageSchema.safeParse(message).success) return undefined;
  const id: unknown = typeof message === 'object' && message !== null ? (message as { id?: unknown }).id : undefined;
  return errorLine(
    typeof id === 'string' || typeof id === 'number' ? id : null,
    -32600,
    'Invalid request: the line is not a JSON-RPC 2.0 message',
  );
}

function errorLine(id: string | number | null, code: number, message: string): string {
  return `${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`;
}
