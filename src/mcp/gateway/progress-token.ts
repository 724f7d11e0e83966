/** The `_meta.progressToken` a request's params carry, when it is one MCP allows (a string or a number). */
export function progressTokenOf(params: Record<string, unknown> | undefined): string | number | undefined {
  const meta: unknown = params?.['_meta'];
  if (typeof meta !== 'object' || meta === null) return undefined;
  const token: unknown = (meta as { progressToken?: unknown }).progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}
