import { CallToolResultSchema, GetPromptResultSchema, ReadResourceResultSchema } from '@modelcontextprotocol/sdk/types.js';

// The SDK's own result schemas. Results the guard returns are outside the SDK's
// checks (its wrapper sits inside ours), so a rewritten result is checked here.
const SCHEMAS = {
  'tools/call': CallToolResultSchema,
  'resources/read': ReadResourceResultSchema,
  'prompts/get': GetPromptResultSchema,
} as const;

/**
 * Why `result` is not a valid result of `method` (the first issue, with its
 * path), or `undefined` when it is valid or the method has no result schema here.
 */
export function resultProblem(method: string, result: unknown): string | undefined {
  if (!Object.hasOwn(SCHEMAS, method)) return undefined;
  const parsed = SCHEMAS[method as keyof typeof SCHEMAS].safeParse(result);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  if (issue === undefined) return 'it does not match the protocol schema';
  const at = issue.path.length === 0 ? 'the result' : issue.path.map(String).join('.');
  return `${at}: ${issue.message}`;
}
