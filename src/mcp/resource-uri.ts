// RFC 3986 section 2.3: these never need escaping, so an escaped one names the same resource as the bare one.
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const ESCAPE = /%([0-9A-Fa-f]{2})/g;

/**
 * The one form of a resource URI that the guard judges and the server is handed.
 * It starts from the WHATWG URL serialisation (`new URL(uri).href`, which is how
 * the MCP SDK's `McpServer` looks resources up and matches templates): surrounding
 * spaces and C0 controls and inner tabs and newlines are gone, the scheme is lower
 * case, `.` and `..` segments (also as `%2e`) are resolved, and for special schemes
 * (`http`, `https`, `ws`, `wss`, `ftp`, `file`) the host is lower case and IDNA
 * and IPv4 normalised and a default port dropped. On top of that, RFC 3986
 * normalisation: the host is lower case for every scheme, escaped unreserved
 * characters (`%6B`) are decoded and every other escape is in upper case
 * (`%2f` -> `%2F`). `undefined` when the value is not a string, does not parse as
 * an absolute URL, or has no stable form (parsing the result again would change
 * it): such a read is refused, never passed on.
 */
export function canonicalResourceUri(uri: unknown): string | undefined {
  if (typeof uri !== 'string' || !URL.canParse(uri)) return undefined;
  const unescaped = new URL(uri).href.replace(ESCAPE, (escape, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : escape.toUpperCase();
  });
  if (!URL.canParse(unescaped)) return undefined;
  const parsed = new URL(unescaped);
  // Opaque hosts keep their case in WHATWG URLs, but a host is case-insensitive (RFC 3986 section 3.2.2).
  if (parsed.host !== '') parsed.host = parsed.host.toLowerCase().replace(ESCAPE, (escape) => escape.toUpperCase());
  const canonical = parsed.href;
  return URL.canParse(canonical) && new URL(canonical).href === canonical ? canonical : undefined;
}
