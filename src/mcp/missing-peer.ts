import { describeThrown } from '../describe-thrown.js';

/** The command that installs what `tierguard/mcp` needs beside tierguard: the MCP SDK and the zod it is typed with. */
export const MCP_PEERS_INSTALL = 'npm install @modelcontextprotocol/sdk zod';

/** The ranges of the optional peer dependencies `tierguard/mcp` needs, as package.json declares them. */
export const MCP_PEER_RANGES: Readonly<Record<'@modelcontextprotocol/sdk' | 'zod', string>> = Object.freeze({
  '@modelcontextprotocol/sdk': '^1.32',
  zod: '^3.25 || ^4',
});

// A package Node cannot find is named in quotes, alone or as the start of a quoted specifier: 'zod', '@modelcontextprotocol/sdk/server/mcp.js'.
const NAMES_A_MISSING_PEER = /['"](@modelcontextprotocol\/sdk|zod)['"/]/;
// A package without the subpath is named by its package.json: ...node_modules/zod/package.json (either slash, for Windows).
const NAMES_A_PEER_MANIFEST = /node_modules[\\/](@modelcontextprotocol[\\/]sdk|zod)[\\/]package\.json/;

/**
 * True when `error` is Node failing to load the MCP SDK or zod: not installed
 * (`ERR_MODULE_NOT_FOUND`), or installed in a version without a module
 * tierguard imports (`ERR_PACKAGE_PATH_NOT_EXPORTED`, e.g. a zod before 3.25,
 * which has no `zod/v4`). Any other failure is not a missing peer and is left alone.
 */
export function isMissingMcpPeer(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (code === 'ERR_MODULE_NOT_FOUND') return NAMES_A_MISSING_PEER.test(describeThrown(error));
  if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return NAMES_A_PEER_MANIFEST.test(describeThrown(error));
  return false;
}

/**
 * The error `import('tierguard/mcp')` rejects with when a peer is missing: what
 * to install, then Node's own message. It keeps Node's `code` (and the original
 * as `cause`), so code that already tells a missing optional module by
 * `ERR_MODULE_NOT_FOUND` keeps working; it is not a TierguardError because
 * nothing tierguard decides failed.
 */
export function missingMcpPeerError(error: unknown): Error {
  const ranges = Object.entries(MCP_PEER_RANGES)
    .map(([name, range]) => `${name} ${range}`)
    .join(' and ');
  const message = `tierguard/mcp needs its optional peer dependencies ${ranges}: ${MCP_PEERS_INSTALL}\n(${describeThrown(error)})`;
  return Object.assign(new Error(message, { cause: error }), { code: (error as { code?: unknown }).code });
}
