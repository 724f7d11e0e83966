import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { MCP_PEERS_INSTALL } from '../../../src/mcp/missing-peer.js';
import { ROOT, requireBuild } from '../../support/paths.js';

/** What the built detector makes of Node's real error for importing a specifier. */
interface Judged {
  readonly code: unknown;
  readonly nodeMessage: string;
  readonly missing: boolean;
  readonly message: string;
  readonly cause: boolean;
  readonly sameCode: boolean;
}

const SPECIFIERS = ['@modelcontextprotocol/sdk/server/mcp.js', 'zod/v4', 'zodiac', '@modelcontextprotocol/sdk-extra'] as const;

let judged: Record<string, Judged>;
let oldZod: Judged;

/**
 * Imports each specifier in a real Node process (vitest's module runner resolves
 * packages its own way) from `cwd`, and judges each error with the built detector.
 */
function judgeImports(cwd: string, specifiers: readonly string[]): Record<string, Judged> {
  const detector = pathToFileURL(join(ROOT, 'dist', 'mcp', 'missing-peer.js')).href;
  const script = [
    `import { isMissingMcpPeer, missingMcpPeerError } from ${JSON.stringify(detector)};`,
    'const judged = {};',
    `for (const specifier of ${JSON.stringify(specifiers)}) {`,
    '  try { await import(specifier); judged[specifier] = "loaded"; } catch (e) {',
    '    const error = missingMcpPeerError(e);',
    '    judged[specifier] = { code: e.code, nodeMessage: e.message, missing: isMissingMcpPeer(e), message: error.message, cause: error.cause === e, sameCode: error.code === e.code };',
    '  }',
    '}',
    'console.log(JSON.stringify(judged));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, Judged>;
}

beforeAll(() => {
  requireBuild();
  // Outside any node_modules that holds the SDK or zod.
  const directory = mkdtempSync(join(tmpdir(), 'tierguard-missing-peer-'));
  judged = judgeImports(directory, SPECIFIERS);
  // A zod too old for tierguard: a package without the zod/v4 subpath.
  const zod = join(directory, 'old', 'node_modules', 'zod');
  mkdirSync(zod, { recursive: true });
  writeFileSync(join(zod, 'package.json'), JSON.stringify({ name: 'zod', type: 'module', exports: { '.': './index.js' } }));
  writeFileSync(join(zod, 'index.js'), 'export {};\n');
  oldZod = judgeImports(join(directory, 'old'), ['zod/v4'])['zod/v4'] as Judged;
});

describe('a missing MCP peer dependency', () => {
  it('is told from Node errors for the SDK and zod, not installed or too old', () => {
    expect(judged['@modelcontextprotocol/sdk/server/mcp.js']).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND', missing: true });
    expect(judged['zod/v4']).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND', missing: true });
    expect(oldZod).toMatchObject({ code: 'ERR_PACKAGE_PATH_NOT_EXPORTED', missing: true });
  });

  it('is not a missing package of another name', () => {
    expect(judged.zodiac).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND', missing: false });
    expect(judged['@modelcontextprotocol/sdk-extra']).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND', missing: false });
  });

  it('becomes an error that says what to install, then what Node said, keeping its code and the original as cause', () => {
    const sdk = judged['@modelcontextprotocol/sdk/server/mcp.js'] as Judged;
    expect(MCP_PEERS_INSTALL).toBe('npm install @modelcontextprotocol/sdk zod');
    expect(sdk.message).toBe(
      `tierguard/mcp needs its optional peer dependencies @modelcontextprotocol/sdk ^1.32 and zod ^3.25 || ^4: ${MCP_PEERS_INSTALL}\n(${sdk.nodeMessage})`,
    );
    expect(sdk.nodeMessage).toContain("Cannot find package '@modelcontextprotocol/sdk'");
    expect(sdk).toMatchObject({ cause: true, sameCode: true });
  });
});
