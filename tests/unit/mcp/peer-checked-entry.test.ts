import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as barrel from '../../../src/mcp/index.js';
import * as entry from '../../../src/mcp/peer-checked-entry.js';
import { ROOT, requireBuild } from '../../support/paths.js';

describe("tierguard/mcp's peer-checked entry", () => {
  it('exports every value the barrel exports, the same objects, and nothing else', () => {
    // When this fails after an export was added to src/mcp/index.ts, list it in src/mcp/peer-checked-entry.ts too.
    expect(Object.keys(entry).sort()).toEqual(Object.keys(barrel).sort());
    for (const [name, value] of Object.entries(barrel)) expect(entry[name as keyof typeof entry], name).toBe(value);
  });

  it('without the SDK installed, rejects with the install line instead of a bare "Cannot find package"', async () => {
    requireBuild();
    // The built package beside every dependency but the SDK.
    const installed = mkdtempSync(join(tmpdir(), 'tierguard-no-sdk-'));
    cpSync(join(ROOT, 'dist'), join(installed, 'dist'), { recursive: true, filter: (source) => !source.endsWith('.d.ts') });
    cpSync(join(ROOT, 'package.json'), join(installed, 'package.json'));
    mkdirSync(join(installed, 'node_modules'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name !== '@modelcontextprotocol' && name !== '.bin')
        symlinkSync(join(ROOT, 'node_modules', name), join(installed, 'node_modules', name));
    }
    // In a real Node process: vitest's module runner resolves packages its own way.
    const script = [
      `const root = await import(${JSON.stringify(pathToFileURL(join(installed, 'dist', 'index.js')).href)});`,
      `const mcp = await import(${JSON.stringify(pathToFileURL(join(installed, 'dist', 'mcp', 'peer-checked-entry.js')).href)}).then(`,
      '  () => "loaded",',
      '  (e) => ({ code: e.code, message: e.message }),',
      ');',
      'console.log(JSON.stringify({ root: typeof root.createEngine, mcp }));',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const { root, mcp } = JSON.parse(run.stdout) as { root: string; mcp: { code: string; message: string } };
    // The root entry does not need the SDK; tierguard/mcp says what to install.
    expect(root).toBe('function');
    expect(mcp.code).toBe('ERR_MODULE_NOT_FOUND');
    expect(mcp.message.split('\n')[0]).toBe(
      'tierguard/mcp needs its optional peer dependencies @modelcontextprotocol/sdk ^1.32 and zod ^3.25 || ^4: npm install @modelcontextprotocol/sdk zod',
    );
  });
});
